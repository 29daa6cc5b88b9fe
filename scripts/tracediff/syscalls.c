/* syscalls.c: the table of syscalls, and the phases' names and colours (see
 * tracediff.h). */
#include "tracediff.h"

#include <string.h>

#define CONN(n, ...) { .name = n, .cls = SC_CONN, __VA_ARGS__ }
#define NOISE(n) { .name = n, .cls = SC_NOISE }
#define READS .phase = PHASE_READ, .does = DOES_READ, .buf_arg = 1
#define WRITES .phase = PHASE_SEND, .does = DOES_WRITE, .buf_arg = 1, .count_arg = 2
#define WAITS .phase = PHASE_WAIT, .does = DOES_WAIT

/* The connection's calls first, in the order `tracediff syscalls` prints
 * them. */
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

/* The phases' names and colours. */
static const struct {
	const char *name;
	struct phase_colour colour;
} PHASES[PHASE_COUNT] = {
	[PHASE_CREATE] = { "create", { "34", "#dbeafe" } },
	[PHASE_CONFIGURE] = { "configure", { "36", "#cffafe" } },
	[PHASE_CONNECT] = { "connect", { "1;34", "#bfdbfe" } },
	[PHASE_ARM_DEADLINE] = { "arm-deadline", { "1;35", "#f5d0fe" } },
	[PHASE_DISARM] = { "disarm", { "35", "#fae8ff" } },
	[PHASE_REGISTER] = { "register", { "32", "#dcfce7" } },
	[PHASE_WAIT_WRITABLE] = { "wait-writable", { "1;32", "#bbf7d0" } },
	[PHASE_CHECK_ERROR] = { "check-error", { "33", "#fef9c3" } },
	[PHASE_SEND] = { "send", { "1;36", "#a5f3fc" } },
	[PHASE_READ] = { "read", { "1;33", "#fde68a" } },
	[PHASE_WAIT_READABLE] = { "wait-readable", { "1;32", "#86efac" } },
	[PHASE_DEADLINE] = { "deadline", { "1;31", "#fecaca" } },
	[PHASE_WAKE] = { "wake", { "90", "#e5e7eb" } },
	[PHASE_POLL] = { "poll", { "37", "#f3f4f6" } },
	[PHASE_WAIT] = { "wait", { "32", "#d1fae5" } },
	[PHASE_DEREGISTER] = { "deregister", { "31", "#fee2e2" } },
	[PHASE_CLOSE] = { "close", { "1;31", "#fca5a5" } },
	[PHASE_REPEAT] = { "repeat", { "1;37", "#e0e7ff" } },
	[PHASE_OTHER] = { "-", { "2", "#ffffff" } },
};

/* A phase only a saved story has gets one of these, by a hash of its name. */
static const struct phase_colour FOREIGN_COLOURS[] = {
	{ "34", "#e0f2fe" }, { "35", "#fce7f3" }, { "36", "#ccfbf1" }, { "33", "#fef3c7" },
};

/* Phase PHASE_COUNT + i is named foreign.v[i]. */
static struct strvec foreign;

const char *phase_name(enum phase p)
{
	return p < PHASE_COUNT ? PHASES[p].name : foreign.v[p - PHASE_COUNT];
}

enum phase phase_parse(const char *name)
{
	size_t i;

	for (i = 0; i < PHASE_COUNT; i++)
		if (strcmp(PHASES[i].name, name) == 0)
			return (enum phase)i;
	for (i = 0; i < foreign.n && strcmp(foreign.v[i], name) != 0; i++)
		;
	if (i == foreign.n)
		sv_push(&foreign, xstrdup(name));
	return (enum phase)(PHASE_COUNT + i);
}

const struct phase_colour *phase_colour(enum phase p)
{
	unsigned h = 0;

	if (p < PHASE_COUNT)
		return &PHASES[p].colour;
	for (const char *s = phase_name(p); *s; s++)
		h = h * 31 + (unsigned char)*s;
	return &FOREIGN_COLOURS[h % (sizeof(FOREIGN_COLOURS) / sizeof(FOREIGN_COLOURS[0]))];
}
