/* test_url.c: url_parse, the one URL shape the lab clients accept. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/url.h"

#include "escaped.h"

#define WHY_LEN (4 * URL_TARGET_MAX + 512) /* long enough for the longest URL tested */

/* Parses text, which must succeed, into a heap struct url (so ASan sees any
 * write past its end). The caller frees it. */
static struct url *parse_ok(const char *text)
{
	struct url *u = malloc(sizeof(*u));
	char why[WHY_LEN] = "";

	assert_non_null(u);
	memset(u, 0xa5, sizeof(*u));
	if (url_parse(text, u, why, sizeof(why)) != 0)
		fail_msg("url_parse(\"%s\") failed: %s", text, why);
	return u;
}

static void check_v4(const struct url *u, const char *addr, unsigned port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&u->addr;
	struct in_addr want;
	const unsigned char *port_bytes = (const unsigned char *)&sin->sin_port;

	assert_int_equal(inet_pton(AF_INET, addr, &want), 1);
	assert_int_equal(u->family, AF_INET);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(u->addr_len, sizeof(struct sockaddr_in));
	assert_memory_equal(&sin->sin_addr, &want, sizeof(want));
	/* network order, byte by byte: high byte first */
	assert_int_equal(port_bytes[0], (port >> 8) & 0xff);
	assert_int_equal(port_bytes[1], port & 0xff);
	assert_int_equal(ntohs(sin->sin_port), port);
}

static void check_v6(const struct url *u, const char *addr, unsigned port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&u->addr;
	struct in6_addr want;
	const unsigned char *port_bytes = (const unsigned char *)&sin6->sin6_port;

	assert_int_equal(inet_pton(AF_INET6, addr, &want), 1);
	assert_int_equal(u->family, AF_INET6);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(u->addr_len, sizeof(struct sockaddr_in6));
	assert_memory_equal(&sin6->sin6_addr, &want, sizeof(want));
	assert_int_equal(port_bytes[0], (port >> 8) & 0xff);
	assert_int_equal(port_bytes[1], port & 0xff);
	assert_int_equal(sin6->sin6_flowinfo, 0);
	assert_int_equal(sin6->sin6_scope_id, 0);
}

/* url_parse must return -1 and say something containing keyword; when
 * one_line, the text must be one line (no newline in it). */
static void check_fails_why(const char *text, const char *keyword, int one_line)
{
	static struct url u;
	char why[WHY_LEN];
	int rc;

	memset(why, 'X', sizeof(why));
	why[sizeof(why) - 1] = '\0';
	rc = url_parse(text, &u, why, sizeof(why));
	if (rc != -1)
		fail_msg("url_parse(\"%s\") returned %d, want -1", escaped(text), rc);
	if (strstr(why, keyword) == NULL)
		fail_msg("url_parse(\"%s\"): why \"%s\" does not mention \"%s\"", escaped(text), escaped(why), keyword);
	if (one_line && strchr(why, '\n') != NULL)
		fail_msg("url_parse(\"%s\"): why is more than one line: \"%s\"", escaped(text), escaped(why));
	assert_true(strlen(why) > strlen(keyword));
}

static void check_fails(const char *text, const char *keyword)
{
	check_fails_why(text, keyword, 1);
}

/* ---- valid URLs ---- */

static void test_full_url(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1:8080/hello?n=3");

	(void)state;
	check_v4(u, "127.0.0.1", 8080);
	assert_int_equal(((const struct sockaddr_in *)&u->addr)->sin_port, htons(8080));
	assert_string_equal(u->target, "/hello?n=3");
	assert_string_equal(u->host_header, "127.0.0.1:8080");
	free(u);
}

static void test_no_port_is_80(void **state)
{
	struct url *u = parse_ok("http://10.1.2.3/x");

	(void)state;
	check_v4(u, "10.1.2.3", 80);
	assert_string_equal(u->target, "/x");
	assert_string_equal(u->host_header, "10.1.2.3");
	free(u);
}

static void test_no_path_is_slash(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1:9000");

	(void)state;
	check_v4(u, "127.0.0.1", 9000);
	assert_string_equal(u->target, "/");
	assert_string_equal(u->host_header, "127.0.0.1:9000");
	free(u);

	u = parse_ok("http://127.0.0.1");
	check_v4(u, "127.0.0.1", 80);
	assert_string_equal(u->target, "/");
	assert_string_equal(u->host_header, "127.0.0.1");
	free(u);
}

static void test_only_query(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1?x");

	(void)state;
	check_v4(u, "127.0.0.1", 80);
	assert_string_equal(u->target, "/?x");
	assert_string_equal(u->host_header, "127.0.0.1");
	free(u);

	u = parse_ok("http://127.0.0.1:81?a=1&b=2");
	check_v4(u, "127.0.0.1", 81);
	assert_string_equal(u->target, "/?a=1&b=2");
	assert_string_equal(u->host_header, "127.0.0.1:81");
	free(u);
}

static void test_fragment_stripped(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1:8080/page?q=1#section-2");

	(void)state;
	assert_string_equal(u->target, "/page?q=1");
	assert_string_equal(u->host_header, "127.0.0.1:8080");
	free(u);

	u = parse_ok("http://127.0.0.1/a/b#frag");
	assert_string_equal(u->target, "/a/b");
	free(u);

	/* a fragment right after the authority: the path is "/" and the
	 * fragment stays out of the Host header */
	u = parse_ok("http://127.0.0.1:8080#top");
	assert_string_equal(u->target, "/");
	assert_string_equal(u->host_header, "127.0.0.1:8080");
	check_v4(u, "127.0.0.1", 8080);
	free(u);
}

static void test_localhost(void **state)
{
	struct url *u = parse_ok("http://localhost:8080/x");

	(void)state;
	check_v4(u, "127.0.0.1", 8080);
	assert_string_equal(u->target, "/x");
	assert_string_equal(u->host_header, "localhost:8080");
	free(u);

	u = parse_ok("http://LocalHost/");
	check_v4(u, "127.0.0.1", 80);
	assert_string_equal(u->host_header, "LocalHost");
	free(u);
}

static void test_scheme_case_insensitive(void **state)
{
	struct url *u = parse_ok("HTTP://127.0.0.1:8080/Path");

	(void)state;
	check_v4(u, "127.0.0.1", 8080);
	assert_string_equal(u->target, "/Path"); /* the path keeps its case */
	free(u);

	u = parse_ok("hTtP://127.0.0.1/");
	check_v4(u, "127.0.0.1", 80);
	assert_string_equal(u->target, "/");
	free(u);
}

static void test_ipv6(void **state)
{
	struct url *u = parse_ok("http://[::1]:9/");

	(void)state;
	check_v6(u, "::1", 9);
	assert_string_equal(u->host_header, "[::1]:9");
	assert_string_equal(u->target, "/");
	free(u);

	u = parse_ok("http://[::1]:9");
	check_v6(u, "::1", 9);
	assert_string_equal(u->host_header, "[::1]:9");
	assert_string_equal(u->target, "/");
	free(u);

	u = parse_ok("http://[fe80::1:2]/v6?x=1");
	check_v6(u, "fe80::1:2", 80);
	assert_string_equal(u->host_header, "[fe80::1:2]");
	assert_string_equal(u->target, "/v6?x=1");
	free(u);

	/* the longest v6 literal text there is, with the largest port */
	u = parse_ok("http://[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535/");
	check_v6(u, "::ffff:255.255.255.255", 65535);
	assert_string_equal(u->host_header, "[0000:0000:0000:0000:0000:ffff:255.255.255.255]:65535");
	free(u);
}

static void test_port_bounds(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1:1/");

	(void)state;
	check_v4(u, "127.0.0.1", 1);
	free(u);
	u = parse_ok("http://127.0.0.1:65535/");
	check_v4(u, "127.0.0.1", 65535);
	assert_string_equal(u->host_header, "127.0.0.1:65535");
	free(u);
	u = parse_ok("http://255.255.255.255:00080/");
	check_v4(u, "255.255.255.255", 80);
	free(u);
}

/* "http://127.0.0.1" + prefix + fill repeated to make a target of
 * target_len bytes (prefix included). */
static char *url_with_target(const char *prefix, size_t target_len)
{
	const char *base = "http://127.0.0.1";
	size_t base_len = strlen(base), prefix_len = strlen(prefix);
	char *text = malloc(base_len + target_len + 1);

	assert_non_null(text);
	assert_true(target_len >= prefix_len);
	memcpy(text, base, base_len);
	memcpy(text + base_len, prefix, prefix_len);
	for (size_t i = prefix_len; i < target_len; i++)
		text[base_len + i] = (char)('a' + i % 26);
	text[base_len + target_len] = '\0';
	return text;
}

static void test_max_length_path(void **state)
{
	char *text = url_with_target("/", URL_TARGET_MAX - 1);
	struct url *u;

	(void)state;
	u = parse_ok(text);
	assert_int_equal(strlen(u->target), URL_TARGET_MAX - 1);
	assert_string_equal(u->target, text + strlen("http://127.0.0.1"));
	free(u);
	free(text);

	/* query only: the "/" the parser adds counts too */
	text = url_with_target("?", URL_TARGET_MAX - 2);
	u = parse_ok(text);
	assert_int_equal(strlen(u->target), URL_TARGET_MAX - 1);
	assert_int_equal(u->target[0], '/');
	assert_string_equal(u->target + 1, text + strlen("http://127.0.0.1"));
	free(u);
	free(text);

	/* a long fragment does not count */
	text = malloc(URL_TARGET_MAX * 2);
	assert_non_null(text);
	snprintf(text, URL_TARGET_MAX * 2, "http://127.0.0.1/p#%0*d", URL_TARGET_MAX + 10, 7);
	u = parse_ok(text);
	assert_string_equal(u->target, "/p");
	free(u);
	free(text);
}

/* ---- the path and query as sent: what Go's net/http sends (go-client) ---- */

/* Go percent-encodes a non-ASCII path (labserver answers 404, where the raw
 * bytes got 400) and sends the query as given (url.URL.RawQuery). */
static void test_path_non_ascii_encoded(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1:8080/\xc3\xa9");

	(void)state;
	assert_string_equal(u->target, "/%C3%A9");
	assert_string_equal(u->host_header, "127.0.0.1:8080");
	free(u);

	u = parse_ok("http://127.0.0.1:8080/\xc3\xa9?q=\xc3\xa9");
	assert_string_equal(u->target, "/%C3%A9?q=\xc3\xa9");
	free(u);

	u = parse_ok("http://127.0.0.1?q=\xc3\xa9"); /* query only */
	assert_string_equal(u->target, "/?q=\xc3\xa9");
	free(u);

	u = parse_ok("http://127.0.0.1/caf\xc3\xa9/\xff\x80#fr\xc3\xa9");
	assert_string_equal(u->target, "/caf%C3%A9/%FF%80");
	free(u);

	u = parse_ok("http://[::1]:9/\xc3\xa9?x=1");
	check_v6(u, "::1", 9);
	assert_string_equal(u->target, "/%C3%A9?x=1");
	free(u);
}

/* Go's url.Parse takes a space in the path and sends it as %20. */
static void test_path_space_encoded(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1/a b");

	(void)state;
	assert_string_equal(u->target, "/a%20b");
	free(u);
}

/* net/url shouldEscape(c, encodePath) for every printable byte: after a "é",
 * which makes the path need encoding, c stays itself or becomes %XX. */
static void test_path_escape_table(void **state)
{
	const char *kept = "-_.~$&+,/:;=@"; /* besides letters and digits */

	(void)state;
	for (int c = '!'; c <= '~'; c++) {
		char text[64], want[64];
		struct url *u;

		if (c == '?' || c == '#' || c == '%') /* query, fragment, escape */
			continue;
		snprintf(text, sizeof(text), "http://127.0.0.1/\xc3\xa9%c", c);
		if (isalnum(c) || strchr(kept, c))
			snprintf(want, sizeof(want), "/%%C3%%A9%c", c);
		else
			snprintf(want, sizeof(want), "/%%C3%%A9%%%02X", c);
		u = parse_ok(text);
		if (strcmp(u->target, want) != 0)
			fail_msg("byte '%c': target \"%s\", want \"%s\"", c, u->target, want);
		free(u);
	}
}

/* A path of nothing that needs escaping, besides sub-delims, [ ] and %XX, goes
 * as written (url.URL.RawPath, validEncoded); once one byte needs escaping the
 * whole path is decoded and encoded again, as (*URL).EscapedPath does. */
static void test_path_raw_kept_or_reencoded(void **state)
{
	struct url *u = parse_ok("http://127.0.0.1/a(b)%41[c]!*'%2f%c3%a9");

	(void)state;
	assert_string_equal(u->target, "/a(b)%41[c]!*'%2f%c3%a9");
	free(u);

	u = parse_ok("http://127.0.0.1/%41\xc3\xa9(x)");
	assert_string_equal(u->target, "/A%C3%A9%28x%29");
	free(u);

	u = parse_ok("http://127.0.0.1/\xc3\xa9%2F%3f%7e%25?%zz+%41");
	assert_string_equal(u->target, "/%C3%A9/%3F~%25?%zz+%41");
	free(u);

	u = parse_ok("http://127.0.0.1/a\"b<c>{d}|e^f`g\\h");
	assert_string_equal(u->target, "/a%22b%3Cc%3E%7Bd%7D%7Ce%5Ef%60g%5Ch");
	free(u);
}

/* url.Parse refuses a % in the path that starts no escape, in its words;
 * in the query it is sent as given. */
static void test_path_bad_percent_escape(void **state)
{
	struct url *u;

	(void)state;
	check_fails("http://127.0.0.1/%zz", "invalid URL escape \"%zz\"");
	check_fails("http://127.0.0.1/%zz", "%25");
	check_fails("http://127.0.0.1/a%", "invalid URL escape \"%\"");
	check_fails("http://127.0.0.1/a%4", "invalid URL escape \"%4\"");
	check_fails("http://127.0.0.1/a%4?1", "invalid URL escape \"%4\"");
	check_fails("http://127.0.0.1/a%g1\xc3\xa9", "invalid URL escape \"%g1\"");
	check_fails("http://127.0.0.1/100%", "escape");
	u = parse_ok("http://127.0.0.1/x?%zz%");
	assert_string_equal(u->target, "/x?%zz%");
	free(u);
}

/* The limit is on the target as sent: "é" is 2 bytes written, 6 sent. */
static void test_encoded_path_too_long(void **state)
{
	size_t n = (URL_TARGET_MAX - 2) / 6; /* "/" + n * "%C3%A9" fits */
	char *text = malloc(32 + 2 * (n + 1));
	struct url *u;
	size_t len;

	(void)state;
	assert_non_null(text);
	len = (size_t)sprintf(text, "http://127.0.0.1/");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "\xc3\xa9");
	u = parse_ok(text);
	assert_int_equal(strlen(u->target), 1 + 6 * n);
	assert_memory_equal(u->target, "/%C3%A9", 7);
	free(u);

	/* one more "é": 6 bytes over */
	snprintf(text + len, 32, "\xc3\xa9");
	if (1 + 6 * (n + 1) < URL_TARGET_MAX)
		fail_msg("test needs n + 1 to overflow");
	check_fails(text, "long");
	free(text);
}

/* ---- invalid URLs ---- */

static void test_empty(void **state)
{
	(void)state;
	check_fails("", "empty");
}

static void test_null(void **state)
{
	(void)state;
	check_fails(NULL, "empty");
}

static void test_no_scheme(void **state)
{
	(void)state;
	check_fails("127.0.0.1:8080/hello", "http://");
	check_fails("//127.0.0.1/", "http://");
	check_fails("http:/127.0.0.1/", "http://");
	check_fails("http", "http://");
}

static void test_https(void **state)
{
	(void)state;
	check_fails("https://127.0.0.1/", "https");
	check_fails("HTTPS://127.0.0.1:443/", "https");
}

static void test_ftp(void **state)
{
	(void)state;
	check_fails("ftp://127.0.0.1/file", "http://");
}

static void test_userinfo(void **state)
{
	(void)state;
	check_fails("http://user@127.0.0.1/", "user");
	check_fails("http://user:pw@127.0.0.1:8080/", "user");
}

static void test_host_name_needs_dns(void **state)
{
	(void)state;
	check_fails("http://example.com/", "DNS");
	check_fails("http://example.com:8080/x", "DNS");
	check_fails("http://localhost.localdomain/", "DNS");
}

static void test_bad_ipv4(void **state)
{
	(void)state;
	check_fails("http://256.1.1.1/", "256.1.1.1");
	check_fails("http://256.1.1.1/", "IP literal");
	check_fails("http://1.2.3/", "IP literal");
	check_fails("http://1.2.3.4.5/", "IP literal");
}

static void test_port_zero(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1:0/", "port");
	check_fails("http://127.0.0.1:00000/", "port");
}

static void test_port_65536(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1:65536/", "port");
}

static void test_port_too_many_digits(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1:99999999/", "port");
	check_fails("http://127.0.0.1:000080/", "port");
}

static void test_port_not_a_number(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1:80a/", "port");
	check_fails("http://127.0.0.1:+80/", "port");
	check_fails("http://127.0.0.1:-1/", "port");
	check_fails("http://127.0.0.1:8 0/", "port");
	check_fails("http://[::1]:x/", "port");
}

static void test_empty_port(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1:/", "port");
	check_fails("http://127.0.0.1:", "port");
	check_fails("http://[::1]:/", "port");
}

static void test_unclosed_bracket(void **state)
{
	(void)state;
	check_fails("http://[::1", "]");
	check_fails("http://[::1/x", "]");
}

static void test_text_after_bracket(void **state)
{
	(void)state;
	check_fails("http://[::1]x/", "]");
	check_fails("http://[::1]x/", "after");
}

static void test_bracketed_v4(void **state)
{
	(void)state;
	check_fails("http://[1.2.3.4]/", "IPv6");
	check_fails("http://[]/", "IPv6");
	check_fails("http://[localhost]/", "IPv6");
}

/* Without brackets "::1:8080" could be [::1]:8080 or [::1:8080]:80: refused,
 * with the bracketed form to copy (the form labserver's ::1 listener takes). */
static void test_unbracketed_v6(void **state)
{
	(void)state;
	check_fails("http://::1/", "http://[::1]:PORT/");
	check_fails("http://::1:8080/ok", "brackets");
	check_fails("http://fe80::1/", "brackets");
	check_fails("http://1:2:3/", "brackets");
}

/* ... and the message writes the URL with the brackets (both ways when the
 * last ":N" may be the port), or says the host is no IPv6 literal at all. */
static void test_unbracketed_v6_names_the_fix(void **state)
{
	(void)state;
	check_fails("http://::1/x", "an IPv6 literal goes in brackets, as in http://[::1]:PORT/; here: http://[::1]/x");
	check_fails("http://::1", "here: http://[::1]");
	check_fails("http://fe80::1/a?b#c", "here: http://[fe80::1]/a?b#c");
	check_fails("http://::1:8080/ok", "here: http://[::1]:8080/ok, or http://[::1:8080]/ok if 8080 is not the port");
	check_fails("http://1:2:3:4:5:6:7:8:80/p", "here: http://[1:2:3:4:5:6:7:8]:80/p");
	check_fails("http://1:2:3/", "'1:2:3' is not one");
	check_fails("http://::1:99999/", "'::1:99999' is not one");
	check_fails("http://::1:g/", "'::1:g' is not one");
}

static void test_empty_host(void **state)
{
	(void)state;
	check_fails("http:///x", "host");
	check_fails("http://", "host");
	check_fails("http://:8080/", "host");
	check_fails("http://?q", "host");
}

static void test_control_chars_in_path(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1/a\tb", "control");
	check_fails_why("http://127.0.0.1/a\r\nHost: evil", "control", 0);
	check_fails("http://127.0.0.1/a\x7f", "control");
	/* Go would send a space in the query raw, breaking the request line */
	check_fails("http://127.0.0.1?a b", "space in the query");
	check_fails("http://127.0.0.1/x?a b", "%20");
	check_fails("http://127.0.0.1/\x01", "control");
}

/* url.h promises "one line saying what is wrong", and client_parse_args
 * prints it as its one-line usage error; the message quotes the URL, so a
 * CR LF in the URL must not reach it raw. */
static void test_why_is_one_line_with_crlf_in_url(void **state)
{
	(void)state;
	check_fails("http://127.0.0.1/a\r\nHost: evil", "control");
}

static void test_path_too_long(void **state)
{
	char *text = url_with_target("/", URL_TARGET_MAX);

	(void)state;
	check_fails(text, "long");
	free(text);
	text = url_with_target("/", URL_TARGET_MAX * 4);
	check_fails(text, "long");
	free(text);
	/* query only: "/" + URL_TARGET_MAX - 1 bytes does not fit either */
	text = url_with_target("?", URL_TARGET_MAX - 1);
	check_fails(text, "long");
	free(text);
}

static void test_host_too_long(void **state)
{
	char text[256];

	(void)state;
	snprintf(text, sizeof(text), "http://%0200d/", 1);
	check_fails(text, "host");
}

/* A why buffer of 8 bytes gets 7 bytes of the message and a NUL, never more
 * (the buffer is on the heap, exactly 8 bytes: ASan reports any overflow). */
static void test_tiny_why_buffer(void **state)
{
	const char *inputs[] = {
		"",
		"https://127.0.0.1/",
		"http://example.com/a/very/long/path/to/make/the/message/long",
		"http://127.0.0.1:99999/",
		"http://[::1",
		"http://::1:8080/ok",
		"http://127.0.0.1/%zz",
	};
	char full[WHY_LEN];
	struct url u;

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *why = malloc(8);

		assert_non_null(why);
		assert_int_equal(url_parse(inputs[i], &u, full, sizeof(full)), -1);
		assert_true(strlen(full) > 7);
		assert_int_equal(url_parse(inputs[i], &u, why, 8), -1);
		assert_int_equal(strlen(why), 7);
		assert_memory_equal(why, full, 7);
		free(why);
	}

	/* why_len 1: only the terminating NUL */
	{
		char *why = malloc(1);

		assert_non_null(why);
		why[0] = 'X';
		assert_int_equal(url_parse("ftp://x", &u, why, 1), -1);
		assert_int_equal(why[0], '\0');
		free(why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_url),
		cmocka_unit_test(test_no_port_is_80),
		cmocka_unit_test(test_no_path_is_slash),
		cmocka_unit_test(test_only_query),
		cmocka_unit_test(test_fragment_stripped),
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_scheme_case_insensitive),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_port_bounds),
		cmocka_unit_test(test_max_length_path),
		cmocka_unit_test(test_path_non_ascii_encoded),
		cmocka_unit_test(test_path_space_encoded),
		cmocka_unit_test(test_path_escape_table),
		cmocka_unit_test(test_path_raw_kept_or_reencoded),
		cmocka_unit_test(test_path_bad_percent_escape),
		cmocka_unit_test(test_encoded_path_too_long),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_no_scheme),
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_ftp),
		cmocka_unit_test(test_userinfo),
		cmocka_unit_test(test_host_name_needs_dns),
		cmocka_unit_test(test_bad_ipv4),
		cmocka_unit_test(test_port_zero),
		cmocka_unit_test(test_port_65536),
		cmocka_unit_test(test_port_too_many_digits),
		cmocka_unit_test(test_port_not_a_number),
		cmocka_unit_test(test_empty_port),
		cmocka_unit_test(test_unclosed_bracket),
		cmocka_unit_test(test_text_after_bracket),
		cmocka_unit_test(test_bracketed_v4),
		cmocka_unit_test(test_unbracketed_v6),
		cmocka_unit_test(test_unbracketed_v6_names_the_fix),
		cmocka_unit_test(test_empty_host),
		cmocka_unit_test(test_control_chars_in_path),
		cmocka_unit_test(test_why_is_one_line_with_crlf_in_url),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_host_too_long),
		cmocka_unit_test(test_tiny_why_buffer),
	};

	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
