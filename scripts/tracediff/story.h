/* story.h: a connection's story, one line per call that matters
 * (README.md, "The story"): story_from_trace() makes one line per call
 * (call_line.h), orders the wake-up pipe's calls causally and leaves out,
 * unless show_runtime_polls, what is the runtime poller's, not the
 * connection's; what it left out is counted. */
#ifndef TRACEDIFF_STORY_H
#define TRACEDIFF_STORY_H

#include <stdbool.h>
#include <stddef.h>

#include "phases.h"
#include "trace.h"
#include "util.h"

#define PHASE_WIDTH 14     /* the phase column; one space follows it */
#define STORY_NO_TID (-1L) /* see story_line.tid */

struct story_line {
	enum phase phase;
	char *text;
	unsigned long count; /* how many identical calls this line stands for */
	unsigned block;      /* a "repeat" marker: the next block lines repeat count times */
	/* The thread that made the call (of both halves of a merged call), for
	 * `normalize --calls`: STORY_NO_TID without pid prefixes, and for a saved
	 * story's lines. A collapsed line keeps its first call's. */
	long tid;
};

struct story {
	char *name;
	struct story_line *lines;
	size_t n, cap;
	/* left out: empty polls, repeated timeouts, idle waits, wake-pipe calls */
	unsigned long hidden_polls, hidden_rewaits, hidden_idle, hidden_wakes;
	struct strvec notes; /* comment lines of a saved story, without "# " */
};

struct story_opts {
	bool show_runtime_polls;
};

void story_from_trace(const struct trace *t, const char *name, const struct story_opts *opts,
		      struct story *out);
/* Appends a line, tid STORY_NO_TID. */
struct story_line *story_add(struct story *s, enum phase phase, const char *text, unsigned long count,
			     unsigned block);
void story_free(struct story *s);

#endif
