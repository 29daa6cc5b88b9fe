/* strace_line.h: one line of `strace -f` output, taken apart.
 *
 * Shapes understood (any of them after an optional "[pid N] " or "N "
 * prefix and -t/-tt/-ttt/-r timestamps):
 *   name(args) = result             a whole call; padding before " = " and a
 *                                   -T duration " <0.000123>" are dropped
 *   name(args <unfinished ...>      a call another thread's line interrupted
 *   <... name resumed>rest) = result
 *   <... name resumed> <unfinished ...>) = ?   the process exited meanwhile
 *   name(args                       cut off (the trace ended mid-line)
 *   --- SIGURG {...} ---            a signal
 *   +++ exited with 0 +++           an exit or a kill
 * Anything else (strace's own messages, garbage) is SL_OTHER.
 * The parsed fields point into the line; nothing is allocated. */
#ifndef TRACEDIFF_STRACE_LINE_H
#define TRACEDIFF_STRACE_LINE_H

#include <stdbool.h>
#include <stddef.h>

enum sl_kind {
	SL_BLANK,      /* empty or only spaces */
	SL_CALL,       /* a whole call, with its result */
	SL_UNFINISHED, /* name(args <unfinished ...> */
	SL_RESUMED,    /* <... name resumed>rest) = result */
	SL_TRUNCATED,  /* name(args with the end of the line missing */
	SL_SIGNAL,     /* --- SIGNAME ... --- */
	SL_EXIT,       /* +++ exited with N +++, +++ killed by SIG +++ */
	SL_OTHER,      /* not a line strace writes for a call */
};

#define SL_NAME_MAX 32

struct strace_line {
	enum sl_kind kind;
	long pid;                /* -1 without a pid prefix */
	char name[SL_NAME_MAX];  /* the syscall, or the signal for SL_SIGNAL */
	const char *args;        /* CALL/UNFINISHED/TRUNCATED: the arguments;
				  * RESUMED: the arguments' remainder */
	size_t args_len;
	const char *result;      /* CALL/RESUMED: what follows " = ", without
				  * the -T duration; NULL when there is none */
	size_t result_len;
	bool exited_meanwhile;   /* RESUMED: "<... name resumed> <unfinished ...>" */
};

/* Parses line[0..len) (a trailing newline is allowed). Never fails: what it
 * cannot read is SL_OTHER. */
void strace_line_parse(const char *line, size_t len, struct strace_line *out);

const char *sl_kind_name(enum sl_kind kind);

#endif
