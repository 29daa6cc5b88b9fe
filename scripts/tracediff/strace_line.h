/* strace_line.h: one line of `strace -f` output, taken apart. After an
 * optional "[pid N] " or "N " prefix and -t/-tt/-ttt/-r timestamps:
 *   name(args) = result             padding before "=" and a -T duration dropped
 *   name(args <unfinished ...>      another thread's line came between
 *   <... name resumed>rest) = result
 *   <... name resumed> <unfinished ...>) = ?   the process exited meanwhile
 *   name(args                       the trace ended mid-line
 *   --- SIGURG {...} ---, +++ exited with 0 +++
 * Fields point into the line; nothing is allocated. */
#ifndef TRACEDIFF_STRACE_LINE_H
#define TRACEDIFF_STRACE_LINE_H

#include <stdbool.h>
#include <stddef.h>

enum sl_kind { SL_BLANK, SL_CALL, SL_UNFINISHED, SL_RESUMED, SL_TRUNCATED, SL_SIGNAL, SL_EXIT, SL_OTHER };

#define SL_NAME_MAX 32

struct strace_line {
	enum sl_kind kind;
	long pid;               /* -1 without a pid prefix */
	char name[SL_NAME_MAX]; /* the syscall, or the signal */
	const char *args;       /* SL_RESUMED: what follows "resumed>" */
	size_t args_len;
	const char *result;     /* after " = ", without the duration; NULL if none */
	size_t result_len;
	bool exited_meanwhile;  /* "<... name resumed> <unfinished ...>" */
};

/* line[0..len), a trailing newline allowed; what it cannot read is SL_OTHER. */
void strace_line_parse(const char *line, size_t len, struct strace_line *out);
const char *sl_kind_name(enum sl_kind kind);

#endif
