/* fds.h: which fd plays which role, call by call (README.md, "Roles").
 * Each fd a call creates (syscalls.h: FDS_RESULT, FDS_PAIR) is an instance
 * until the close() of its number: numbers get reused, instances do not.
 * fds_scan() reads the whole trace first, as a pipe's role depends on what
 * comes later; then fds_at(i), call by call, makes the lookups answer for
 * call i. */
#ifndef TRACEDIFF_FDS_H
#define TRACEDIFF_FDS_H

#include <stdbool.h>
#include <stddef.h>

#include "syscalls.h"
#include "trace.h"
#include "util.h"

#define FD_NAME_MAX 24

struct fd_instance {
	long fd;
	enum fd_kind kind;      /* FD_NONE: no role */
	char name[FD_NAME_MAX]; /* "" when no role */
	long pair;              /* the other end of a pipe, or -1 */
	bool registered;        /* put in an epoll or poll set */
	bool after_epoll;       /* a break fd made right after epoll_create1 */
	bool runtime_poller;    /* an EPFD with a WAKE fd in its set */
};

/* From call at on, fd is instance inst (-1: none). */
struct fd_event {
	size_t at;
	long fd, inst;
};

struct fds {
	struct fd_instance *inst;
	size_t n, cap;
	struct fd_event *ev; /* in call order */
	size_t nev, cap_ev, next_ev;
	struct lmap active; /* fd -> instance, at the current call */
};

void fds_scan(struct fds *f, const struct trace *t);
/* Moves to call i: calls are visited in increasing order. */
void fds_at(struct fds *f, size_t i);
/* fd's instance at this call, or -1. */
long fds_instance(const struct fds *f, long fd);
/* Is instance inst what its number means at this call? */
bool fds_live(const struct fds *f, long inst);
/* fd's role name, or NULL. */
const char *fds_role(const struct fds *f, long fd);
enum fd_kind fds_kind(const struct fds *f, long fd);
/* The same for the fd in argument k of a call. */
const char *fds_arg_role(const struct fds *f, const struct strvec *a, size_t k);
enum fd_kind fds_arg_kind(const struct fds *f, const struct strvec *a, size_t k);
bool fds_any_runtime_poller(const struct fds *f);
bool is_sock_kind(enum fd_kind k);
void fds_free(struct fds *f);

#endif
