/* trace.h: a whole strace file as the list of its calls, in the order they
 * finished. An <unfinished ...> call and its <... resumed> half become one
 * call, placed where it resumed (other threads' lines may come between).
 * Calls that never returned (the trace ended, or the process died, while
 * they were in the kernel) have no result: those whose thread never resumed
 * them come last, in the order they started. Signal and exit lines, and
 * lines that are no call at all, are only counted. */
#ifndef TRACEDIFF_TRACE_H
#define TRACEDIFF_TRACE_H

#include <stdbool.h>
#include <stddef.h>

struct call {
	long pid;       /* -1 when the trace has no pid prefixes */
	char *name;
	char *args;     /* the whole argument text, as strace wrote it */
	char *result;   /* what followed " = ", or NULL: never returned */
	size_t line;    /* 1-based line where the call started */
	size_t end_line; /* where it finished (its resumed half), or line */
	bool partial;   /* args stop where strace stopped (never resumed) */
};

struct trace {
	struct call *calls;
	size_t n, cap;
	size_t lines, signal_lines, exit_lines;
};

/* Parses text[0..len) (any bytes) into t, which must be zeroed. */
void trace_parse(const char *text, size_t len, struct trace *t);
void trace_free(struct trace *t);

#endif
