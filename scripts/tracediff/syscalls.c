/* syscalls.c: the table (see syscalls.h). The connection's calls come
 * first, in the order `tracediff syscalls` prints them. */
#include "syscalls.h"

#include <string.h>

#define CONN(n, ...) { .name = n, .cls = SC_CONN, __VA_ARGS__ }
#define NOISE(n) { .name = n, .cls = SC_NOISE }
#define READS .phase = PHASE_READ, .does = DOES_READ, .buf_arg = 1
#define WRITES .phase = PHASE_SEND, .does = DOES_WRITE, .buf_arg = 1, .count_arg = 2
#define WAITS .phase = PHASE_WAIT, .does = DOES_WAIT

static const struct syscall SYSCALLS[] = {
	CONN("socket", .fds = FDS_RESULT, .creates = FD_SOCK, .phase = PHASE_CREATE),
	CONN("connect", .phase = PHASE_CONNECT),
	CONN("getsockopt", .phase = PHASE_CONFIGURE, .does = DOES_GETSOCKOPT),
	CONN("setsockopt", .phase = PHASE_CONFIGURE),
	CONN("getpeername", .phase = PHASE_CONFIGURE),
	CONN("getsockname", .phase = PHASE_CONFIGURE),
	CONN("fcntl", .phase = PHASE_CONFIGURE),
	CONN("read", READS),
	CONN("write", WRITES),
	CONN("recvfrom", READS),
	CONN("sendto", WRITES),
	CONN("epoll_create1", .fds = FDS_RESULT, .creates = FD_EPFD, .phase = PHASE_CREATE),
	CONN("epoll_ctl", .fds = FDS_ARG0_ARG2, .phase = PHASE_REGISTER, .does = DOES_EPOLL_CTL),
	CONN("epoll_wait", WAITS, .timeout_arg = 3),
	CONN("epoll_pwait", WAITS, .timeout_arg = 3, .sigmask = true),
	CONN("epoll_pwait2", WAITS, .timeout_arg = 3, .timeout_timespec = true, .sigmask = true),
	/* curl's */
	CONN("poll", WAITS, .fds = FDS_POLL_SET, .timeout_arg = 2),
	/* edge-garbage.trace's */
	CONN("select", WAITS, .fds = FDS_SELECT_SETS, .timeout_arg = 4, .timeout_timespec = true),
	CONN("timerfd_create", .fds = FDS_RESULT, .creates = FD_TIMER, .phase = PHASE_CREATE),
	CONN("timerfd_settime", .phase = PHASE_ARM_DEADLINE, .does = DOES_TIMER_SET),
	CONN("pipe2", .fds = FDS_PAIR, .creates = FD_WAKE, .phase = PHASE_CREATE, .break_fd = true),
	CONN("eventfd2", .fds = FDS_RESULT, .creates = FD_WAKE, .phase = PHASE_CREATE, .break_fd = true),
	/* curl's wake-up pair; any other socketpair is no business of ours */
	{ .name = "socketpair", .cls = SC_IF_ROLE, .fds = FDS_PAIR, .pair_arg = 3, .creates = FD_WAKE,
	  .phase = PHASE_CREATE },
	CONN("shutdown", .phase = PHASE_CLOSE),
	CONN("close", .phase = PHASE_CLOSE, .does = DOES_CLOSE),
	/* memory, threads, signals */
	NOISE("futex"), NOISE("mmap"), NOISE("munmap"), NOISE("mprotect"), NOISE("brk"), NOISE("madvise"),
	NOISE("clone"), NOISE("clone3"), NOISE("execve"), NOISE("rt_sigaction"), NOISE("rt_sigprocmask"),
	NOISE("rt_sigreturn"), NOISE("sigaltstack"), NOISE("sched_yield"), NOISE("sched_getaffinity"),
	NOISE("gettid"), NOISE("getpid"), NOISE("tgkill"), NOISE("exit_group"), NOISE("exit"),
	/* sleeping: restart_syscall only resumes a sleep */
	NOISE("nanosleep"), NOISE("clock_nanosleep"), NOISE("restart_syscall"),
	/* the loader */
	NOISE("arch_prctl"), NOISE("set_tid_address"), NOISE("set_robust_list"), NOISE("rseq"),
	NOISE("prlimit64"), NOISE("getrandom"), NOISE("openat"), NOISE("open"), NOISE("newfstatat"),
	NOISE("fstat"), NOISE("access"), NOISE("pread64"), NOISE("uname"), NOISE("readlinkat"),
	/* what time it is, how much CPU was used: different on every run
	 * (c-nonblock reads its CPU time, curl asks sysinfo) */
	NOISE("clock_gettime"), NOISE("clock_getres"), NOISE("gettimeofday"), NOISE("time"), NOISE("times"),
	NOISE("getrusage"), NOISE("sysinfo"),
};

static const struct syscall UNKNOWN = { .cls = SC_OTHER, .fds = FDS_ARG0, .phase = PHASE_OTHER };

#define NSYSCALLS (sizeof(SYSCALLS) / sizeof(SYSCALLS[0]))

const struct syscall *syscall_row(const char *name)
{
	for (size_t i = 0; i < NSYSCALLS; i++)
		if (strcmp(SYSCALLS[i].name, name) == 0)
			return &SYSCALLS[i];
	return &UNKNOWN;
}

bool sc_is_connection(const struct syscall *sc)
{
	return sc->cls == SC_CONN || sc->cls == SC_IF_ROLE;
}

bool sc_is_epoll_wait(const struct syscall *sc)
{
	return sc->does == DOES_WAIT && sc->fds == FDS_ARG0;
}

void syscalls_trace_list(struct sbuf *out)
{
	const char *sep = "";

	for (size_t i = 0; i < NSYSCALLS; i++) {
		if (sc_is_connection(&SYSCALLS[i])) {
			sb_printf(out, "%s%s", sep, SYSCALLS[i].name);
			sep = ",";
		}
	}
}
