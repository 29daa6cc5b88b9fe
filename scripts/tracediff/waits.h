/* waits.h: the phase of a wait, by what it returned, or, when it failed or
 * never returned, by what it waited for; and what each epoll set watches,
 * learnt from epoll_ctl, which both need. */
#ifndef TRACEDIFF_WAITS_H
#define TRACEDIFF_WAITS_H

#include <stdbool.h>

#include "fds.h"
#include "phases.h"
#include "syscalls.h"
#include "trace.h"
#include "util.h"

/* An epoll data value, and the instance it stands for. */
struct epoll_data {
	char *value;
	long inst;
};

/* What set ep wants to know about target. */
struct epoll_interest {
	long ep, target;
	char *events;
};

struct epoll_sets {
	const struct fds *fds;
	struct epoll_data *data;
	size_t ndata, cap_data;
	struct epoll_interest *in;
	size_t nin, cap_in;
};

/* Remembers an epoll_ctl's interest and data value. */
void epoll_learn_ctl(struct epoll_sets *e, const struct strvec *a);
/* The live instance a data value stands for, or -1. */
long epoll_data_inst(const struct epoll_sets *e, const char *value);
/* Does set ep hold a socket of the connection? */
bool epoll_watches_socket(const struct epoll_sets *e, long ep);
void epoll_sets_free(struct epoll_sets *e);

/* A wait's timeout: -1 forever (or unknown), 0 a poll, 1 a positive one. */
int wait_timeout(const struct syscall *sc, const struct strvec *a);
enum phase wait_phase(const struct epoll_sets *e, const struct syscall *sc, const struct call *c,
		      const struct strvec *a, bool returned);

#endif
