/* test_tracediff_table.c: the syscall table (syscalls.c) and the phases
 * (phases.c): one story per kind of row (a call that creates an fd, one
 * with a timeout, a buffer call, a noise call, a call the table does not
 * know, socketpair's kept-only-with-a-role), phase names both ways, and
 * the strace -e trace= list `tracediff syscalls` prints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"
#include "tracediff_fixture.h"

/* What the table says of one call of each kind. */
static void rows(void **state)
{
	static const struct {
		const char *name;
		enum sc_class cls;
		enum sc_fds fds;
		enum fd_kind creates;
		enum sc_does does;
		unsigned buf, count, timeout;
	} want[] = {
		{ "timerfd_create", SC_CONN, FDS_RESULT, FD_TIMER, DOES_NOTHING, 0, 0, 0 },
		{ "pipe2", SC_CONN, FDS_PAIR, FD_WAKE, DOES_NOTHING, 0, 0, 0 },
		{ "socketpair", SC_IF_ROLE, FDS_PAIR, FD_WAKE, DOES_NOTHING, 0, 0, 0 },
		{ "epoll_wait", SC_CONN, FDS_ARG0, FD_NONE, DOES_WAIT, 0, 0, 3 },
		{ "poll", SC_CONN, FDS_POLL_SET, FD_NONE, DOES_WAIT, 0, 0, 2 },
		{ "read", SC_CONN, FDS_ARG0, FD_NONE, DOES_READ, 1, 0, 0 },
		{ "sendto", SC_CONN, FDS_ARG0, FD_NONE, DOES_WRITE, 1, 2, 0 },
		{ "futex", SC_NOISE, FDS_ARG0, FD_NONE, DOES_NOTHING, 0, 0, 0 },
		{ "clock_nanosleep", SC_NOISE, FDS_ARG0, FD_NONE, DOES_NOTHING, 0, 0, 0 },
		{ "frobnicate", SC_OTHER, FDS_ARG0, FD_NONE, DOES_NOTHING, 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct syscall *sc = syscall_row(want[i].name);

		assert_int_equal(sc->cls, want[i].cls);
		assert_int_equal(sc->fds, want[i].fds);
		assert_int_equal(sc->creates, want[i].creates);
		assert_int_equal(sc->does, want[i].does);
		assert_int_equal(sc->buf_arg, want[i].buf);
		assert_int_equal(sc->count_arg, want[i].count);
		assert_int_equal(sc->timeout_arg, want[i].timeout);
	}
	assert_true(syscall_row("epoll_pwait2")->timeout_timespec);
	assert_false(syscall_row("epoll_wait")->timeout_timespec);
	assert_int_equal(syscall_row("frobnicate")->phase, PHASE_OTHER);
}

static void creates_an_fd(void **state)
{
	(void)state;
	/* the created fd is named in the result and in every later call, and a
	 * number used again after its close is another fd */
	EXPECT_STORY("timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) = 5\n"
		     "timerfd_settime(5, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, "
		     "tv_nsec=200000000}}, NULL) = 0\n"
		     "close(5) = 0\n"
		     "timerfd_settime(5, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}, NULL) = 0\n"
		     "timerfd_create(CLOCK_MONOTONIC, 0) = 5\n"
		     "timerfd_create(CLOCK_MONOTONIC, 0) = -1 EMFILE (Too many open files)\n",
		     false,
		     "create         timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) = TIMER\n"
		     "arm-deadline   timerfd_settime(TIMER, 0, {it_interval=0, it_value=TIME}, NULL) = 0\n"
		     "close          close(TIMER) = 0\n"
		     "create         timerfd_create(CLOCK_MONOTONIC, 0) = TIMER2\n");
}

static void timeout_argument(void **state)
{
	static const char head[] = "socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3\n"
				   "epoll_create1(0) = 4\n"
				   "epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0\n";
	char trace[1024];

	(void)state;
	/* a positive timeout is T; 0 (a poll) and -1 (forever) stay; what the
	 * wait returned names its phase, nothing at all after a timeout */
	snprintf(trace, sizeof(trace), "%s%s", head,
		 "epoll_wait(4, [], 1, 250) = 0\n"
		 "epoll_wait(4, [], 1, 0) = 0\n"
		 "epoll_pwait2(4, [], 1, {tv_sec=0, tv_nsec=5000000}, NULL, 8) = 0\n"
		 "epoll_pwait2(4, [], 1, {tv_sec=0, tv_nsec=0}, NULL, 8) = 0\n"
		 "epoll_wait(4, [{events=EPOLLIN, data={u32=3, u64=3}}], 1, -1) = 1\n");
	EXPECT_STORY(trace, false,
		     "create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		     "create         epoll_create1(0) = EPFD\n"
		     "register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLIN, data=SOCK}) = 0\n"
		     "deadline       epoll_wait(EPFD, [], 1, T) = 0\n"
		     "poll           epoll_wait(EPFD, [], 1, 0) = 0\n"
		     "deadline       epoll_pwait2(EPFD, [], 1, T, NULL, IGNORED) = 0\n"
		     "poll           epoll_pwait2(EPFD, [], 1, {tv_sec=0, tv_nsec=0}, NULL, IGNORED) = 0\n"
		     "wait-readable  epoll_wait(EPFD, [{events=EPOLLIN, data=SOCK}], 1, -1) = 1\n");
}

static void buffer_calls(void **state)
{
	(void)state;
	/* a request line and a status line are kept, other data is not; sizes
	 * are N, a short write's result M */
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3\n"
		     "sendto(3, \"GET /x HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n\", 31, MSG_NOSIGNAL, NULL, 0) = 31\n"
		     "write(3, \"abcdef\", 6) = 4\n"
		     "recvfrom(3, \"HTTP/1.1 404 Not Found\\r\\n\\r\\n\", 512, 0, NULL, NULL) = 26\n"
		     "read(3, \"rest of the body\", 512) = 16\n"
		     "read(3, \"\", 512) = 0\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = SOCK\n"
		     "send           sendto(SOCK, \"GET /x HTTP/1.1\\r\\n\"..., N, MSG_NOSIGNAL, NULL, 0) = N\n"
		     "send           write(SOCK, \"...\", N) = M\n"
		     "read           recvfrom(SOCK, \"HTTP/1.1 404 Not Found\\r\\n\"..., 512, 0, NULL, NULL) = N\n"
		     "read           read(SOCK, BUF, 512) = N\n"
		     "read           read(SOCK, BUF, 512) = 0\n");
}

static void noise_always_dropped(void **state)
{
	(void)state;
	/* even on the connection's socket */
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
		     "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) = 0x7f0000000000\n"
		     "futex(0xc000080148, FUTEX_WAKE_PRIVATE, 1) = 1\n"
		     "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000000}, NULL) = 0\n"
		     "close(3) = 0\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
		     "close          close(SOCK) = 0\n");
}

static void unknown_calls_pass_through(void **state)
{
	(void)state;
	/* with phase "-", the first argument read as an fd, placeholders in;
	 * a connection call on an fd without a role is dropped instead */
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
		     "ioctl(3, FIONREAD, [5]) = 0\n"
		     "frobnicate(7, 0x7ffd12345678) = 0\n"
		     "write(1, \"ok\\n\", 3) = 3\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
		     "-              ioctl(SOCK, FIONREAD, [5]) = 0\n"
		     "-              frobnicate(7, PTR) = 0\n");
}

static void socketpair_kept_only_with_a_role(void **state)
{
	(void)state;
	/* a pair in a poll set is the poller's wake-up pair; another passes
	 * through, its numbers unnamed */
	EXPECT_STORY("socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0\n"
		     "socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0\n"
		     "poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)\n",
		     false,
		     "create         socketpair(AF_UNIX, SOCK_STREAM, 0, [WAKE_R, WAKE_W]) = 0\n"
		     "-              socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0\n"
		     "poll           poll([{fd=WAKE_R, events=POLLIN}], 1, 0) = 0 (Timeout)\n");
}

static void phase_names(void **state)
{
	enum phase mine, again;

	(void)state;
	for (int p = 0; p < PHASE_COUNT; p++)
		assert_int_equal(phase_parse(phase_name((enum phase)p)), p);
	assert_string_equal(phase_name(PHASE_WAIT_READABLE), "wait-readable");
	assert_string_equal(phase_name(PHASE_OTHER), "-");
	/* a saved story's own phase: a number of its own, the same each time */
	mine = phase_parse("my-phase");
	again = phase_parse("my-phase");
	assert_true(mine >= PHASE_COUNT);
	assert_int_equal(mine, again);
	assert_true(phase_parse("other-phase") != mine);
	assert_string_equal(phase_name(mine), "my-phase");
	assert_non_null(phase_colour(mine)->ansi);
	assert_string_equal(phase_colour(PHASE_CREATE)->html, "#dbeafe");
}

/* What the labs traced before the table printed it: all of it, in order. */
static const char *const LAB_CALLS[] = {
	"socket",	  "connect",	 "getsockopt", "setsockopt",	 "getpeername",	    "getsockname",
	"fcntl",	  "read",	 "write",      "recvfrom",	 "sendto",	    "epoll_create1",
	"epoll_ctl",	  "epoll_wait",	 "epoll_pwait", "epoll_pwait2",	 "timerfd_create", "timerfd_settime",
	"pipe2",	  "eventfd2",	 "shutdown",   "close",
};

static void trace_list(void **state)
{
	struct sbuf out = { 0 };
	const char *at;

	(void)state;
	syscalls_trace_list(&out);
	assert_string_equal(sb_str(&out), "socket,connect,getsockopt,setsockopt,getpeername,getsockname,fcntl,read,"
					  "write,recvfrom,sendto,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,"
					  "epoll_pwait2,poll,timerfd_create,timerfd_settime,pipe2,eventfd2,"
					  "socketpair,shutdown,close");
	at = sb_str(&out);
	for (size_t i = 0; i < sizeof(LAB_CALLS) / sizeof(LAB_CALLS[0]); i++) {
		size_t n = strlen(LAB_CALLS[i]);

		while ((at = strstr(at, LAB_CALLS[i])) && ((at > sb_str(&out) && at[-1] != ',') || (at[n] && at[n] != ',')))
			at++;
		if (!at)
			fail_msg("%s is not in the list, or out of order", LAB_CALLS[i]);
		assert_true(sc_is_connection(syscall_row(LAB_CALLS[i])));
	}
	sb_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows),
		cmocka_unit_test(creates_an_fd),
		cmocka_unit_test(timeout_argument),
		cmocka_unit_test(buffer_calls),
		cmocka_unit_test(noise_always_dropped),
		cmocka_unit_test(unknown_calls_pass_through),
		cmocka_unit_test(socketpair_kept_only_with_a_role),
		cmocka_unit_test(phase_names),
		cmocka_unit_test(trace_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
