/* builder.h: what story.c, shape.c and waits.c share while they turn a
 * trace into a story (see story.h). Not for other files. */
#ifndef TRACEDIFF_BUILDER_H
#define TRACEDIFF_BUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "fds.h"
#include "rewrite.h"
#include "story.h"
#include "syscalls.h"
#include "trace.h"
#include "util.h"

/* An epoll data value and the fd instance it stands for. */
struct data_entry {
	char *value;
	long inst;
};

/* What an epoll set (instance ep) waits for on an fd (instance target). */
struct interest {
	long ep, target;
	char *events;
};

/* The state of one story_from_trace(). */
struct builder {
	const struct trace *t;
	const struct story_opts *opts;
	struct story *out;
	struct fds fds;
	struct lmap last_by_pid; /* pid -> index of its last call */
	struct data_entry *data;
	size_t ndata, cap_data;
	struct interest *in;
	size_t nin, cap_in;
	struct rewrite_env env;
	struct shaped *items; /* the kept lines, before the post-pass */
	size_t nitems, cap_items;
};

enum hidden { SHOWN, HIDDEN_POLL, HIDDEN_IDLE };

/* The result of one call, kept or not. */
struct shaped {
	const char *phase;
	char *text;
	enum hidden hidden;
	long pid;
	size_t start_line, end_line;
	bool wake_write;      /* a write that woke the poller */
	bool wake_wait;       /* a wait that returned the wake fd */
	bool wake_read;       /* a read that emptied the wake fd */
	bool runtime_timeout; /* a runtime poller's wait that timed out */
};

/* ---- helpers (story.c) ---- */

/* Is c the syscall name? */
bool call_is(const struct call *c, const char *name);
const char *cb_fd_role(void *ctx, long fd);
const char *cb_data_role(void *ctx, const char *value);
/* Is instance inst still what its fd number means at this call? */
bool inst_live(const struct builder *b, long inst);
/* The instance an epoll data value stands for, or -1. */
long data_inst(const struct builder *b, const char *value);
enum fd_kind kind_of(const struct builder *b, long fd);
bool is_sock_kind(enum fd_kind k);
/* The role (kind) of the fd in argument k, or NULL (FD_NONE). */
const char *arg_role(const struct builder *b, const struct strvec *a, size_t k);
enum fd_kind arg_kind(const struct builder *b, const struct strvec *a, size_t k);

/* ---- waits (waits.c) ---- */

/* Is flag one of the |-separated flags in events[0..n)? */
bool has_flag(const char *events, size_t n, const char *flag);
/* The length of an events field's value: up to ',' or '}'. */
size_t events_len(const char *s);
/* The wait's timeout: -1 forever (or unknown), 0 a poll, 1 positive. */
int timeout_kind(const struct call *c, const struct strvec *a);
/* Does the epoll set (instance ep) have a socket of the connection in it? */
bool watches_socket(const struct builder *b, long ep);
/* The phase of a wait: by what it returned, or, when it failed or never
 * returned, by what it waited for. */
const char *wait_phase(const struct builder *b, const struct call *c, const struct strvec *a, bool returned);
/* Remembers an epoll_ctl: the set's interest and the data value's fd. */
void learn_epoll_ctl(struct builder *b, const struct strvec *a);

/* ---- one call (shape.c) ---- */

/* Call i as a story line (text NULL when it is not part of the story). */
struct shaped shape(struct builder *b, size_t i);

#endif
