/* test_tracediff_trace.c: strace lines to calls (trace.c): unfinished and
 * resumed halves merged across other threads' lines, calls that never
 * returned kept, signals and exits left out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"

static void parse(const char *text, struct trace *t)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, text, n);
	memset(t, 0, sizeof(*t));
	trace_parse(copy, n, t);
	free(copy);
}

static void check_call(const struct trace *t, size_t i, long pid, const char *name, const char *args,
		       const char *result)
{
	if (i >= t->n)
		fail_msg("call %zu missing: only %zu calls", i, t->n);
	assert_int_equal(t->calls[i].pid, pid);
	assert_string_equal(t->calls[i].name, name);
	assert_string_equal(t->calls[i].args, args);
	if (result)
		assert_string_equal(t->calls[i].result, result);
	else
		assert_null(t->calls[i].result);
}

static void merges_across_threads(void **state)
{
	struct trace t;

	(void)state;
	parse("27310 epoll_pwait(3,  <unfinished ...>\n"
	      "27308 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 6\n"
	      "27308 write(5, \"\\0\", 1 <unfinished ...>\n"
	      "27310 <... epoll_pwait resumed>[{events=EPOLLOUT, data={u32=1, u64=2}}], 128, 199, NULL, 0) = 1\n"
	      "27308 <... write resumed>)              = 1\n"
	      "27311 getsockopt(6, SOL_SOCKET, SO_ERROR,  <unfinished ...>\n"
	      "27309 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1, si_uid=0} ---\n"
	      "27311 <... getsockopt resumed>[0], [4]) = 0\n"
	      "27308 +++ exited with 0 +++\n",
	      &t);
	assert_int_equal(t.n, 4);
	/* in the order they finished */
	check_call(&t, 0, 27308, "socket", "AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP", "6");
	check_call(&t, 1, 27310, "epoll_pwait", "3, [{events=EPOLLOUT, data={u32=1, u64=2}}], 128, 199, NULL, 0", "1");
	assert_int_equal(t.calls[1].line, 1); /* started on line 1 */
	check_call(&t, 2, 27308, "write", "5, \"\\0\", 1", "1");
	check_call(&t, 3, 27311, "getsockopt", "6, SOL_SOCKET, SO_ERROR, [0], [4]", "0");
	assert_int_equal(t.signal_lines, 1);
	assert_int_equal(t.exit_lines, 1);
	trace_free(&t);
}

static void never_returned(void **state)
{
	struct trace t;

	(void)state;
	/* a thread blocked at the end, another cut off mid-line, one killed */
	parse("[pid 10] epoll_pwait(3,  <unfinished ...>\n"
	      "[pid 11] close(6) = 0\n"
	      "[pid 12] read(7, 0x1234567, 128) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
	      "[pid 13] epoll_wait(4, ",
	      &t);
	assert_int_equal(t.n, 4);
	check_call(&t, 0, 11, "close", "6", "0");
	check_call(&t, 1, 12, "read", "7, 0x1234567, 128", "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	check_call(&t, 2, 13, "epoll_wait", "4,", NULL);
	assert_true(t.calls[2].partial);
	check_call(&t, 3, 10, "epoll_pwait", "3,", NULL); /* unresumed: last */
	assert_true(t.calls[3].partial);
	trace_free(&t);
}

static void exited_meanwhile(void **state)
{
	struct trace t;

	(void)state;
	parse("[pid  4416] epoll_pwait(3,  <unfinished ...>\n"
	      "[pid  4418] close(6)                    = 0\n"
	      "[pid  4416] <... epoll_pwait resumed> <unfinished ...>) = ?\n",
	      &t);
	assert_int_equal(t.n, 2);
	check_call(&t, 1, 4416, "epoll_pwait", "3,", NULL);
	assert_true(t.calls[1].partial);
	trace_free(&t);
}

static void odd_pairs(void **state)
{
	struct trace t;

	(void)state;
	/* a resume with no start, a start resumed under another name, and an
	 * unfinished call replaced by the next call of its thread */
	parse("1 <... read resumed>\"x\", 1) = 1\n"
	      "2 write(1, \"a\", 1 <unfinished ...>\n"
	      "2 <... read resumed>) = 3\n"
	      "3 close(5 <unfinished ...>\n"
	      "3 close(6) = 0\n",
	      &t);
	assert_int_equal(t.n, 5);
	check_call(&t, 0, 1, "read", "..., \"x\", 1", "1");
	check_call(&t, 1, 2, "write", "1, \"a\", 1", NULL);
	check_call(&t, 2, 2, "read", "...", "3");
	check_call(&t, 3, 3, "close", "5", NULL);
	check_call(&t, 4, 3, "close", "6", "0");
	trace_free(&t);
}

static void nul_bytes_and_no_newline(void **state)
{
	static const char text[] = "close(3\0) = 0\nread(3, \"a\\0\", 2) = 2";
	struct trace t = { 0 };

	(void)state;
	trace_parse(text, sizeof(text) - 1, &t);
	assert_int_equal(t.lines, 2);
	assert_int_equal(t.n, 2);
	check_call(&t, 0, -1, "close", "3?", "0");
	check_call(&t, 1, -1, "read", "3, \"a\\0\", 2", "2");
	trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merges_across_threads),
		cmocka_unit_test(never_returned),
		cmocka_unit_test(exited_meanwhile),
		cmocka_unit_test(odd_pairs),
		cmocka_unit_test(nul_bytes_and_no_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
