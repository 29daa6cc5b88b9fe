/*
 * closesnoop_output.h: closesnoop's three ways to show a close(): text
 * blocks (the default), --json lines, and --folded stacks counted until
 * the end. Include <linux/types.h>, closesnoop.h and lib/symbolize.h first.
 */
#ifndef CTXLAB_CLOSESNOOP_OUTPUT_H
#define CTXLAB_CLOSESNOOP_OUTPUT_H

enum output_format { OUTPUT_TEXT, OUTPUT_FOLDED, OUTPUT_JSON };

/* One close(), its frames named (innermost first), as every format sees it. */
struct close_shown {
	const struct close_event *event;
	__u64 since_ns;             /* since tracing started */
	const struct frame *frames;
	int nframes;
};

/* The text format's column header: before the first event. */
void output_header(enum output_format format);

/* Shows C (text, JSON) or counts its stack (folded). */
void output_close(enum output_format format, const struct close_shown *c);

/* --folded: one line per distinct stack with its count, sorted. */
void output_end(enum output_format format);

/* Frees what --folded counted. */
void output_free(void);

#endif
