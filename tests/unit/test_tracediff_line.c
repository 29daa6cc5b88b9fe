/* test_tracediff_line.c: one strace line taken apart (trace.c) and
 * strace's argument syntax (args.c), on every line shape tracediff meets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"

static const char *sl_kind_name(enum sl_kind kind)
{
	static const char *const NAMES[] = { "blank", "call", "unfinished", "resumed",
					     "truncated", "signal", "exit", "other" };

	return kind <= SL_OTHER ? NAMES[kind] : "other";
}

/* Parses a heap copy of text (so ASan sees any read past its end). */
static struct strace_line parse(const char *text, char **keep)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);
	struct strace_line sl;

	assert_non_null(copy);
	memcpy(copy, text, n);
	strace_line_parse(copy, n, &sl);
	*keep = copy;
	return sl;
}

static void assert_span(const char *p, size_t n, const char *want)
{
	if (!p) {
		assert_null(want);
		return;
	}
	assert_non_null(want);
	if (n != strlen(want) || memcmp(p, want, n) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)n, p, want);
}

#define CHECK(text, kind_, pid_, name_, args_, result_)                                                  \
	do {                                                                                              \
		char *keep;                                                                               \
		struct strace_line sl = parse(text, &keep);                                               \
		if (sl.kind != (kind_))                                                                   \
			fail_msg("%s: kind %s, want %s", text, sl_kind_name(sl.kind), sl_kind_name(kind_)); \
		assert_int_equal(sl.pid, (pid_));                                                         \
		assert_string_equal(sl.name, (name_));                                                    \
		assert_span(sl.args, sl.args_len, (args_));                                               \
		assert_span(sl.result, sl.result_len, (result_));                                         \
		free(keep);                                                                               \
	} while (0)

static void plain_call(void **state)
{
	(void)state;
	CHECK("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3", SL_CALL, -1, "socket", "AF_INET, SOCK_STREAM, IPPROTO_IP",
	      "3");
	/* strace pads the result into a column */
	CHECK("close(3)                          = 0\n", SL_CALL, -1, "close", "3", "0");
	CHECK("read(3, 0x5619239d7180, 128)      = -1 EAGAIN (Resource temporarily unavailable)", SL_CALL, -1, "read",
	      "3, 0x5619239d7180, 128", "-1 EAGAIN (Resource temporarily unavailable)");
	CHECK("geteuid()                         = 0", SL_CALL, -1, "geteuid", "", "0");
	CHECK("exit_group(0)                     = ?", SL_CALL, -1, "exit_group", "0", "?");
}

static void pid_prefixes(void **state)
{
	(void)state;
	/* strace -f -o FILE */
	CHECK("25912 connect(3, {sa_family=AF_INET, sin_port=htons(38311)}, 16) = -1 EINPROGRESS (Operation now in "
	      "progress)",
	      SL_CALL, 25912, "connect", "3, {sa_family=AF_INET, sin_port=htons(38311)}, 16",
	      "-1 EINPROGRESS (Operation now in progress)");
	CHECK("4461  read(3, \"x\", 1) = 1", SL_CALL, 4461, "read", "3, \"x\", 1", "1");
	/* strace -f to stderr */
	CHECK("[pid  4416] fcntl(0, F_GETFL)           = 0x8000 (flags O_RDONLY|O_LARGEFILE)", SL_CALL, 4416, "fcntl",
	      "0, F_GETFL", "0x8000 (flags O_RDONLY|O_LARGEFILE)");
	CHECK("[pid 7] close(3) = 0", SL_CALL, 7, "close", "3", "0");
}

static void timestamps_and_durations(void **state)
{
	(void)state;
	CHECK("00:27:39 close(3) = 0", SL_CALL, -1, "close", "3", "0");
	CHECK("27926 00:27:39.110928 read(6<socket:[485293]>, 0xc00013c000, 4096) = -1 EAGAIN (Resource temporarily "
	      "unavailable) <0.000070>",
	      SL_CALL, 27926, "read", "6<socket:[485293]>, 0xc00013c000, 4096",
	      "-1 EAGAIN (Resource temporarily unavailable)");
	CHECK("1700000000.123456 close(3) = 0 <0.000010>", SL_CALL, -1, "close", "3", "0");
	CHECK("[pid 12] 1700000000.123456 close(3) = 0", SL_CALL, 12, "close", "3", "0");
	/* -r relative timestamps, right-aligned */
	CHECK("     0.000123 close(3) = 0", SL_CALL, -1, "close", "3", "0");
	/* a -y decoration on the result is no duration */
	CHECK("27926 00:27:39.109457 <... socket resumed>) = 6<socket:[485293]> <0.000046>", SL_RESUMED, 27926, "socket",
	      "", "6<socket:[485293]>");
	CHECK("1 exit_group(1) = ? <unavailable>", SL_CALL, 1, "exit_group", "1", "?");
}

static void decorations(void **state)
{
	(void)state;
	CHECK("connect(3<TCP:[127.0.0.1:5000->127.0.0.1:8080]>, {sa_family=AF_INET}, 16) = 0", SL_CALL, -1, "connect",
	      "3<TCP:[127.0.0.1:5000->127.0.0.1:8080]>, {sa_family=AF_INET}, 16", "0");
	CHECK("timerfd_settime(5<anon_inode:[timerfd]>, 0, {it_value={tv_sec=1, tv_nsec=0}}, NULL) = 0", SL_CALL, -1,
	      "timerfd_settime", "5<anon_inode:[timerfd]>, 0, {it_value={tv_sec=1, tv_nsec=0}}, NULL", "0");
}

static void strings_with_parens(void **state)
{
	(void)state;
	/* ") = " inside a string is not the end of the call */
	CHECK("write(1, \"a) = 5 \\\"q\\\"(\"..., 40) = 40", SL_CALL, -1, "write", "1, \"a) = 5 \\\"q\\\"(\"..., 40",
	      "40");
}

static void unfinished_and_resumed(void **state)
{
	(void)state;
	CHECK("27310 epoll_pwait(3,  <unfinished ...>", SL_UNFINISHED, 27310, "epoll_pwait", "3,", NULL);
	CHECK("27308 write(5, \"\\0\", 1 <unfinished ...>", SL_UNFINISHED, 27308, "write", "5, \"\\0\", 1", NULL);
	CHECK("27310 <... epoll_pwait resumed>[{events=EPOLLOUT, data={u32=1, u64=2}}], 128, 199, NULL, 0) = 1",
	      SL_RESUMED, 27310, "epoll_pwait", "[{events=EPOLLOUT, data={u32=1, u64=2}}], 128, 199, NULL, 0", "1");
	CHECK("27308 <... write resumed>)              = 1", SL_RESUMED, 27308, "write", "", "1");
	{
		char *keep;
		struct strace_line sl = parse("[pid  4416] <... epoll_pwait resumed> <unfinished ...>) = ?", &keep);

		assert_int_equal(sl.kind, SL_RESUMED);
		assert_true(sl.exited_meanwhile);
		assert_int_equal(sl.pid, 4416);
		assert_string_equal(sl.name, "epoll_pwait");
		free(keep);
	}
}

static void cut_off_line(void **state)
{
	(void)state;
	CHECK("4467  epoll_wait(4, ", SL_TRUNCATED, 4467, "epoll_wait", "4, ", NULL);
	CHECK("read(3, \"abc", SL_TRUNCATED, -1, "read", "3, \"abc", NULL);
}

static void signals_exits_other(void **state)
{
	(void)state;
	CHECK("27929 --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=27926, si_uid=0} ---", SL_SIGNAL, 27929,
	      "SIGURG", NULL, NULL);
	CHECK("[pid 5] --- stopped by SIGSTOP ---", SL_SIGNAL, 5, "stopped", NULL, NULL);
	CHECK("27926 +++ exited with 1 +++", SL_EXIT, 27926, "", NULL, NULL);
	CHECK("+++ killed by SIGTERM +++", SL_EXIT, -1, "", NULL, NULL);
	CHECK("strace: Process 1234 attached", SL_OTHER, -1, "", NULL, NULL);
	CHECK("32023 ?\?\?( <unfinished ...>", SL_OTHER, 32023, "", NULL, NULL);
	CHECK("Garbage(1) = 2", SL_OTHER, -1, "", NULL, NULL);
	CHECK("", SL_BLANK, -1, "", NULL, NULL);
	CHECK("   \n", SL_BLANK, -1, "", NULL, NULL);
	CHECK("[pid 12", SL_OTHER, -1, "", NULL, NULL);
}

static void split(const char *text, const char *const *want, size_t nwant)
{
	struct strvec v = { 0 };

	args_split(text, strlen(text), &v);
	if (v.n != nwant)
		fail_msg("%s: %zu arguments, want %zu", text, v.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(v.v[i], want[i]);
	sv_free(&v);
}

static void argument_split(void **state)
{
	static const char *const a[] = { "3", "{sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"1.2.3.4\")}",
					 "16" };
	static const char *const b[] = { "4", "[{events=EPOLLIN, data={u32=5, u64=5}}]", "1", "-1" };
	static const char *const c[] = { "3<TCP:[127.0.0.1:5000->127.0.0.1:8080]>", "\"a, b\"...", "[112 => 16]" };
	static const char *const d[] = { "3", "" };
	static const char *const e[] = { "/* 37 vars, x */", "0" };

	(void)state;
	split("3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"1.2.3.4\")}, 16", a, 3);
	split("4, [{events=EPOLLIN, data={u32=5, u64=5}}], 1, -1", b, 4);
	split("3<TCP:[127.0.0.1:5000->127.0.0.1:8080]>, \"a, b\"..., [112 => 16]", c, 3);
	split("3, ", d, 2);
	split("/* 37 vars, x */, 0", e, 2);
	split("", NULL, 0);
	split("   ", NULL, 0);
}

static void scanners(void **state)
{
	const char *s = "\"ab\\\"c\"...x";
	const char *d = "3<TCP:[1.2.3.4:5->6.7.8.9:10]>, 4";

	(void)state;
	assert_int_equal(scan_string(s, strlen(s), 0), 10);
	assert_int_equal(scan_string("\"abc", 4, 0), 4);
	assert_int_equal(scan_decoration(d, strlen(d), 1), 30);
	assert_int_equal(scan_decoration("x<y>", 4, 1), 1); /* no digit before '<' */
	assert_int_equal(scan_to_close("3, f(1), \")\") = 0", 17, 0), 12);
	assert_int_equal(scan_to_close("3, [", 4, 0), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_call),
		cmocka_unit_test(pid_prefixes),
		cmocka_unit_test(timestamps_and_durations),
		cmocka_unit_test(decorations),
		cmocka_unit_test(strings_with_parens),
		cmocka_unit_test(unfinished_and_resumed),
		cmocka_unit_test(cut_off_line),
		cmocka_unit_test(signals_exits_other),
		cmocka_unit_test(argument_split),
		cmocka_unit_test(scanners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
