/* call_line.h: one call as a story line: kept or dropped (syscalls.h), its
 * phase, its text with roles and placeholders (README.md, "The story"). */
#ifndef TRACEDIFF_CALL_LINE_H
#define TRACEDIFF_CALL_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "fds.h"
#include "phases.h"
#include "rewrite.h"
#include "trace.h"
#include "util.h"
#include "waits.h"

/* What call_line() knows of the trace around the call. */
struct call_context {
	const struct trace *t;
	bool show_runtime_polls;
	struct fds fds; /* at the call (fds_at) */
	struct epoll_sets epoll;
	struct lmap last_by_pid; /* pid -> index of its last call */
	struct rewrite_env env;
};

/* Why a runtime poller's call was left out. */
enum hidden { SHOWN, HIDDEN_POLL, HIDDEN_IDLE };

struct call_line {
	char *text; /* NULL: not part of the story */
	enum phase phase;
	bool shown; /* false once the story leaves it out */
	enum hidden hidden;
	long pid;
	size_t start_line, end_line;
	/* the runtime's wake-up pipe and timeouts, for story.c to order or merge */
	bool wake_write, wake_wait, wake_read, runtime_timeout;
};

void call_context_init(struct call_context *cx, const struct trace *t, bool show_runtime_polls);
void call_context_free(struct call_context *cx);
/* Call i: fds_at(&cx->fds, i) first. */
struct call_line call_line(struct call_context *cx, size_t i);

#endif
