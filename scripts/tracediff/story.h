/* story.h: a connection's story, one line per call that matters.
 *
 * story_from_trace() keeps the connection's calls (syscalls.h), names fds
 * by role (fds.h), applies placeholders (rewrite.h) and gives each line a
 * phase:
 *   create         socket, epoll_create1, timerfd_create, the poller's pipe
 *   configure      setsockopt, getsockopt (but SO_ERROR), getpeername,
 *                  getsockname, fcntl
 *   connect        connect
 *   arm-deadline   timerfd_settime with a time (disarm: without one)
 *   register       epoll_ctl ADD and MOD
 *   wait-writable  a wait that returned SOCK writable (no readable event)
 *   check-error    getsockopt SO_ERROR
 *   send           writes to SOCK
 *   read           reads from SOCK, EAGAIN included
 *   wait-readable  a wait that returned SOCK readable (or hung up)
 *   deadline       a wait that returned TIMER, or returned 0 after a
 *                  positive timeout; reads from TIMER
 *   wake           the poller's wake-up pipe: the write, the wait that
 *                  returned it, the read that empties it
 *   poll           a wait with timeout 0 that found nothing
 *   wait           any other wait
 *   deregister     epoll_ctl DEL
 *   close          close and shutdown of a role fd
 *   -              any syscall outside the lists: passes through
 * A wait that failed (EINTR) or never returned is labelled by what it
 * waited for: the interest its epoll set (or poll set) had in SOCK.
 * collapse.h then adds "repeat" marker lines.
 *
 * Order: lines come in the order the calls finished (an unfinished call
 * where it resumed), never-resumed calls last. Two exceptions, both for a
 * runtime's wake-up pipe and both following causality, never a thread's
 * own order: the write that woke the poller comes before the wait that
 * returned the wake event when it started before that wait returned; the
 * read that empties the pipe comes right after that wait (Go's netpoll does
 * both in one call), ahead of other threads' lines strace printed between.
 *
 * Left out on a runtime poller (an epoll set holding a WAKE fd: the Go
 * scheduler's netpoll, not the connection's code), and counted in a note
 * line: empty non-blocking polls (timeout 0, nothing ready); a timed-out
 * wait right after the same timed-out wait (the runtime rounds its timeout
 * down to whole milliseconds, wakes early and sleeps the rest: one line is
 * kept); waits that never returned while no socket was in the set (a
 * poller idle when the process exited). */
#ifndef TRACEDIFF_STORY_H
#define TRACEDIFF_STORY_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"
#include "util.h"

#define PHASE_WIDTH 14 /* the phase column; one space follows it */
#define STORY_NO_TID (-1L) /* a line with no thread: see story_line.tid */

struct story_line {
	char *phase;
	char *text;
	unsigned long count; /* how many identical calls this line stands for */
	unsigned block;      /* a "repeat" marker: the next block lines repeat count times */
	/* The thread that made the call (for a merged <unfinished ...> call,
	 * the thread of both halves), so that `normalize --calls` can say who
	 * closed the socket; STORY_NO_TID when strace printed no pid prefix,
	 * and for lines read back from a saved story. A collapsed line keeps
	 * the tid of the first call it stands for. */
	long tid;
};

struct story {
	char *name;
	struct story_line *lines;
	size_t n, cap;
	/* Left out of the lines, on a runtime poller (an epoll set holding a
	 * WAKE fd: the scheduler's netpoll, not the connection's code):
	 * empty non-blocking polls (timeout 0, nothing ready), */
	unsigned long hidden_polls;
	/* timed-out waits right after the same timed-out wait (one is kept), */
	unsigned long hidden_rewaits;
	/* waits with no socket in the set that never returned (idle at exit) */
	unsigned long hidden_idle;
	/* calls of the wake-up pipe: another thread waking the poller, which
	 * happens or not depending on where the scheduler's threads are */
	unsigned long hidden_wakes;
	struct strvec notes; /* comment lines of a saved story, without "# " */
};

struct story_opts {
	bool show_runtime_polls; /* keep what would be left out on a runtime poller */
};

/* The phases, in story order, for legends; NULL-terminated. */
extern const char *const STORY_PHASES[];

void story_from_trace(const struct trace *t, const char *name, const struct story_opts *opts,
		      struct story *out);
/* Appends a line (tid STORY_NO_TID) and returns it, for the caller that
 * knows its thread. */
struct story_line *story_add(struct story *s, const char *phase, const char *text, unsigned long count,
			     unsigned block);
void story_free(struct story *s);

#endif
