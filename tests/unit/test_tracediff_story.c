/* test_tracediff_story.c: `tracediff normalize` on the captured fixtures
 * (tests/fixtures/traces, see its README): the key story lines, exactly,
 * in order; roles, phases and placeholders; runtime noise gone. */
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

/* The story of a fixture, titled with its name, as normalize prints it. */
static char *story_of(const char *fixture, bool counts)
{
	struct sbuf out = { 0 };
	size_t len;
	char *text = read_fixture(fixture, &len);

	normalize_text(text, len, fixture, counts, false, &out);
	free(text);
	return sb_take(&out);
}

/* Each of want (NULL-terminated) is a whole line of story, in this order. */
static void expect_in_order(const char *story, const char *const *want)
{
	const char *at = story;

	for (size_t i = 0; want[i]; i++) {
		size_t n = strlen(want[i]);
		const char *p = at;

		for (;;) {
			p = strstr(p, want[i]);
			if (!p)
				fail_msg("missing, or out of order: \"%s\"\nin story:\n%s", want[i], story);
			if ((p == story || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
				break;
			p++;
		}
		at = p + n;
	}
}

/* needle is nowhere in the story's lines (the title names the file). */
static void expect_absent(const char *story, const char *needle)
{
	const char *body = strchr(story, '\n');

	if (body && strstr(body, needle))
		fail_msg("\"%s\" should not be in the story:\n%s", needle, story);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void c_deadline_stall(void **state)
{
	/* the whole story, byte for byte */
	static const char want[] =
		"# ctxlab story: c-deadline-stall.trace (tracediff normalize)\n"
		"create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		"connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)\n"
		"create         epoll_create1(0) = EPFD\n"
		"create         timerfd_create(CLOCK_MONOTONIC, 0) = TIMER\n"
		"arm-deadline   timerfd_settime(TIMER, TFD_TIMER_ABSTIME, {it_interval=0, it_value=TIME}, NULL) = 0\n"
		"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, TIMER, {events=EPOLLIN, data=TIMER}) = 0\n"
		"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLOUT, data=SOCK}) = 0\n"
		"wait-writable  epoll_wait(EPFD, [{events=EPOLLOUT, data=SOCK}], 1, -1) = 1\n"
		"check-error    getsockopt(SOCK, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
		"send           write(SOCK, \"GET /stall HTTP/1.1\\r\\n\"..., N) = N\n"
		"register       epoll_ctl(EPFD, EPOLL_CTL_MOD, SOCK, {events=EPOLLIN, data=SOCK}) = 0\n"
		"read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)\n"
		"deadline       epoll_wait(EPFD, [{events=EPOLLIN, data=TIMER}], 1, -1) = 1\n"
		"deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, NULL) = 0\n"
		"close          close(SOCK) = 0\n"
		"close          close(TIMER) = 0\n"
		"close          close(EPFD) = 0\n";
	char *story = story_of("c-deadline-stall.trace", false);

	(void)state;
	assert_string_equal(story, want);
	free(story);
}

static void c_blocking_ok(void **state)
{
	static const char *const want[] = {
		"# ctxlab story: c-blocking-ok.trace (tracediff normalize)",
		"create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK",
		"connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
		"send           write(SOCK, \"GET /ok HTTP/1.1\\r\\n\"..., N) = N",
		"read           read(SOCK, \"HTTP/1.1 200 OK\\r\\n\"..., 128) = N",
		"close          close(SOCK) = 0",
		NULL,
	};
	char *story = story_of("c-blocking-ok.trace", false);

	(void)state;
	expect_in_order(story, want);
	/* the loader's calls and the result line on fd 2 are gone */
	expect_absent(story, "mmap");
	expect_absent(story, "openat");
	expect_absent(story, "write(2");
	expect_absent(story, "exit_group");
	assert_int_equal(count_lines(story), 6);
	free(story);
}

static void c_blocking_killed(void **state)
{
	static const char *const want[] = {
		"send           write(SOCK, \"GET /stall HTTP/1.1\\r\\n\"..., N) = N",
		"read           read(SOCK, BUF, 128) = ? (never returned)",
		NULL,
	};
	char *story = story_of("c-blocking-stall-killed.trace", false);

	(void)state;
	expect_in_order(story, want);
	expect_absent(story, "SIGTERM");
	free(story);
}

static void c_nonblock_stall(void **state)
{
	static const char *const want[] = {
		"create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK",
		"connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)",
		"send           write(SOCK, \"GET /stall HTTP/1.1\\r\\n\"..., N) = N",
		"read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)  xN",
		"close          close(SOCK) = 0",
		NULL,
	};
	char *story = story_of("c-nonblock-stall.trace", false);

	(void)state;
	expect_in_order(story, want);
	expect_absent(story, "clock_nanosleep");
	expect_absent(story, "clock_gettime");
	free(story);
}

static void c_epoll_ok(void **state)
{
	static const char *const want[] = {
		"create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK",
		"create         epoll_create1(0) = EPFD",
		"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLOUT, data=SOCK}) = 0",
		"wait-writable  epoll_wait(EPFD, [{events=EPOLLOUT, data=SOCK}], 1, -1) = 1",
		"check-error    getsockopt(SOCK, SOL_SOCKET, SO_ERROR, [0], [4]) = 0",
		"send           write(SOCK, \"GET /ok HTTP/1.1\\r\\n\"..., N) = N",
		"register       epoll_ctl(EPFD, EPOLL_CTL_MOD, SOCK, {events=EPOLLIN, data=SOCK}) = 0",
		"read           read(SOCK, \"HTTP/1.1 200 OK\\r\\n\"..., 128) = N",
		"deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, NULL) = 0",
		"close          close(SOCK) = 0",
		"close          close(EPFD) = 0",
		NULL,
	};
	char *story = story_of("c-epoll-ok.trace", false);

	(void)state;
	expect_in_order(story, want);
	free(story);
}

static void c_epoll_trickle(void **state)
{
	static const char *const want[] = {
		"wait-readable  epoll_wait(EPFD, [{events=EPOLLIN, data=SOCK}], 1, -1) = 1",
		"read           read(SOCK, \"HTTP/1.1 200 OK\\r\\n\"..., 128) = N",
		"repeat         [the next 3 lines repeat]  xN",
		"read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)",
		"wait-readable  epoll_wait(EPFD, [{events=EPOLLIN, data=SOCK}], 1, -1) = 1",
		"read           read(SOCK, BUF, 128) = N",
		"deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, NULL) = 0",
		NULL,
	};
	char *story = story_of("c-epoll-trickle.trace", false);

	(void)state;
	expect_in_order(story, want);
	free(story);
	/* --counts: three one-byte reads, each after an EAGAIN and a wait */
	story = story_of("c-epoll-trickle.trace", true);
	expect_in_order(story, (const char *const[]){ "repeat         [the next 3 lines repeat]  x3", NULL });
	free(story);
}

static void c_epoll_killed_and_truncated(void **state)
{
	char *story = story_of("c-epoll-stall-killed.trace", false);

	(void)state;
	/* killed while waiting: EINTR, labelled by what it waited for */
	expect_in_order(story, (const char *const[]){
				       "wait-readable  epoll_wait(EPFD, PTR, 1, -1) = -1 EINTR (Interrupted system call)",
				       NULL,
			       });
	free(story);
	/* the same trace cut off in the middle of its last line */
	story = story_of("edge-truncated.trace", false);
	expect_in_order(story, (const char *const[]){
				       "register       epoll_ctl(EPFD, EPOLL_CTL_MOD, SOCK, {events=EPOLLIN, data=SOCK}) = 0",
				       "wait-readable  epoll_wait(EPFD, ...) = ? (never returned)",
				       NULL,
			       });
	free(story);
}

/* The key lines of Go's /stall story, whatever the strace options. */
static const char *const GO_STALL[] = {
	"create         epoll_create1(EPOLL_CLOEXEC) = EPFD",
	"create         pipe2([WAKE_R, WAKE_W], O_NONBLOCK|O_CLOEXEC) = 0",
	"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, WAKE_R, {events=EPOLLIN, data=WAKE_R}) = 0",
	"create         socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = SOCK",
	"connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr(\"127.0.0.1\")}, 16) "
	"= -1 EINPROGRESS (Operation now in progress)",
	"register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data=SOCK}) = 0",
	"wait-writable  epoll_pwait(EPFD, [{events=EPOLLOUT, data=SOCK}], 128, T, NULL, IGNORED) = 1",
	"check-error    getsockopt(SOCK, SOL_SOCKET, SO_ERROR, [0], [4]) = 0",
	"configure      setsockopt(SOCK, SOL_TCP, TCP_NODELAY, [1], 4) = 0",
	"deadline       epoll_pwait(EPFD, [], 128, T, NULL, IGNORED) = 0",
	"deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, PTR) = 0",
	"close          close(SOCK) = 0",
	"# runtime poller, not shown: N empty polls (timeout 0), N repeated timeouts, N waits idle at exit, "
	"N wake-pipe calls",
	NULL,
};

static void go_common(const char *fixture)
{
	char *story = story_of(fixture, false);

	expect_in_order(story, GO_STALL);
	/* the reader's EAGAIN and the request's write race (two goroutines):
	 * whichever came first, the story shows the read first and says so */
	expect_in_order(story, (const char *const[]){
				       "read           read(SOCK, BUF, 4096) = -1 EAGAIN (Resource temporarily "
				       "unavailable)  (races the send: two goroutines)\n"
				       "send           write(SOCK, \"GET /stall HTTP/1.1\\r\\n\"..., N) = N",
				       NULL,
			       });
	/* the runtime's wake-ups are counted in the note, not shown */
	expect_absent(story, "\nwake ");
	/* no thread ids, signals, runtime noise, raw fds or pointers */
	expect_absent(story, "SIGURG");
	expect_absent(story, "futex");
	expect_absent(story, "resumed");
	expect_absent(story, "unfinished");
	expect_absent(story, "0x");
	expect_absent(story, "pid");
	expect_absent(story, "(3,");
	expect_absent(story, "(6,");
	expect_absent(story, "u64=");
	free(story);
}

static void go_stall(void **state)
{
	(void)state;
	go_common("go-stall.trace");
}

static void go_stall_pid_prefix(void **state)
{
	(void)state;
	go_common("go-stall-pid.trace");
}

static void go_stall_with_signals(void **state)
{
	(void)state;
	go_common("go-stall-signals.trace");
}

static void go_stall_decorated(void **state)
{
	char *story = story_of("go-stall-ttTy.trace", false);

	(void)state;
	go_common("go-stall-ttTy.trace");
	expect_absent(story, "anon_inode");
	expect_absent(story, "socket:[");
	expect_absent(story, "<0.");
	expect_absent(story, ":27:");
	free(story);
}

static void same_story_whatever_the_options(void **state)
{
	/* -f -o, [pid N], -tt -T -y: the story (title aside) is the same */
	char *a = story_of("go-stall.trace", false), *b = story_of("go-stall-pid.trace", false);
	char *c = story_of("go-stall-ttTy.trace", false);

	(void)state;
	assert_string_equal(strchr(a, '\n'), strchr(b, '\n'));
	assert_string_equal(strchr(a, '\n'), strchr(c, '\n'));
	free(a);
	free(b);
	free(c);
}

static void go_hello_cancel(void **state)
{
	static const char *const want[] = {
		"send           write(SOCK, \"GET /hello HTTP/1.1\\r\\n\"..., N) = N",
		"wait-readable  epoll_pwait(EPFD, [{events=EPOLLIN|EPOLLOUT, data=SOCK}], 128, T, NULL, IGNORED) = 1",
		"read           read(SOCK, \"HTTP/1.1 200 OK\\r\\n\"..., 4096) = N",
		"read           read(SOCK, BUF, 4096) = N  xN",
		"deregister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, PTR) = 0",
		"close          close(SOCK) = 0",
		NULL,
	};
	char *story = story_of("go-hello-cancel.trace", false);

	(void)state;
	expect_in_order(story, want);
	free(story);
}

static void curl_poll(void **state)
{
	static const char *const want[] = {
		"create         socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = USOCK",
		"create         socketpair(AF_UNIX, SOCK_STREAM, 0, [WAKE_R, WAKE_W]) = 0",
		"create         socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = SOCK",
		"configure      setsockopt(SOCK, SOL_TCP, TCP_NODELAY, [1], 4) = 0",
		"configure      fcntl(SOCK, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
		"connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)",
		"wait-writable  poll([{fd=SOCK, events=POLLOUT}, {fd=WAKE_R, events=POLLIN}], 2, T) = 1 "
		"([{fd=SOCK, revents=POLLOUT}])",
		"check-error    getsockopt(SOCK, SOL_SOCKET, SO_ERROR, [0], [4]) = 0",
		"send           sendto(SOCK, \"GET /ok HTTP/1.1\\r\\n\"..., N, MSG_NOSIGNAL, NULL, 0) = N",
		"read           recvfrom(SOCK, \"HTTP/1.1 200 OK\\r\\n\"..., 102400, 0, NULL, NULL) = N",
		"close          close(SOCK) = 0",
		NULL,
	};
	char *story = story_of("curl-ok.trace", false);

	(void)state;
	expect_in_order(story, want);
	/* other syscalls pass through, unlabelled */
	expect_in_order(story, (const char *const[]){ "-              geteuid() = 0", NULL });
	free(story);
}

static void huge_line(void **state)
{
	char *story = story_of("edge-huge-line.trace", false);

	(void)state;
	expect_in_order(story, (const char *const[]){
				       "send           write(SOCK, \"...\", N) = N",
				       "send           write(SOCK, \"GET /stall HTTP/1.1\\r\\n\"..., N) = N",
				       "close          close(SOCK) = 0",
				       NULL,
			       });
	free(story);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(c_deadline_stall),
		cmocka_unit_test(c_blocking_ok),
		cmocka_unit_test(c_blocking_killed),
		cmocka_unit_test(c_nonblock_stall),
		cmocka_unit_test(c_epoll_ok),
		cmocka_unit_test(c_epoll_trickle),
		cmocka_unit_test(c_epoll_killed_and_truncated),
		cmocka_unit_test(go_stall),
		cmocka_unit_test(go_stall_pid_prefix),
		cmocka_unit_test(go_stall_with_signals),
		cmocka_unit_test(go_stall_decorated),
		cmocka_unit_test(same_story_whatever_the_options),
		cmocka_unit_test(go_hello_cancel),
		cmocka_unit_test(curl_poll),
		cmocka_unit_test(huge_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
