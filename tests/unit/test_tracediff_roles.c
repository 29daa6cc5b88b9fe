/* test_tracediff_roles.c: fd roles (fds.c), placeholders (rewrite.c) and
 * phases (call_line.c), on small made-up traces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"
#include "tracediff_fixture.h"

static const char *role_of(void *ctx, long fd)
{
	(void)ctx;
	return fd == 3 ? "SOCK" : NULL;
}

static const char *data_of(void *ctx, const char *value)
{
	(void)ctx;
	return strcmp(value, "140555374014232") == 0 ? "SOCK" : NULL;
}

static void rewrite(const char *in, bool elide, const char *want)
{
	struct rewrite_env env = { role_of, data_of, NULL };
	char *got = rewrite_value(&env, in, elide);

	assert_string_equal(got, want);
	free(got);
}

static void values(void **state)
{
	(void)state;
	rewrite("0x5619239d7180", false, "PTR");
	rewrite("0xc000088afc", false, "PTR");
	rewrite("0x8000 (flags O_RDONLY|O_LARGEFILE)", false, "0x8000 (flags O_RDONLY|O_LARGEFILE)");
	rewrite("{sa_family=AF_INET, sin_port=htons(38311), sin_addr=inet_addr(\"127.0.0.1\")}", false,
		"{sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr(\"127.0.0.1\")}");
	rewrite("{events=EPOLLOUT, data={u32=2569252632, u64=140555374014232}}", false, "{events=EPOLLOUT, data=SOCK}");
	rewrite("[{events=EPOLLIN, data={u32=7, u64=7}}]", false, "[{events=EPOLLIN, data=PTR}]");
	rewrite("[{fd=3, events=POLLIN}, {fd=4, events=POLLIN}]", false, "[{fd=SOCK, events=POLLIN}, {fd=4, events=POLLIN}]");
	/* -y: a role drops its decoration; other fds keep theirs, normalized */
	rewrite("3<TCP:[127.0.0.1:5000->127.0.0.1:8080]>", false, "SOCK");
	rewrite("4<TCP:[127.0.0.1:5000->127.0.0.1:8080]>", false, "4<TCP:[127.0.0.1:PORT->127.0.0.1:PORT]>");
	rewrite("4<TCPv6:[[::1]:5000->[::1]:8080]>", false, "4<TCPv6:[[::1]:PORT->[::1]:PORT]>");
	rewrite("5<socket:[485293]>", false, "5<socket:[INODE]>");
	rewrite("1</dev/pts/0>", false, "1</dev/pts/0>");
	/* strings: kept, or elided, or cut to the HTTP line */
	rewrite("\"abc\"", false, "\"abc\"");
	rewrite("\"abc\"...", true, "\"...\"");
	rewrite("\"GET /x HTTP/1.1\\r\\nHost: a\"...", true, "\"GET /x HTTP/1.1\\r\\n\"...");
	rewrite("[{iov_base=\"HTTP/1.1 200 OK\\r\\nA\", iov_len=5}]", true,
		"[{iov_base=\"HTTP/1.1 200 OK\\r\\n\"..., iov_len=5}]");
}

/* http_first_line() of a whole literal */
static char *first_line(const char *s)
{
	return http_first_line(s, strlen(s));
}

static void http_lines(void **state)
{
	char *s;

	(void)state;
	s = first_line("\"GET /trickle?ms=20&n=3 HTTP/1.1\\r\"...");
	assert_string_equal(s, "\"GET /trickle?ms=20&n=3 HTTP/1.1\\r\"...");
	free(s);
	s = first_line("\"HTTP/1.1 200 OK\\r\\nContent-Type: t\"...");
	assert_string_equal(s, "\"HTTP/1.1 200 OK\\r\\n\"...");
	free(s);
	assert_null(first_line("\"hello\""));
	assert_null(first_line("0x1234"));
	assert_null(first_line("\""));
}

static void timers(void **state)
{
	char *s;

	(void)state;
	s = rewrite_itimerspec("{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1455, tv_nsec=83838574}}");
	assert_string_equal(s, "{it_interval=0, it_value=TIME}");
	free(s);
	s = rewrite_itimerspec("{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}");
	assert_string_equal(s, "{it_interval=0, it_value=0}");
	free(s);
	s = rewrite_itimerspec("NULL");
	assert_string_equal(s, "NULL");
	free(s);
	assert_true(time_is_zero("{tv_sec=0, tv_nsec=0}"));
	assert_false(time_is_zero("{tv_sec=0, tv_nsec=10}"));
	assert_false(time_is_zero("NULL"));
}

static void fd_reuse(void **state)
{
	/* fd 3 is a socket, closed, then a file, then a second socket */
	(void)state;
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
		     "close(3) = 0\n"
		     "openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3\n"
		     "read(3, \"127.0.0.1 localhost\\n\", 4096) = 20\n"
		     "close(3) = 0\n"
		     "socket(AF_INET6, SOCK_STREAM, IPPROTO_IP) = 3\n"
		     "write(3, \"x\", 1) = 1\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
		     "close          close(SOCK) = 0\n"
		     "create         socket(AF_INET6, SOCK_STREAM, IPPROTO_IP) = SOCK2\n"
		     "send           write(SOCK2, \"...\", N) = N\n");
}

static void pipes(void **state)
{
	/* a pipe nobody polls has no role; an eventfd in the epoll set is WAKE */
	(void)state;
	EXPECT_STORY_ALL("pipe2([3, 4], 0) = 0\n"
		     "write(4, \"x\", 1) = 1\n"
		     "epoll_create1(0) = 5\n"
		     "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 6\n"
		     "eventfd2(0, EFD_NONBLOCK) = 7\n"
		     "epoll_ctl(5, EPOLL_CTL_ADD, 7, {events=EPOLLIN, data={u32=7, u64=7}}) = 0\n"
		     "write(7, \"\\1\\0\\0\\0\\0\\0\\0\\0\", 8) = 8\n"
		     "epoll_wait(5, [{events=EPOLLIN, data={u32=7, u64=7}}], 8, -1) = 1\n"
		     "read(7, \"\\1\\0\\0\\0\\0\\0\\0\\0\", 8) = 8\n",
		     "create         epoll_create1(0) = EPFD\n"
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
		     "create         eventfd2(0, EFD_NONBLOCK) = WAKE\n"
		     "register       epoll_ctl(EPFD, EPOLL_CTL_ADD, WAKE, {events=EPOLLIN, data=WAKE}) = 0\n"
		     "wake           write(WAKE, \"...\", N) = N\n"
		     "wake           epoll_wait(EPFD, [{events=EPOLLIN, data=WAKE}], 8, -1) = 1\n"
		     "wake           read(WAKE, BUF, 8) = N\n");
}

static void reads_writes_and_waits(void **state)
{
	(void)state;
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3\n"
		     "write(3, \"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\", 27) = 10\n"
		     "poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)\n"
		     "poll([{fd=3, events=POLLIN}], 1, 250) = 0 (Timeout)\n"
		     "poll([{fd=3, events=POLLIN}], 1, -1) = 1 ([{fd=3, revents=POLLIN|POLLHUP}])\n"
		     "read(3, \"\", 128) = 0\n"
		     "read(3, 0x7ffd0000, 128) = -1 ECONNRESET (Connection reset by peer)\n"
		     "shutdown(3, SHUT_RDWR) = 0\n"
		     "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) = 4\n"
		     "timerfd_settime(4, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}, "
		     "NULL) = 0\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		     "send           write(SOCK, \"GET / HTTP/1.1\\r\\n\"..., N) = M\n"
		     "poll           poll([{fd=SOCK, events=POLLIN}], 1, 0) = 0 (Timeout)\n"
		     "deadline       poll([{fd=SOCK, events=POLLIN}], 1, T) = 0 (Timeout)\n"
		     "wait-readable  poll([{fd=SOCK, events=POLLIN}], 1, -1) = 1 ([{fd=SOCK, revents=POLLIN|POLLHUP}])\n"
		     "read           read(SOCK, BUF, 128) = 0\n"
		     "read           read(SOCK, BUF, 128) = -1 ECONNRESET (Connection reset by peer)\n"
		     "close          shutdown(SOCK, SHUT_RDWR) = 0\n"
		     "create         timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC) = TIMER\n"
		     "disarm         timerfd_settime(TIMER, 0, {it_interval=0, it_value=0}, NULL) = 0\n");
}

/* Go's runtime poller: a WAKE pipe in the set. Its empty polls, the second
 * of two identical timeouts and an idle wait at exit are left out, and
 * counted in the note. */
static const char GO_POLLER[] = "1 epoll_create1(EPOLL_CLOEXEC) = 3\n"
				"1 pipe2([4, 5], O_NONBLOCK|O_CLOEXEC) = 0\n"
				"1 epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u32=900, u64=900}}) = 0\n"
				"2 epoll_pwait(3, [], 128, 0, NULL, 0) = 0\n"
				"1 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 6\n"
				"1 epoll_ctl(3, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLOUT|EPOLLET, "
				"data={u32=1, u64=777777}}) = 0\n"
				"2 epoll_pwait(3, [{events=EPOLLIN, data={u32=900, u64=900}}], 128, 50, NULL, 0) = 1\n"
				"2 read(4,  <unfinished ...>\n"
				"1 getsockopt(6, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
				"2 <... read resumed>\"\\0\", 16) = 1\n"
				"2 epoll_pwait(3, [], 128, 199, NULL, 0) = 0\n"
				"3 epoll_pwait(3, [], 128, 0, NULL, 0) = 0\n"
				"2 epoll_pwait(3, [], 128, 1, NULL, 0) = 0\n"
				"3 epoll_ctl(3, EPOLL_CTL_DEL, 6, 0xc000088afc) = 0\n"
				"3 close(6) = 0\n"
				"2 epoll_pwait(3,  <unfinished ...>\n";

static void runtime_poller(void **state)
{
	(void)state;
	EXPECT_STORY(GO_POLLER, false,
		     "create         epoll_create1(EPOLL_CLOEXEC) = EPFD\n"
		     "create         pipe2([WAKE_R, WAKE_W], O_NONBLOCK|O_CLOEXEC) = 0\n"
		     "register       epoll_ctl(EPFD, EPOLL_CTL_ADD, WAKE_R, {events=EPOLLIN, data=WAKE_R}) = 0\n"
		     "create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		     "register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLIN|EPOLLOUT|EPOLLET, "
		     "data=SOCK}) = 0\n"
		     "check-error    getsockopt(SOCK, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
		     "deadline       epoll_pwait(EPFD, [], 128, T, NULL, IGNORED) = 0\n"
		     "deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, PTR) = 0\n"
		     "close          close(SOCK) = 0\n"
		     "# runtime poller, not shown: N empty polls (timeout 0), N repeated timeouts, N waits idle at "
		     "exit, N wake-pipe calls\n");
	{
		char *s = story(GO_POLLER, true);

		assert_non_null(strstr(s, "# runtime poller, not shown: 2 empty polls (timeout 0), 1 repeated "
					  "timeouts, 1 waits idle at exit, 2 wake-pipe calls\n"));
		free(s);
	}
}

static void runtime_poller_shown_on_request(void **state)
{
	struct trace t = { 0 };
	struct story s;
	size_t polls = 0, deadlines = 0, never = 0;

	(void)state;
	trace_parse(GO_POLLER, strlen(GO_POLLER), &t);
	story_from_trace(&t, "t", true, &s);
	for (size_t i = 0; i < s.n; i++) {
		polls += s.lines[i].phase == PHASE_POLL;
		deadlines += s.lines[i].phase == PHASE_DEADLINE;
		never += strstr(s.lines[i].text, "(never returned)") != NULL;
	}
	assert_int_equal(polls, 2);
	assert_int_equal(deadlines, 2);
	assert_int_equal(never, 1);
	assert_int_equal(s.hidden_polls + s.hidden_rewaits + s.hidden_idle + s.hidden_wakes, 0);
	story_free(&s);
	trace_free(&t);
}

static void wake_write_before_its_wait(void **state)
{
	static const char HEAD[] = "1 epoll_create1(EPOLL_CLOEXEC) = 3\n"
				   "1 pipe2([4, 5], O_NONBLOCK|O_CLOEXEC) = 0\n"
				   "1 epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u32=900, u64=900}}) = 0\n";
	static const char WANT_HEAD[] =
		"create         epoll_create1(EPOLL_CLOEXEC) = EPFD\n"
		"create         pipe2([WAKE_R, WAKE_W], O_NONBLOCK|O_CLOEXEC) = 0\n"
		"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, WAKE_R, {events=EPOLLIN, data=WAKE_R}) = 0\n";
	char trace[1024], want[1024];

	(void)state;
	/* the write started before the wait returned its event: it goes first */
	snprintf(trace, sizeof(trace), "%s%s", HEAD,
		 "1 write(5, \"\\0\", 1 <unfinished ...>\n"
		 "2 epoll_pwait(3, [{events=EPOLLIN, data={u32=900, u64=900}}], 128, 198, NULL, 0) = 1\n"
		 "1 <... write resumed>) = 1\n"
		 "2 read(4, \"\\0\", 16) = 1\n");
	snprintf(want, sizeof(want), "%s%s", WANT_HEAD,
		 "wake           write(WAKE_W, \"...\", N) = N\n"
		 "wake           epoll_pwait(EPFD, [{events=EPOLLIN, data=WAKE_R}], 128, T, NULL, IGNORED) = 1\n"
		 "wake           read(WAKE_R, BUF, 16) = N\n");
	EXPECT_STORY_ALL(trace, want);
	/* a write that started after the wait returned stays after it */
	snprintf(trace, sizeof(trace), "%s%s", HEAD,
		 "2 epoll_pwait(3, [{events=EPOLLIN, data={u32=900, u64=900}}], 128, 198, NULL, 0) = 1\n"
		 "1 write(5, \"\\0\", 1) = 1\n");
	snprintf(want, sizeof(want), "%s%s", WANT_HEAD,
		 "wake           epoll_pwait(EPFD, [{events=EPOLLIN, data=WAKE_R}], 128, T, NULL, IGNORED) = 1\n"
		 "wake           write(WAKE_W, \"...\", N) = N\n");
	EXPECT_STORY_ALL(trace, want);
}

static void waits_by_interest(void **state)
{
	/* C's epoll set, no WAKE: an empty poll is shown; a wait killed while
	 * the set wanted SOCK readable is labelled so */
	(void)state;
	EXPECT_STORY("socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3\n"
		     "epoll_create1(0) = 4\n"
		     "epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0\n"
		     "epoll_wait(4, [], 1, 0) = 0\n"
		     "epoll_pwait(4, [], 1, 0, [INT], 8) = 0\n"
		     "epoll_wait(4, ",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		     "create         epoll_create1(0) = EPFD\n"
		     "register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLIN, data=SOCK}) = 0\n"
		     "poll           epoll_wait(EPFD, [], 1, 0) = 0\n"
		     "poll           epoll_pwait(EPFD, [], 1, 0, [INT], 8) = 0\n"
		     "wait-readable  epoll_wait(EPFD, ...) = ? (never returned)\n");
}

static void other_syscalls_pass_through(void **state)
{
	(void)state;
	EXPECT_STORY("execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0\n"
		     "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f0000000000\n"
		     "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3\n"
		     "ioctl(3, FIONBIO, [1]) = 0\n"
		     "ioctl(1, TCGETS, 0x7ffe8eee2bf0) = -1 ENOTTY (Inappropriate ioctl for device)\n"
		     "write(1, \"ok\\n\", 3) = 3\n"
		     "write(2, \"result\", 6) = 6\n"
		     "fcntl(1, F_GETFL) = 0x8001 (flags O_WRONLY|O_LARGEFILE)\n"
		     "--- SIGURG {si_signo=SIGURG} ---\n"
		     "+++ exited with 0 +++\n",
		     false,
		     "create         socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = SOCK\n"
		     "-              ioctl(SOCK, FIONBIO, [1]) = 0\n"
		     "-              ioctl(1, TCGETS, PTR) = -1 ENOTTY (Inappropriate ioctl for device)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values),
		cmocka_unit_test(http_lines),
		cmocka_unit_test(timers),
		cmocka_unit_test(fd_reuse),
		cmocka_unit_test(pipes),
		cmocka_unit_test(reads_writes_and_waits),
		cmocka_unit_test(runtime_poller),
		cmocka_unit_test(runtime_poller_shown_on_request),
		cmocka_unit_test(wake_write_before_its_wait),
		cmocka_unit_test(waits_by_interest),
		cmocka_unit_test(other_syscalls_pass_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
