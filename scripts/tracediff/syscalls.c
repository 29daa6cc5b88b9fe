/* syscalls.c: the tables behind syscalls.h. */
#include "syscalls.h"

#include <stddef.h>
#include <string.h>

static bool in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static const char *const CONN[] = {
	"socket", "connect", "getsockopt", "setsockopt", "getpeername", "getsockname", "fcntl",
	"read", "readv", "recvfrom", "recvmsg", "write", "writev", "sendto", "sendmsg",
	"epoll_create1", "epoll_create", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	"poll", "ppoll", "select", "pselect6", "timerfd_create", "timerfd_settime",
	"pipe2", "pipe", "eventfd2", "eventfd", "shutdown", "close", NULL,
};

/* Additions to the brief's list: restart_syscall only resumes a sleep, exit
 * ends a thread, and the clock and resource queries return what time it is
 * or how much CPU was used, which differs on every run and says nothing
 * about the connection (c-nonblock reads its CPU time for the result line,
 * curl asks sysinfo). */
static const char *const NOISE[] = {
	"futex", "mmap", "munmap", "mprotect", "brk", "madvise", "clone", "clone3", "execve",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "nanosleep",
	"clock_nanosleep", "sched_yield", "sched_getaffinity", "gettid", "getpid", "tgkill",
	"arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom",
	"openat", "open", "newfstatat", "fstat", "access", "pread64", "uname", "readlinkat",
	"exit_group", "exit", "restart_syscall", "clock_gettime", "clock_getres", "gettimeofday",
	"time", "times", "getrusage", "sysinfo", NULL,
};

enum sc_class syscall_class(const char *name)
{
	if (in(name, CONN))
		return SC_CONN;
	if (in(name, NOISE))
		return SC_NOISE;
	return SC_OTHER;
}

bool sc_is_read(const char *name)
{
	static const char *const l[] = { "read", "readv", "recvfrom", "recvmsg", NULL };

	return in(name, l);
}

bool sc_is_write(const char *name)
{
	static const char *const l[] = { "write", "writev", "sendto", "sendmsg", NULL };

	return in(name, l);
}

bool sc_is_epoll_wait(const char *name)
{
	static const char *const l[] = { "epoll_wait", "epoll_pwait", "epoll_pwait2", NULL };

	return in(name, l);
}

bool sc_is_wait(const char *name)
{
	static const char *const l[] = { "poll", "ppoll", "select", "pselect6", NULL };

	return sc_is_epoll_wait(name) || in(name, l);
}
