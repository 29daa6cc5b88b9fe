/* syscalls.h: the one table of the syscalls tracediff knows. Whatever the
 * story needs to know about a call because of its name, it asks here; a
 * new syscall is one row of syscalls.c. A call missing from the table is
 * SC_OTHER: it passes through with phase "-", its first argument read as
 * an fd. */
#ifndef TRACEDIFF_SYSCALLS_H
#define TRACEDIFF_SYSCALLS_H

#include <stdbool.h>

#include "phases.h"
#include "util.h"

enum sc_class {
	SC_OTHER,   /* passes through, phase "-" */
	SC_CONN,    /* the connection's: kept when it involves a role fd, else dropped */
	SC_IF_ROLE, /* kept as SC_CONN when it involves a role fd, else SC_OTHER */
	SC_NOISE,   /* the runtime's and the loader's: always dropped */
};

/* Where a call's fds are. */
enum sc_fds {
	FDS_ARG0,        /* the first argument */
	FDS_ARG0_ARG2,   /* the first and the third (epoll_ctl: the set, the target) */
	FDS_POLL_SET,    /* {fd=N, ...} items of the first argument */
	FDS_SELECT_SETS, /* [N M] sets in arguments 1 to 3, and in the result */
	FDS_RESULT,      /* the result, an fd the call creates */
	FDS_PAIR,        /* the [A, B] in argument pair_arg, two fds the call creates */
};

/* The roles an fd can have (fds.h). */
enum fd_kind { FD_NONE, FD_SOCK, FD_USOCK, FD_NLSOCK, FD_EPFD, FD_TIMER, FD_WAKE };

/* Which rule turns the row's phase into the line's. */
enum sc_does {
	DOES_NOTHING,    /* the phase is the row's */
	DOES_READ,       /* from WAKE: wake; from TIMER: deadline */
	DOES_WRITE,      /* to WAKE: wake */
	DOES_WAIT,       /* by what it returned or waited for (waits.h) */
	DOES_EPOLL_CTL,  /* EPOLL_CTL_DEL: deregister */
	DOES_GETSOCKOPT, /* SO_ERROR: check-error */
	DOES_TIMER_SET,  /* it_value 0: disarm */
	DOES_CLOSE,      /* the fd in the first argument ends */
};

struct syscall {
	const char *name;
	enum sc_class cls;
	enum sc_fds fds;
	unsigned char pair_arg;  /* FDS_PAIR: the argument holding the pair */
	enum fd_kind creates;    /* FD_NONE, or what the fds it creates become */
	enum phase phase;
	enum sc_does does;
	/* Argument positions, 0 for none: argument 0 is never one of these. */
	unsigned char buf_arg;     /* the data read or written */
	unsigned char count_arg;   /* how many bytes a write was asked to write */
	unsigned char timeout_arg; /* a wait's timeout */
	bool timeout_timespec;     /* ... a struct timespec, else milliseconds */
	bool sigmask;              /* ends in a sigmask and its size */
	bool break_fd; /* Go makes its netpoll break fd with it, right after epoll_create1 */
};

/* The row of name; a row of class SC_OTHER when the table has none. */
const struct syscall *syscall_row(const char *name);
bool sc_is_connection(const struct syscall *sc);
bool sc_is_epoll_wait(const struct syscall *sc);
/* The names of the calls a story can keep, "socket,connect,...": the
 * list for strace -e trace=. */
void syscalls_trace_list(struct sbuf *out);

#endif
