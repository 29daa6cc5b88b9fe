/* fds.h: which file descriptor plays which role, call by call.
 *
 * Each fd a tracked call creates is an "instance" that lives from that call
 * to the close() of its number (fd numbers get reused, instances do not).
 * Instances get role names in the order they were created:
 *   socket()                       SOCK, SOCK2, ... (AF_UNIX: USOCK, ...;
 *                                  AF_NETLINK: NLSOCK, ...)
 *   epoll_create1, epoll_create    EPFD, EPFD2, ...
 *   timerfd_create                 TIMER, TIMER2, ...
 *   pipe2, pipe, socketpair        WAKE_R/WAKE_W (then WAKE2_R/...), only when
 *   eventfd2, eventfd              WAKE, WAKE2, ... one end is later put in an
 *                                  epoll set or a poll() set, or the call comes
 *                                  right after epoll_create1 in the same thread
 *                                  (Go's netpoll break pipe); else no role
 * fds_scan() does that over a whole trace; then fds_at() before each call,
 * in order, makes fds_role() answer for that call. */
#ifndef TRACEDIFF_FDS_H
#define TRACEDIFF_FDS_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"
#include "util.h"

enum fd_kind { FD_NONE, FD_SOCK, FD_USOCK, FD_NLSOCK, FD_EPFD, FD_TIMER, FD_WAKE };

#define FD_NAME_MAX 24

struct fd_instance {
	long fd;
	enum fd_kind kind;       /* FD_NONE: no role */
	char name[FD_NAME_MAX];  /* "" when no role */
	size_t start, end;       /* live for calls start <= i < end */
	long pair;               /* the other end of a pipe, or -1 */
	bool registered;         /* put in an epoll or poll set */
	bool after_epoll;        /* created right after epoll_create1 */
	bool runtime_poller;     /* EPFD: a WAKE fd is in its set */
};

struct fds {
	struct fd_instance *inst;
	size_t n, cap;
	/* fds_at() state */
	struct lmap active;      /* fd -> instance */
	size_t next_start;       /* instances are in start order */
	size_t *by_end;          /* instance indices sorted by end */
	size_t next_end;
	size_t at;
};

void fds_scan(struct fds *f, const struct trace *t);
/* Moves to call i (calls must be visited in increasing order). */
void fds_at(struct fds *f, size_t i);
/* The instance fd has during the current call, or -1. */
long fds_instance(const struct fds *f, long fd);
/* Its role name, or NULL when fd has none. */
const char *fds_role(const struct fds *f, long fd);
void fds_free(struct fds *f);

/* Parsing helpers shared with the story: "3" or "3<socket:[1]>" (the whole
 * text) gives 3. */
bool parse_fd_arg(const char *s, long *fd);
/* A leading decimal integer, optionally negative ("-1 EAGAIN" gives -1). */
bool parse_long_prefix(const char *s, long *v);
/* The fds listed in an array like "[4, 5]" (-y decorations allowed). */
size_t parse_fd_array(const char *s, long *out, size_t max);
/* Calls f(fd) for each "{fd=N" in s (poll sets). */
void for_each_poll_fd(const char *s, void (*f)(void *env, long fd), void *env);

#endif
