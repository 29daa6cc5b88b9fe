/* test_client.c: the shared command line, Go's error texts and the result
 * line. client_parse_args exits on errors, so those run in a child. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/client.h"

#include "escaped.h"

#define WHY_BLOCKING "test-blocking calls wait for the socket alone, so no deadline here"
#define WHY_EPOLL "test-epoll waits forever, stage 4 adds a deadline"

static const struct client_stage blocking_stage = {
	.name = "c-blocking",
	.features = 0,
	.why_no_deadline = WHY_BLOCKING,
};

static const struct client_stage epoll_stage = {
	.name = "c-epoll",
	.features = 0,
	.why_no_deadline = WHY_EPOLL,
};

static const struct client_stage nonblock_stage = {
	.name = "c-nonblock",
	.features = FEATURE_DEADLINE | FEATURE_SPIN,
};

static const struct client_stage deadline_stage = {
	.name = "c-deadline",
	.features = FEATURE_DEADLINE,
};

static const struct client_stage cancel_stage = {
	.name = "c-cancel",
	.features = FEATURE_DEADLINE | FEATURE_CANCEL,
};

#define URL "http://127.0.0.1:8080/hello?n=3"

static struct http_response resp;

/* ---- capturing output ---- */

/* Reads all of f (from its start) into a malloc'd NUL-terminated string. */
static char *slurp(FILE *f)
{
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];

	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			text = realloc(text, cap);
			assert_non_null(text);
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	if (text == NULL) {
		text = malloc(1);
		assert_non_null(text);
	}
	text[len] = '\0';
	return text;
}

/* What the tests capture stays reachable from here until the next capture
 * (or the group's teardown): a failed check then leaks nothing, and a
 * leak-free parent keeps LeakSanitizer quiet in the children it forks. */
static char *last_capture, *held_out, *held_err;

/* Runs fn(arg) with file descriptor fd (1 or 2) going to a temporary file,
 * restores fd, and returns what was written, valid until the next call. */
static char *capture_fd(int fd, void (*fn)(void *), void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	char *text;

	assert_non_null(tmp);
	fflush(stdout);
	fflush(stderr);
	saved = dup(fd);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), fd) == fd);
	fn(arg);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(saved, fd) == fd);
	close(saved);
	text = slurp(tmp);
	fclose(tmp);
	free(last_capture);
	last_capture = text;
	return text;
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* ---- client_error_text ---- */

static void check_text(enum client_error error, int sys_errno, const char *want)
{
	const char *got = client_error_text(error, sys_errno);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_error_text_go_words(void **state)
{
	char head_too_large[128];

	(void)state;
	check_text(CLIENT_DEADLINE_EXCEEDED, 0, "context deadline exceeded");
	check_text(CLIENT_CANCELED, 0, "context canceled");
	check_text(CLIENT_UNEXPECTED_EOF, 0, "unexpected EOF");
	check_text(CLIENT_MALFORMED_RESPONSE, 0, "malformed HTTP response");
	/* sys_errno is ignored for these */
	check_text(CLIENT_DEADLINE_EXCEEDED, ECONNREFUSED, "context deadline exceeded");
	check_text(CLIENT_UNEXPECTED_EOF, EPIPE, "unexpected EOF");
	/* the limit in the text is the parser's limit */
	snprintf(head_too_large, sizeof(head_too_large), "server response headers exceeded %d bytes; aborted",
		 HTTP_HEAD_MAX);
	check_text(CLIENT_HEAD_TOO_LARGE, 0, head_too_large);
}

static void test_error_text_errno(void **state)
{
	(void)state;
	check_text(CLIENT_SYSCALL, ECONNREFUSED, "connection refused");
	check_text(CLIENT_SYSCALL, ECONNRESET, "connection reset by peer");
	check_text(CLIENT_SYSCALL, EPIPE, "broken pipe");
	check_text(CLIENT_SYSCALL, ETIMEDOUT, "connection timed out");
	check_text(CLIENT_SYSCALL, EHOSTUNREACH, "no route to host");
	check_text(CLIENT_SYSCALL, ENETUNREACH, "network is unreachable");
	check_text(CLIENT_SYSCALL, EAGAIN, "resource temporarily unavailable");
	check_text(CLIENT_SYSCALL, EINTR, "interrupted system call");
	/* one call does not disturb the next */
	check_text(CLIENT_SYSCALL, EPIPE, "broken pipe");
	check_text(CLIENT_SYSCALL, ECONNREFUSED, "connection refused");
}

static void test_error_text_unknown_errno(void **state)
{
	static const int odd[] = { 9999, -1, 4096, 100000, 0x7fffffff };

	(void)state;
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const char *got = client_error_text(CLIENT_SYSCALL, odd[i]);

		assert_non_null(got);
		assert_true(strlen(got) > 0);
		assert_null(strchr(got, '\n'));
		assert_null(strchr(got, '"')); /* it is printed inside error="..." */
	}
}

/* ---- recording failures ---- */

static void test_fail_errno(void **state)
{
	struct client_result res = { 0 };

	(void)state;
	client_fail_errno(&res, ECONNRESET);
	assert_int_equal(res.error, CLIENT_SYSCALL);
	assert_int_equal(res.sys_errno, ECONNRESET);
	assert_string_equal(client_error_text(res.error, res.sys_errno), "connection reset by peer");
}

static void test_fail_http_mapping(void **state)
{
	static const struct {
		enum http_error from;
		enum client_error to;
		const char *text;
	} map[] = {
		{ HTTP_MALFORMED, CLIENT_MALFORMED_RESPONSE, "malformed HTTP response" },
		{ HTTP_UNEXPECTED_EOF, CLIENT_UNEXPECTED_EOF, "unexpected EOF" },
		{ HTTP_HEAD_TOO_LARGE, CLIENT_HEAD_TOO_LARGE, NULL },
		{ HTTP_OK, CLIENT_OK, "ok" },
	};
	struct http_response *r = &resp;

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct client_result res = { .error = CLIENT_CANCELED, .sys_errno = 77 };

		http_response_init(r, NULL, NULL);
		r->error = map[i].from;
		client_fail_http(&res, r);
		assert_int_equal(res.error, map[i].to);
		if (map[i].text)
			assert_string_equal(client_error_text(res.error, res.sys_errno), map[i].text);
	}
}

/* The parser's own failures, mapped. */
static void test_fail_http_from_parser(void **state)
{
	struct http_response *r = &resp;
	struct client_result res = { 0 };

	(void)state;
	http_response_init(r, NULL, NULL);
	assert_int_equal(http_response_feed(r, "nope", 4), HTTP_ERROR);
	client_fail_http(&res, r);
	assert_int_equal(res.error, CLIENT_MALFORMED_RESPONSE);

	/* through client_take_read, as the stages do: read() returning 0 is EOF */
	memset(&res, 0, sizeof(res));
	http_response_init(r, NULL, NULL);
	assert_false(client_take_read(&res, r, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41));
	assert_int_equal(res.error, CLIENT_OK);
	assert_true(client_take_read(&res, r, NULL, 0));
	assert_int_equal(res.error, CLIENT_UNEXPECTED_EOF);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.bytes, 3);
}

static void test_take_read(void **state)
{
	struct http_response *r = &resp;
	struct client_result res = { 0 };
	static const char wire[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";
	static const char until_close[] = "HTTP/1.1 200 OK\r\n\r\nbody";

	(void)state;
	http_response_init(r, NULL, NULL);
	assert_false(client_take_read(&res, r, wire, sizeof(wire) - 5));
	assert_int_equal(res.status, 404);
	assert_int_equal(res.bytes, 5);
	assert_true(client_take_read(&res, r, wire + sizeof(wire) - 5, 4));
	assert_int_equal(res.bytes, 9);
	assert_int_equal(res.error, CLIENT_OK);

	/* a close-delimited body ends well at EOF */
	memset(&res, 0, sizeof(res));
	http_response_init(r, NULL, NULL);
	assert_false(client_take_read(&res, r, until_close, sizeof(until_close) - 1));
	assert_true(client_take_read(&res, r, NULL, 0));
	assert_int_equal(res.error, CLIENT_OK);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.bytes, 4);
}

/* ---- client_response_init: the body goes to stdout unless -q ---- */

struct feed_args {
	struct http_response *r;
	const char *wire;
	size_t len;
	enum http_progress progress;
};

/* No asserts in here: it runs with stdout redirected. */
static void feed_it(void *arg)
{
	struct feed_args *a = arg;

	a->progress = http_response_feed(a->r, a->wire, a->len);
}

static void test_response_body_to_stdout(void **state)
{
	static const char wire[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n";
	struct client_opts opts;
	struct feed_args a = { .wire = wire, .len = sizeof(wire) - 1 };
	char *out;

	(void)state;
	a.r = &resp;

	memset(&opts, 0, sizeof(opts));
	client_response_init(a.r, &opts);
	out = capture_fd(1, feed_it, &a);
	assert_int_equal(a.progress, HTTP_DONE);
	assert_string_equal(out, "hello world");
	assert_int_equal(a.r->body_bytes, 11);

	opts.quiet = true;
	client_response_init(a.r, &opts);
	out = capture_fd(1, feed_it, &a);
	assert_int_equal(a.progress, HTTP_DONE);
	assert_string_equal(out, "");
	assert_int_equal(a.r->body_bytes, 11); /* counted even when not printed */
	assert_int_equal(a.r->status, 200);
}

/* ---- client_report ---- */

struct report_args {
	const struct client_result *res;
	const char *extra;
	int rc;
};

static void report_it(void *arg)
{
	struct report_args *a = arg;
	struct client_result res = *a->res;

	snprintf(res.extra, sizeof(res.extra), "%s", a->extra ? a->extra : "");
	a->rc = client_report(&res);
}

/* Checks that line (one line, ending in \n) matches the extended regex
 * pattern, whose first group is the elapsed_ms value; returns that value. */
static double match_line(const char *line, const char *pattern)
{
	regex_t re;
	regmatch_t m[2];
	char *body;
	size_t len = strlen(line);
	double elapsed;
	int rc;

	if (len == 0 || line[len - 1] != '\n' || count_char(line, '\n') != 1)
		fail_msg("want exactly one line on stderr, got \"%s\"", line);
	body = strndup(line, len - 1);
	assert_non_null(body);
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED), 0);
	rc = regexec(&re, body, 2, m, 0);
	regfree(&re);
	if (rc != 0) {
		free(body);
		fail_msg("line \"%.*s\" does not match /%s/", (int)(len - 1), line, pattern);
	}
	assert_true(m[1].rm_so >= 0);
	elapsed = strtod(body + m[1].rm_so, NULL);
	free(body);
	return elapsed;
}

#define MS_RE "([0-9]+\\.[0-9])" /* %.1f of a non-negative time */

static char *report(const struct client_result *res, const char *extra, int *rc)
{
	struct report_args a = { .res = res, .extra = extra, .rc = -7 };
	char *err = capture_fd(2, report_it, &a);

	*rc = a.rc;
	return err;
}

static void test_report_ok(void **state)
{
	struct client_result res = { .error = CLIENT_OK, .status = 200, .bytes = 11 };
	double elapsed;
	char *err;
	int rc;

	(void)state;
	res.started = monotonic_now();
	err = report(&res, NULL, &rc);
	assert_int_equal(rc, 0);
	elapsed = match_line(err, "^result: ok status=200 bytes=11 elapsed_ms=" MS_RE "$");
	assert_true(elapsed >= 0.0 && elapsed < 1000.0);

	/* an empty extra adds nothing, not even a space */
	err = report(&res, "", &rc);
	assert_int_equal(rc, 0);
	match_line(err, "^result: ok status=200 bytes=11 elapsed_ms=" MS_RE "$");

	/* any status is a response: still ok, still 0 */
	res.status = 404;
	res.bytes = 0;
	err = report(&res, "reads=2", &rc);
	assert_int_equal(rc, 0);
	match_line(err, "^result: ok status=404 bytes=0 elapsed_ms=" MS_RE " reads=2$");
}

/* elapsed_ms is measured from res->started, in milliseconds. */
static void test_report_elapsed(void **state)
{
	struct client_result res = { .error = CLIENT_OK, .status = 200, .bytes = 5 };
	double elapsed;
	char *err;
	int rc;

	(void)state;
	res.started = timespec_add_ns(monotonic_now(), -1500LL * NSEC_PER_MSEC);
	err = report(&res, NULL, &rc);
	elapsed = match_line(err, "^result: ok status=200 bytes=5 elapsed_ms=" MS_RE "$");
	if (elapsed < 1500.0 || elapsed > 6500.0)
		fail_msg("elapsed_ms=%.1f, want 1500.0 plus a little", elapsed);
}

static void test_report_error(void **state)
{
	struct client_result res = { .error = CLIENT_DEADLINE_EXCEEDED, .bytes = 0 };
	double elapsed;
	char *err;
	int rc;

	(void)state;
	res.started = monotonic_now();
	err = report(&res, "eagain=3", &rc);
	assert_int_equal(rc, 1);
	elapsed = match_line(err, "^result: error=\"context deadline exceeded\" bytes=0 elapsed_ms=" MS_RE " eagain=3$");
	assert_true(elapsed >= 0.0 && elapsed < 1000.0);

	/* several extra fields, passed through as given */
	err = report(&res, "eagain=3 reads=7", &rc);
	assert_int_equal(rc, 1);
	match_line(err, "^result: error=\"context deadline exceeded\" bytes=0 elapsed_ms=" MS_RE " eagain=3 reads=7$");

	/* no extra */
	err = report(&res, NULL, &rc);
	assert_int_equal(rc, 1);
	match_line(err, "^result: error=\"context deadline exceeded\" bytes=0 elapsed_ms=" MS_RE "$");
}

static void test_report_error_kinds(void **state)
{
	struct client_result res = { 0 };
	char *err;
	int rc;

	(void)state;
	res.started = monotonic_now();
	client_fail_errno(&res, ECONNREFUSED);
	err = report(&res, NULL, &rc);
	assert_int_equal(rc, 1);
	match_line(err, "^result: error=\"connection refused\" bytes=0 elapsed_ms=" MS_RE "$");

	res.error = CLIENT_UNEXPECTED_EOF;
	res.bytes = 12345678901ULL; /* more than 32 bits */
	err = report(&res, "", &rc);
	assert_int_equal(rc, 1);
	match_line(err, "^result: error=\"unexpected EOF\" bytes=12345678901 elapsed_ms=" MS_RE "$");

	res.error = CLIENT_CANCELED;
	res.bytes = 128;
	err = report(&res, "eagain=0", &rc);
	assert_int_equal(rc, 1);
	match_line(err, "^result: error=\"context canceled\" bytes=128 elapsed_ms=" MS_RE " eagain=0$");
}

/* ---- client_parse_args in a child: exits ---- */

struct child {
	int exit_code; /* -1 when it did not exit normally */
	char *out, *err;
};

#define MAX_ARGS 16

/* Runs client_parse_args(stage, argv) in a child with stdout and stderr
 * going to files. A child whose client_parse_args returns exits 100. */
static void run_child(const struct client_stage *stage, const char *const *args, struct child *c)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int status;
	pid_t pid;

	assert_non_null(out);
	assert_non_null(err);
	fflush(stdout); /* or the child would flush cmocka's pending output again */
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[MAX_ARGS + 2];
		int argc = 0;
		struct client_opts opts;

		if (dup2(fileno(out), 1) < 0 || dup2(fileno(err), 2) < 0)
			_exit(101);
		argv[argc++] = strdup(stage->name);
		for (; args[argc - 1] != NULL && argc <= MAX_ARGS; argc++)
			argv[argc] = strdup(args[argc - 1]);
		argv[argc] = NULL;
		optind = 0;
		client_parse_args(stage, argc, argv, &opts);
		fflush(stdout);
		fflush(stderr);
		_exit(100);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	c->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	free(held_out);
	free(held_err);
	c->out = held_out = slurp(out);
	c->err = held_err = slurp(err);
	fclose(out);
	fclose(err);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A usage error: exit 2, nothing on stdout, one line on stderr naming the
 * stage and pointing at -h, containing want. */
static void expect_usage_error(const struct client_stage *stage, const char *const *args, const char *want)
{
	struct child c;
	char prefix[64], hint[64];

	run_child(stage, args, &c);
	if (c.exit_code != 2)
		fail_msg("%s %s ...: exit %d, want 2; stderr \"%s\"", stage->name, args[0] ? args[0] : "", c.exit_code,
			 escaped(c.err));
	assert_string_equal(c.out, "");
	snprintf(prefix, sizeof(prefix), "%s: ", stage->name);
	snprintf(hint, sizeof(hint), "(%s -h for usage)\n", stage->name);
	if (strncmp(c.err, prefix, strlen(prefix)) != 0 || count_char(c.err, '\n') != 1 ||
	    strlen(c.err) < strlen(hint) || strcmp(c.err + strlen(c.err) - strlen(hint), hint) != 0)
		fail_msg("%s: want one line \"%s...%s\" on stderr, got \"%s\"", stage->name, prefix, escaped(hint),
			 escaped(c.err));
	if (strstr(c.err, want) == NULL)
		fail_msg("%s: stderr \"%s\" does not contain \"%s\"", stage->name, escaped(c.err), want);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_args_deadline_unsupported(void **state)
{
	(void)state;
	expect_usage_error(&blocking_stage, ARGS("-t", "200", URL), "-t: " WHY_BLOCKING);
	expect_usage_error(&epoll_stage, ARGS("-t", "200", URL), "-t: " WHY_EPOLL);
	/* the stage's reason, whatever the value */
	expect_usage_error(&blocking_stage, ARGS("-t", "abc", URL), WHY_BLOCKING);
	expect_usage_error(&epoll_stage, ARGS(URL, "-t200"), WHY_EPOLL);
}

static void test_args_cancel_unsupported(void **state)
{
	(void)state;
	expect_usage_error(&blocking_stage, ARGS("-c", "100", URL), "-c: ");
	expect_usage_error(&epoll_stage, ARGS("-c", "100", URL), "-c: ");
	expect_usage_error(&nonblock_stage, ARGS("-c", "100", URL), "-c: ");
	expect_usage_error(&deadline_stage, ARGS("-c", "100", URL), "-c: ");
}

static void test_args_spin_unsupported(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("--spin", URL), "--spin");
	expect_usage_error(&blocking_stage, ARGS("--spin", URL), "--spin");
	expect_usage_error(&epoll_stage, ARGS(URL, "--spin"), "--spin");
}

static void test_args_bad_read_size(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("-r", "0", URL), "-r '0'");
	expect_usage_error(&deadline_stage, ARGS("-r", "abc", URL), "-r 'abc'");
	expect_usage_error(&deadline_stage, ARGS("-r", "-1", URL), "-r '-1'");
	expect_usage_error(&deadline_stage, ARGS("-r", "5x", URL), "-r '5x'");
	expect_usage_error(&deadline_stage, ARGS("-r", "", URL), "-r ''");
	expect_usage_error(&deadline_stage, ARGS("-r", "16777217", URL), "-r '16777217'");
	expect_usage_error(&deadline_stage, ARGS("-r", "99999999999999999999999", URL), "-r '9999");
	expect_usage_error(&blocking_stage, ARGS("-r0", URL), "-r '0'");
}

static void test_args_bad_deadline(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("-t", "0", URL), "-t '0'");
	expect_usage_error(&nonblock_stage, ARGS("-t", "0", URL), "-t '0'");
	expect_usage_error(&deadline_stage, ARGS("-t", "abc", URL), "-t 'abc'");
	expect_usage_error(&deadline_stage, ARGS("-t", "86400001", URL), "-t '86400001'");
	expect_usage_error(&deadline_stage, ARGS("-t", "1.5", URL), "-t '1.5'");
}

static void test_args_missing_value(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS(URL, "-r"), "-r needs a value");
	expect_usage_error(&deadline_stage, ARGS(URL, "-t"), "-t needs a value");
}

static void test_args_missing_url(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("-q"), "no URL");
	expect_usage_error(&blocking_stage, ARGS("-r", "10"), "no URL");
}

static void test_args_no_args(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	expect_usage_error(&deadline_stage, none, "no URL");
}

static void test_args_two_urls(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS(URL, "http://127.0.0.1:2/"), "'http://127.0.0.1:2/'");
	expect_usage_error(&deadline_stage, ARGS(URL, "extra"), "unexpected argument 'extra'");
}

static void test_args_bad_url(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("http://example.com/"), "DNS");
	expect_usage_error(&deadline_stage, ARGS("-q", "http://example.com:8080/x"), "example.com");
	expect_usage_error(&deadline_stage, ARGS("ftp://127.0.0.1/"), "http://");
	expect_usage_error(&deadline_stage, ARGS("http://127.0.0.1:0/"), "port");
	/* both suggest [::1], which labserver listens on too */
	expect_usage_error(&deadline_stage, ARGS("http://example.com/"), "[::1]");
	expect_usage_error(&deadline_stage, ARGS("http://::1:8080/ok"), "brackets, as in http://[::1]:PORT/");
}

static void test_args_unknown_flag(void **state)
{
	(void)state;
	expect_usage_error(&deadline_stage, ARGS("-x", URL), "unknown flag -x");
	expect_usage_error(&deadline_stage, ARGS("--bogus", URL), "unknown flag --bogus");
	expect_usage_error(&blocking_stage, ARGS(URL, "-Z"), "unknown flag -Z");
	expect_usage_error(&deadline_stage, ARGS("-qx", URL), "unknown flag -x");
}

/* A long flag given a value it does not take is a usage error that names
 * the flag as typed. glibc's getopt_long reports it as '?' with optopt set
 * to the option's val, which is not a short flag character. */
static void test_args_long_flag_with_value(void **state)
{
	(void)state;
	expect_usage_error(&nonblock_stage, ARGS("--spin=yes", URL), "--spin");
	expect_usage_error(&deadline_stage, ARGS("--help=x", URL), "--help");
}

static void test_args_help(void **state)
{
	struct child c;

	(void)state;
	run_child(&nonblock_stage, ARGS("-h"), &c);
	assert_int_equal(c.exit_code, 0);
	assert_string_equal(c.err, "");
	if (!starts_with(c.out, "usage: c-nonblock [-t MS] [--spin] [-r BYTES] [-q] URL\n"))
		fail_msg("usage starts \"%.60s\"", c.out);
	assert_non_null(strstr(c.out, "\n  -t MS "));
	assert_non_null(strstr(c.out, "\n  --spin "));
	assert_non_null(strstr(c.out, "\n  -r BYTES "));
	assert_non_null(strstr(c.out, "(default 128)"));
	assert_null(strstr(c.out, "-c MS"));

	/* a stage without -t or --spin does not offer them */
	run_child(&blocking_stage, ARGS("--help"), &c);
	assert_int_equal(c.exit_code, 0);
	assert_string_equal(c.err, "");
	if (!starts_with(c.out, "usage: c-blocking [-r BYTES] [-q] URL\n"))
		fail_msg("usage starts \"%.40s\"", c.out);
	assert_null(strstr(c.out, "-t MS"));
	assert_null(strstr(c.out, "--spin"));

	/* -h wins over a URL */
	run_child(&deadline_stage, ARGS(URL, "-h"), &c);
	assert_int_equal(c.exit_code, 0);
	assert_true(starts_with(c.out, "usage: c-deadline [-t MS] [-r BYTES] [-q] URL\n"));

	/* the usage line offers every flag the stage takes */
	run_child(&cancel_stage, ARGS("-h"), &c);
	assert_int_equal(c.exit_code, 0);
	assert_true(starts_with(c.out, "usage: c-cancel [-t MS] [-c MS] [-r BYTES] [-q] URL\n"));
}

/* A valid command line does not exit (the child gets past the call). */
static void test_args_valid_does_not_exit(void **state)
{
	struct child c;

	(void)state;
	run_child(&deadline_stage, ARGS("-t", "200", "-q", URL), &c);
	assert_int_equal(c.exit_code, 100);
	assert_string_equal(c.out, "");
	assert_string_equal(c.err, "");
}

/* ---- client_parse_args in process: valid command lines ---- */

struct argv_buf {
	char text[MAX_ARGS][URL_TARGET_MAX + 64];
	char *argv[MAX_ARGS + 1];
	int argc;
};

static struct argv_buf av;

static void parse_in_process(const struct client_stage *stage, const char *const *args, struct client_opts *opts)
{
	av.argc = 0;
	snprintf(av.text[av.argc], sizeof(av.text[0]), "%s", stage->name);
	av.argv[av.argc] = av.text[av.argc];
	av.argc++;
	for (; args[av.argc - 1] != NULL; av.argc++) {
		assert_true(av.argc < MAX_ARGS);
		snprintf(av.text[av.argc], sizeof(av.text[0]), "%s", args[av.argc - 1]);
		av.argv[av.argc] = av.text[av.argc];
	}
	av.argv[av.argc] = NULL;
	memset(opts, 0x5a, sizeof(*opts)); /* everything must be set by the call */
	optind = 0;                        /* glibc: start over, re-initialised */
	client_parse_args(stage, av.argc, av.argv, opts);
}

static void check_url_8080(const struct client_opts *opts)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&opts->url.addr;

	assert_int_equal(opts->url.family, AF_INET);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 8080);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_string_equal(opts->url.target, "/hello?n=3");
	assert_string_equal(opts->url.host_header, "127.0.0.1:8080");
}

static void test_parse_defaults(void **state)
{
	struct client_opts opts;

	(void)state;
	parse_in_process(&deadline_stage, ARGS(URL), &opts);
	assert_int_equal(opts.read_size, READ_SIZE_DEFAULT);
	assert_int_equal(opts.read_size, 128);
	assert_int_equal(opts.deadline_ms, 0);
	assert_int_equal(opts.cancel_ms, 0);
	assert_false(opts.quiet);
	assert_false(opts.spin);
	check_url_8080(&opts);

	parse_in_process(&blocking_stage, ARGS(URL), &opts);
	assert_int_equal(opts.read_size, 128);
	assert_int_equal(opts.deadline_ms, 0);
	assert_false(opts.quiet);
	check_url_8080(&opts);
}

static void test_parse_flags(void **state)
{
	struct client_opts opts;

	(void)state;
	parse_in_process(&deadline_stage, ARGS("-r", "1", "-q", "-t", "200", URL), &opts);
	assert_int_equal(opts.read_size, 1);
	assert_true(opts.quiet);
	assert_int_equal(opts.deadline_ms, 200);
	assert_false(opts.spin);
	assert_int_equal(opts.cancel_ms, 0);
	check_url_8080(&opts);

	/* again, to see getopt start over */
	parse_in_process(&deadline_stage, ARGS("-t", "350", URL), &opts);
	assert_int_equal(opts.deadline_ms, 350);
	assert_int_equal(opts.read_size, 128);
	assert_false(opts.quiet);
}

static void test_parse_spin(void **state)
{
	struct client_opts opts;

	(void)state;
	parse_in_process(&nonblock_stage, ARGS("--spin", URL), &opts);
	assert_true(opts.spin);
	assert_int_equal(opts.deadline_ms, 0);
	assert_int_equal(opts.read_size, 128);
	check_url_8080(&opts);

	parse_in_process(&nonblock_stage, ARGS("--spin", "-t", "200", "-r", "4096", URL), &opts);
	assert_true(opts.spin);
	assert_int_equal(opts.deadline_ms, 200);
	assert_int_equal(opts.read_size, 4096);

	parse_in_process(&nonblock_stage, ARGS(URL), &opts);
	assert_false(opts.spin);
}

static void test_parse_flags_after_url(void **state)
{
	struct client_opts opts;

	(void)state;
	parse_in_process(&deadline_stage, ARGS(URL, "-q", "-r", "64"), &opts);
	assert_true(opts.quiet);
	assert_int_equal(opts.read_size, 64);
	check_url_8080(&opts);
}

static void test_parse_limits_and_forms(void **state)
{
	struct client_opts opts;

	(void)state;
	/* the largest values, glued to their flags */
	parse_in_process(&deadline_stage, ARGS("-r16777216", "-t86400000", URL), &opts);
	assert_int_equal(opts.read_size, READ_SIZE_MAX);
	assert_int_equal(opts.deadline_ms, TIME_MS_MAX);

	/* "--" ends the flags */
	parse_in_process(&deadline_stage, ARGS("-q", "--", URL), &opts);
	assert_true(opts.quiet);
	check_url_8080(&opts);

	/* -t 1 is the smallest deadline */
	parse_in_process(&deadline_stage, ARGS("-t", "1", URL), &opts);
	assert_int_equal(opts.deadline_ms, 1);
}

static void test_parse_other_urls(void **state)
{
	struct client_opts opts;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&opts.url.addr;

	(void)state;
	parse_in_process(&deadline_stage, ARGS("http://[::1]:9/x"), &opts);
	assert_int_equal(opts.url.family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 9);
	assert_string_equal(opts.url.host_header, "[::1]:9");
	assert_string_equal(opts.url.target, "/x");

	parse_in_process(&deadline_stage, ARGS("http://localhost"), &opts);
	assert_int_equal(opts.url.family, AF_INET);
	assert_string_equal(opts.url.target, "/");
	assert_string_equal(opts.url.host_header, "localhost");
}

/* Parsing also ignores SIGPIPE, so a reset peer is an error, not a kill. */
static void test_parse_ignores_sigpipe(void **state)
{
	struct client_opts opts;
	struct sigaction sa;

	(void)state;
	signal(SIGPIPE, SIG_DFL);
	parse_in_process(&deadline_stage, ARGS(URL), &opts);
	assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_IGN);
}

static int group_teardown(void **state)
{
	(void)state;
	free(last_capture);
	free(held_out);
	free(held_err);
	last_capture = held_out = held_err = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_text_go_words),
		cmocka_unit_test(test_error_text_errno),
		cmocka_unit_test(test_error_text_unknown_errno),
		cmocka_unit_test(test_fail_errno),
		cmocka_unit_test(test_fail_http_mapping),
		cmocka_unit_test(test_fail_http_from_parser),
		cmocka_unit_test(test_take_read),
		cmocka_unit_test(test_response_body_to_stdout),
		cmocka_unit_test(test_report_ok),
		cmocka_unit_test(test_report_elapsed),
		cmocka_unit_test(test_report_error),
		cmocka_unit_test(test_report_error_kinds),
		cmocka_unit_test(test_args_deadline_unsupported),
		cmocka_unit_test(test_args_cancel_unsupported),
		cmocka_unit_test(test_args_spin_unsupported),
		cmocka_unit_test(test_args_bad_read_size),
		cmocka_unit_test(test_args_bad_deadline),
		cmocka_unit_test(test_args_missing_value),
		cmocka_unit_test(test_args_missing_url),
		cmocka_unit_test(test_args_no_args),
		cmocka_unit_test(test_args_two_urls),
		cmocka_unit_test(test_args_bad_url),
		cmocka_unit_test(test_args_unknown_flag),
		cmocka_unit_test(test_args_long_flag_with_value),
		cmocka_unit_test(test_args_help),
		cmocka_unit_test(test_args_valid_does_not_exit),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_flags),
		cmocka_unit_test(test_parse_spin),
		cmocka_unit_test(test_parse_flags_after_url),
		cmocka_unit_test(test_parse_limits_and_forms),
		cmocka_unit_test(test_parse_other_urls),
		cmocka_unit_test(test_parse_ignores_sigpipe),
	};

	return cmocka_run_group_tests_name("client", tests, NULL, group_teardown);
}
