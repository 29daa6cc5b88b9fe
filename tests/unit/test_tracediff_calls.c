/* test_tracediff_calls.c: `tracediff normalize --calls` (normalize_calls()
 * in normalize.c): every call of the story on its own line, with the thread
 * that made it; a call strace split into <unfinished ...> and <... resumed>
 * keeps its thread; the same calls, in the same order, as the story. */
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

static char *calls_of_text(const char *trace, bool show_all)
{
	struct sbuf out = { 0 };

	assert_true(normalize_calls(trace, strlen(trace), show_all, &out));
	return sb_take(&out);
}

static char *calls_of_fixture(const char *name, bool show_all)
{
	size_t len;
	char *text = read_fixture(name, &len);
	struct sbuf out = { 0 };

	assert_true(normalize_calls(text, len, show_all, &out));
	free(text);
	return sb_take(&out);
}

/* The lines of out whose phase (second field) is phase. */
static size_t count_phase(const char *out, const char *phase, const char *containing)
{
	size_t n = 0, pl = strlen(phase);

	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n'), *sp = strchr(line, ' ');

		assert_non_null(nl);
		if (sp && sp < nl && strncmp(sp + 1, phase, pl) == 0 && sp[1 + pl] == ' ' &&
		    (!containing || (strstr(sp, containing) && strstr(sp, containing) < nl)))
			n++;
		line = nl + 1;
	}
	return n;
}

/* Three threads; the one that closes the socket is not the one that opened
 * it, and strace split its close around another thread's lines. */
static const char SPLIT_CLOSE[] =
	"31510 epoll_create1(EPOLL_CLOEXEC)    = 3\n"
	"31510 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 6\n"
	"31510 connect(6, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 "
	"EINPROGRESS (Operation now in progress)\n"
	"31510 epoll_ctl(3, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data={u32=6, u64=6}}) = 0\n"
	"31512 epoll_pwait(3,  <unfinished ...>\n"
	"31514 close(6 <unfinished ...>\n"
	"31512 <... epoll_pwait resumed>[{events=EPOLLHUP, data={u32=6, u64=6}}], 128, -1, NULL, 0) = 1\n"
	"31510 futex(0xc000080148, FUTEX_WAKE_PRIVATE, 1) = 1\n"
	"31514 <... close resumed>)            = 0\n"
	"31510 write(2, \"result: error\\n\", 14) = 14\n";

static void split_close_keeps_its_thread(void **state)
{
	static const char want[] =
		"31510 create         epoll_create1(EPOLL_CLOEXEC) = EPFD\n"
		"31510 create         socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = SOCK\n"
		"31510 connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)\n"
		"31510 register       epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, "
		"{events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data=SOCK}) = 0\n"
		"31512 wait-readable  epoll_pwait(EPFD, [{events=EPOLLHUP, data=SOCK}], 128, -1, NULL, IGNORED) = 1\n"
		"31514 close          close(SOCK) = 0\n";
	char *out;

	(void)state;
	out = calls_of_text(SPLIT_CLOSE, false);
	assert_string_equal(out, want);
	free(out);
	{
		/* the trace ends inside the close: still that thread's */
		char *cut = strndup(SPLIT_CLOSE, (size_t)(strstr(SPLIT_CLOSE, "31512 <...") - SPLIT_CLOSE));

		out = calls_of_text(cut, false);
		assert_non_null(strstr(out, "\n31514 close          close(SOCK) = ? (never returned)\n"));
		free(out);
		free(cut);
	}
	{
		/* the story line itself carries it, for any other caller */
		struct trace t = { 0 };
		struct story s;

		trace_parse(SPLIT_CLOSE, strlen(SPLIT_CLOSE), &t);
		story_from_trace(&t, "split", false, &s);
		trace_free(&t);
		assert_string_equal(phase_name(s.lines[s.n - 1].phase), "close");
		assert_int_equal(s.lines[s.n - 1].tid, 31514);
		story_free(&s);
	}
}

/* The same split close in a captured trace: go-client, 200 ms deadline,
 * no syscall filter, SIGURG and futex lines all around. */
static void split_close_captured(void **state)
{
	char *out;

	(void)state;
	out = calls_of_fixture("go-stall-signals.trace", false);
	assert_non_null(strstr(out, "\n4407 close          close(SOCK) = 0\n"));
	assert_int_equal(count_phase(out, "close", NULL), 1);
	free(out);
}

/* No pid prefixes: the thread is "-". */
static void no_prefix_no_thread(void **state)
{
	static const char trace[] = "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
				    "connect(3, {sa_family=AF_INET, sin_port=htons(40000), "
				    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n"
				    "read(3, 0x7ffc0000, 128) = -1 EAGAIN (Resource temporarily unavailable)\n"
				    "read(3, 0x7ffc0000, 128) = -1 EAGAIN (Resource temporarily unavailable)\n"
				    "close(3)                                = 0\n";
	static const char want[] = "- create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
				   "- connect        connect(SOCK, {sa_family=AF_INET, sin_port=htons(PORT), "
				   "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n"
				   "- read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)\n"
				   "- read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)\n"
				   "- close          close(SOCK) = 0\n";
	char *out;

	(void)state;
	out = calls_of_text(trace, false);
	assert_string_equal(out, want);
	free(out);
}

static void saved_story_refused(void **state)
{
	static const char saved[] = "# ctxlab story: x.trace (tracediff normalize)\n"
				    "read           read(SOCK, BUF, 128) = -1 EAGAIN  xN\n";
	struct sbuf out = { 0 };

	(void)state;
	assert_false(normalize_calls(saved, strlen(saved), false, &out));
	assert_int_equal(out.len, 0);
	sb_free(&out);
}

/* c-epoll on /trickle?ms=30&n=5: the status line, then five one-byte
 * chunks, each after an EAGAIN and a wait. */
static void trickle_counts(void **state)
{
	char *out;

	(void)state;
	out = calls_of_fixture("c-epoll-trickle-n5.trace", false);
	assert_int_equal(count_phase(out, "wait-readable", NULL), 6);
	assert_int_equal(count_phase(out, "read", NULL), 11);
	assert_int_equal(count_phase(out, "read", "= -1 EAGAIN"), 5);
	assert_int_equal(count_phase(out, "read", "read(SOCK, "), 11);
	/* single-threaded C: one thread id on every line */
	for (const char *line = out; *line; line = strchr(line, '\n') + 1)
		assert_true(strncmp(line, "11940 ", 6) == 0);
	free(out);
}

/* "TID PHASE CALL" lines read back as a story: phase and call only. */
static void calls_as_story(const char *calls, struct story *s)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("x");
	for (const char *line = calls; *line;) {
		const char *nl = strchr(line, '\n'), *sp = strchr(line, ' ');
		char *phase, *text;

		assert_non_null(nl);
		assert_non_null(sp);
		/* the tid: digits, or "-" */
		assert_true(sp > line);
		assert_true(strspn(line, "0123456789") == (size_t)(sp - line) || (sp == line + 1 && *line == '-'));
		/* the phase, padded to 14, then one space */
		assert_true(nl - sp > PHASE_WIDTH + 2);
		assert_int_equal(sp[1 + PHASE_WIDTH], ' ');
		phase = strndup(sp + 1, strcspn(sp + 1, " "));
		text = strndup(sp + 2 + PHASE_WIDTH, (size_t)(nl - (sp + 2 + PHASE_WIDTH)));
		story_add(s, phase_parse(phase), text, 1, 0);
		free(phase);
		free(text);
		line = nl + 1;
	}
}

/* On every fixture, with and without --all: collapsing the --calls lines
 * gives the story's lines back, so both keep and drop the same calls, in
 * the same order, with the same placeholders; and a "read" line is a read
 * of the connection's socket (never the loader's read of libc, on an fd 3
 * that later becomes the socket). */
static void same_calls_as_the_story(void **state)
{
	size_t nfixtures;
	const char *const *fixtures = trace_fixtures(&nfixtures);

	(void)state;
	for (size_t i = 0; i < nfixtures; i++) {
		for (int all = 0; all < 2; all++) {
			size_t len;
			char *text = read_fixture(fixtures[i], &len), *calls = calls_of_fixture(fixtures[i], all);
			struct sbuf story = { 0 }, again = { 0 };
			struct story s;
			const char *body;

			normalize_text(text, len, "x", false, all, &story);
			calls_as_story(calls, &s);
			assert_null(strstr(calls, "  xN"));
			assert_int_equal(count_phase(calls, "repeat", NULL), 0);
			assert_int_equal(count_phase(calls, "read", NULL),
					 count_phase(calls, "read", "read(SOCK") + count_phase(calls, "read", "readv(SOCK") +
						 count_phase(calls, "read", "recvfrom(SOCK") +
						 count_phase(calls, "read", "recvmsg(SOCK"));
			story_collapse(&s);
			story_format(&s, false, &again);
			/* the story without its notes */
			body = sb_str(&story);
			{
				const char *note = strstr(body, "\n# ");
				size_t n = note ? (size_t)(note - body) + 1 : strlen(body);

				if (strlen(sb_str(&again)) != n || strncmp(sb_str(&again), body, n) != 0)
					fail_msg("%s%s: the calls collapse to\n%s\nnot to the story\n%s", fixtures[i],
						 all ? " --all" : "", sb_str(&again), body);
			}
			story_free(&s);
			sb_free(&story);
			sb_free(&again);
			free(calls);
			free(text);
		}
	}
}

/* --all shows the runtime poller's calls, with their threads. */
static void all_shows_the_poller(void **state)
{
	char *plain, *all;

	(void)state;
	plain = calls_of_fixture("go-stall.trace", false);
	all = calls_of_fixture("go-stall.trace", true);
	assert_int_equal(count_phase(plain, "wake", NULL), 0);
	assert_true(count_phase(all, "wake", NULL) > 0);
	assert_true(count_phase(all, "poll", NULL) > 0);
	free(plain);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_close_keeps_its_thread),
		cmocka_unit_test(split_close_captured),
		cmocka_unit_test(no_prefix_no_thread),
		cmocka_unit_test(saved_story_refused),
		cmocka_unit_test(trickle_counts),
		cmocka_unit_test(same_calls_as_the_story),
		cmocka_unit_test(all_shows_the_poller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
