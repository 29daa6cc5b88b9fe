/* test_http_request.c: http_format_get, the one request the clients send. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "lib/url.h"

static void parse(const char *text, struct url *u)
{
	char why[256];

	if (url_parse(text, u, why, sizeof(why)) != 0)
		fail_msg("url_parse(\"%s\"): %s", text, why);
}

/* Formats into a heap buffer of exactly cap bytes, so ASan reports a write
 * past cap. Returns http_format_get's result; *out gets the buffer. */
static int format_exact_cap(const struct url *u, size_t cap, char **out)
{
	char *buf = malloc(cap ? cap : 1);
	int n;

	assert_non_null(buf);
	memset(buf, '#', cap ? cap : 1);
	n = http_format_get(buf, cap, u);
	*out = buf;
	return n;
}

/* http_format_get must write exactly want (and its NUL), and fail for every
 * cap up to strlen(want), succeed from strlen(want) + 1 on. */
static void check_request(const struct url *u, const char *want)
{
	size_t len = strlen(want);
	char *buf;
	int n;

	n = format_exact_cap(u, HTTP_REQUEST_MAX, &buf);
	assert_int_equal(n, (int)len);
	assert_memory_equal(buf, want, len + 1);
	assert_string_equal(buf, want);
	free(buf);

	/* exactly fits with its NUL */
	n = format_exact_cap(u, len + 1, &buf);
	assert_int_equal(n, (int)len);
	assert_memory_equal(buf, want, len + 1);
	free(buf);

	/* one byte short: the NUL would not fit */
	n = format_exact_cap(u, len, &buf);
	assert_int_equal(n, -1);
	free(buf);

	n = format_exact_cap(u, len - 1, &buf);
	assert_int_equal(n, -1);
	free(buf);

	n = format_exact_cap(u, 1, &buf);
	assert_int_equal(n, -1);
	free(buf);
}

static void test_simple(void **state)
{
	struct url u;

	(void)state;
	parse("http://127.0.0.1:8080/ok", &u);
	check_request(&u, "GET /ok HTTP/1.1\r\n"
			  "Host: 127.0.0.1:8080\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
}

static void test_query(void **state)
{
	struct url u;

	(void)state;
	parse("http://127.0.0.1:8080/hello?n=3&size=1024#frag", &u);
	check_request(&u, "GET /hello?n=3&size=1024 HTTP/1.1\r\n"
			  "Host: 127.0.0.1:8080\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
}

static void test_root_default_port(void **state)
{
	struct url u;

	(void)state;
	parse("http://127.0.0.1", &u);
	check_request(&u, "GET / HTTP/1.1\r\n"
			  "Host: 127.0.0.1\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
	parse("http://127.0.0.1?x", &u);
	check_request(&u, "GET /?x HTTP/1.1\r\n"
			  "Host: 127.0.0.1\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
}

static void test_ipv6_host(void **state)
{
	struct url u;

	(void)state;
	parse("http://[::1]:9/v6", &u);
	check_request(&u, "GET /v6 HTTP/1.1\r\n"
			  "Host: [::1]:9\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
}

static void test_localhost_host(void **state)
{
	struct url u;

	(void)state;
	parse("http://localhost:3000/a", &u);
	check_request(&u, "GET /a HTTP/1.1\r\n"
			  "Host: localhost:3000\r\n"
			  "User-Agent: ctxlab-c/1\r\n"
			  "\r\n");
}

static void test_exact_fit_boundary(void **state)
{
	static const char want[] = "GET /ok HTTP/1.1\r\n"
				   "Host: 127.0.0.1:8080\r\n"
				   "User-Agent: ctxlab-c/1\r\n"
				   "\r\n";
	size_t len = sizeof(want) - 1;
	struct url u;
	char *buf;

	(void)state;
	parse("http://127.0.0.1:8080/ok", &u);
	assert_int_equal(format_exact_cap(&u, len, &buf), -1);
	free(buf);
	assert_int_equal(format_exact_cap(&u, len + 1, &buf), (int)len);
	assert_string_equal(buf, want);
	free(buf);
	assert_int_equal(format_exact_cap(&u, 0, &buf), -1);
	assert_int_equal(buf[0], '#'); /* cap 0: nothing written */
	free(buf);
}

/* The longest target a URL can give, with the longest Host header a URL can
 * give, fits in HTTP_REQUEST_MAX. */
static void test_max_target_fits(void **state)
{
	const char *base = "http://[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535";
	size_t base_len = strlen(base);
	size_t target_len = URL_TARGET_MAX - 1;
	char *text = malloc(base_len + target_len + 1);
	char *want = malloc(HTTP_REQUEST_MAX * 2);
	struct url u;
	char *buf;
	int n, want_len;

	(void)state;
	assert_non_null(text);
	assert_non_null(want);
	memcpy(text, base, base_len);
	text[base_len] = '/';
	for (size_t i = 1; i < target_len; i++)
		text[base_len + i] = (char)('A' + i % 26);
	text[base_len + target_len] = '\0';
	parse(text, &u);
	assert_int_equal(strlen(u.target), URL_TARGET_MAX - 1);

	want_len = snprintf(want, HTTP_REQUEST_MAX * 2, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ctxlab-c/1\r\n\r\n",
			    text + base_len, base + strlen("http://"));
	assert_true(want_len < HTTP_REQUEST_MAX);

	n = format_exact_cap(&u, HTTP_REQUEST_MAX, &buf);
	assert_int_equal(n, want_len);
	assert_string_equal(buf, want);
	free(buf);
	free(text);
	free(want);
}

/* Even a struct url filled to the brim by hand (target and host_header at
 * their array sizes minus the NUL) fits. */
static void test_full_struct_fits(void **state)
{
	struct url u;
	char *buf;
	int n;

	(void)state;
	memset(&u, 0, sizeof(u));
	memset(u.target, 't', sizeof(u.target) - 1);
	u.target[0] = '/';
	memset(u.host_header, 'h', sizeof(u.host_header) - 1);
	n = format_exact_cap(&u, HTTP_REQUEST_MAX, &buf);
	assert_int_equal(n, (int)(strlen("GET ") + (URL_TARGET_MAX - 1) + strlen(" HTTP/1.1\r\nHost: ") +
				  (URL_HOST_MAX - 1) + strlen("\r\nUser-Agent: ctxlab-c/1\r\n\r\n")));
	assert_true(n < HTTP_REQUEST_MAX);
	assert_memory_equal(buf, "GET /ttt", 8);
	assert_memory_equal(buf + n - 4, "\r\n\r\n", 4);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_root_default_port),
		cmocka_unit_test(test_ipv6_host),
		cmocka_unit_test(test_localhost_host),
		cmocka_unit_test(test_exact_fit_boundary),
		cmocka_unit_test(test_max_target_fits),
		cmocka_unit_test(test_full_struct_fits),
	};

	return cmocka_run_group_tests_name("http_request", tests, NULL, NULL);
}
