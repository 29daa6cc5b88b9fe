/* url.c: parse http://HOST[:PORT]/PATH?QUERY without ever resolving a name. */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HTTP_SCHEME "http://"

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	for (char *c = why; *c; c++) /* the URL is quoted: keep the message one line */
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	return -1;
}

/* Port: 1 to 5 digits, 1..65535. */
static int parse_port(const char *text, size_t len, unsigned *port)
{
	unsigned value = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)text[i]))
			return -1;
		value = value * 10 + (unsigned)(text[i] - '0');
	}
	if (value == 0 || value > 65535)
		return -1;
	*port = value;
	return 0;
}

static int set_address(struct url *out, const char *host, int want_v6, unsigned port)
{
	memset(&out->addr, 0, sizeof(out->addr));
	if (want_v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->addr;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		out->family = AF_INET6;
		out->addr_len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&out->addr;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		out->family = AF_INET;
		out->addr_len = sizeof(*sin);
	}
	return 0;
}

/* The request line's path, as Go's net/http client sends it (go-client does):
 *   `net/url/url.go (*URL).RequestURI`
 *   `net/url/url.go (*URL).EscapedPath`
 *   `net/url/url.go (*URL).setPath`
 *   `net/url/url.go validEncoded`
 *   `net/url/url.go unescape`
 *   `net/url/url.go escape`
 *   `net/url/url.go shouldEscape`
 * setPath keeps the path as written (RawPath) when EscapedPath's validEncoded
 * accepts it: it holds only bytes shouldEscape(encodePath) leaves alone, the
 * sub-delims ! $ & ' ( ) * + , ; = : @, [ ], and % escapes. Otherwise the whole
 * path is unescaped and escaped again: "/%41é" goes as "/A%C3%A9". The query is
 * RawQuery, sent as given, non-ASCII bytes and all. A % in the path that
 * starts no escape is url.Parse's error (unescape); in the query it is not. */

/* `net/url/url.go shouldEscape`, mode encodePath */
static int path_should_escape(unsigned char c)
{
	if (isalnum(c) && c < 0x80)
		return 0;
	switch (c) {
	case '-': case '_': case '.': case '~':
	case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '@':
		return 0;
	}
	return 1;
}

/* `net/url/url.go validEncoded`, mode encodePath */
static int valid_encoded(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
		case ';': case '=': case ':': case '@': case '[': case ']': case '%':
			continue;
		}
		if (path_should_escape((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Appends c to dst at n unless dst (URL_TARGET_MAX bytes) is full; returns
 * n + 1 either way, so the caller learns the length it would need. */
static size_t put(char *dst, size_t n, char c)
{
	if (n < URL_TARGET_MAX)
		dst[n] = c;
	return n + 1;
}

static int hex_value(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* escape(unescape(s, encodePath), encodePath); every % in s starts a valid escape. */
static size_t escape_unescaped(char *dst, size_t n, const char *s, size_t len)
{
	static const char upperhex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			c = (unsigned char)(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
			i += 2;
		}
		if (path_should_escape(c)) {
			n = put(dst, n, '%');
			n = put(dst, n, upperhex[c >> 4]);
			n = put(dst, n, upperhex[c & 15]);
		} else {
			n = put(dst, n, (char)c);
		}
	}
	return n;
}

/* "http://::1/x": the message names the URL, says brackets (in the words
 * go-client uses too) and writes the URL with them, both ways when the last
 * ":N" may be a port ("::1:8080" is [::1]:8080 or [::1:8080]). */
#define BRACKETS "an IPv6 literal goes in brackets, as in http://[::1]:PORT/"

static int unbracketed_v6(const char *text, const char *authority, const char *authority_end, char *why,
			  size_t why_len)
{
	char whole[INET6_ADDRSTRLEN + 1], head[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	size_t len = (size_t)(authority_end - authority);
	const char *last = memrchr(authority, ':', len);
	size_t head_len = (size_t)(last - authority);
	unsigned port;
	int whole_ok = 0, head_ok = 0;

	if (len < sizeof(whole)) {
		memcpy(whole, authority, len);
		whole[len] = '\0';
		whole_ok = inet_pton(AF_INET6, whole, &a6) == 1;
	}
	if (head_len < sizeof(head) && parse_port(last + 1, (size_t)(authority_end - last - 1), &port) == 0) {
		memcpy(head, authority, head_len);
		head[head_len] = '\0';
		head_ok = inet_pton(AF_INET6, head, &a6) == 1;
	}
	if (whole_ok && head_ok)
		return fail(why, why_len,
			    "URL '%.100s': " BRACKETS "; here: http://[%s]:%u%.100s, or http://[%s]%.100s if %u is not the port",
			    text, head, port, authority_end, whole, authority_end, port);
	if (whole_ok)
		return fail(why, why_len, "URL '%.100s': " BRACKETS "; here: http://[%s]%.100s", text, whole, authority_end);
	if (head_ok)
		return fail(why, why_len, "URL '%.100s': " BRACKETS "; here: http://[%s]:%u%.100s", text, head, port,
			    authority_end);
	return fail(why, why_len,
		    "URL '%.100s': " BRACKETS ", and '%.*s' is not one",
		    text, (int)(len < 100 ? len : 100), authority);
}

int url_parse(const char *text, struct url *out, char *why, size_t why_len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *authority, *authority_end, *host_end, *target, *query;
	size_t host_len, target_len, path_len, n;
	unsigned port = 80;
	int bracketed = 0;

	memset(out, 0, sizeof(*out));
	if (text == NULL || *text == '\0')
		return fail(why, why_len, "empty URL: want http://HOST[:PORT]/PATH");
	if (strncasecmp(text, HTTP_SCHEME, strlen(HTTP_SCHEME)) != 0) {
		if (strncasecmp(text, "https://", 8) == 0)
			return fail(why, why_len, "URL '%.100s': https is not supported, the lab speaks plain http://", text);
		return fail(why, why_len, "URL '%.100s' does not start with http://", text);
	}
	authority = text + strlen(HTTP_SCHEME);
	authority_end = authority + strcspn(authority, "/?#");
	if (memchr(authority, '@', (size_t)(authority_end - authority)))
		return fail(why, why_len, "URL '%.100s': user info (user@host) is not supported", text);

	if (*authority == '[') {
		bracketed = 1;
		host_end = memchr(authority, ']', (size_t)(authority_end - authority));
		if (host_end == NULL)
			return fail(why, why_len, "URL '%.100s': IPv6 literal has no closing ']'", text);
		host_len = (size_t)(host_end - authority - 1);
		if (host_len == 0 || host_len >= sizeof(host))
			return fail(why, why_len, "URL '%.100s': bad IPv6 literal", text);
		memcpy(host, authority + 1, host_len);
		host_end++; /* past ']' */
		if (host_end != authority_end && *host_end != ':')
			return fail(why, why_len, "URL '%.100s': unexpected text after ']'", text);
	} else {
		host_end = memchr(authority, ':', (size_t)(authority_end - authority));
		/* "::1:8080": without brackets no one can tell the port from the address */
		if (host_end && memchr(host_end + 1, ':', (size_t)(authority_end - host_end - 1)))
			return unbracketed_v6(text, authority, authority_end, why, why_len);
		if (host_end == NULL)
			host_end = authority_end;
		host_len = (size_t)(host_end - authority);
		if (host_len == 0)
			return fail(why, why_len, "URL '%.100s' has no host", text);
		if (host_len >= sizeof(host))
			return fail(why, why_len, "URL '%.100s': host is too long", text);
		memcpy(host, authority, host_len);
	}
	host[host_len] = '\0';

	if (host_end != authority_end) { /* ":PORT" */
		if (parse_port(host_end + 1, (size_t)(authority_end - host_end - 1), &port) != 0)
			return fail(why, why_len, "URL '%.100s': port '%.*s' is not a number in 1..65535", text,
				    (int)(authority_end - host_end - 1), host_end + 1);
	}

	if (bracketed) {
		if (set_address(out, host, 1, port) != 0)
			return fail(why, why_len, "URL '%.100s': '%s' is not an IPv6 address", text, host);
	} else if (strcasecmp(host, "localhost") == 0) {
		set_address(out, "127.0.0.1", 0, port);
	} else if (set_address(out, host, 0, port) != 0) {
		return fail(why, why_len,
			    "URL '%.100s': host '%s' is not an IP literal; this lab does no DNS (a resolver would add "
			    "syscalls to every trace), use 127.0.0.1, [::1] or localhost",
			    text, host);
	}

	/* Host header: the authority as written, port included when given. */
	snprintf(out->host_header, sizeof(out->host_header), "%.*s", (int)(authority_end - authority), authority);

	/* Target: path and query; a fragment never goes on the wire. */
	target = authority_end;
	target_len = strcspn(target, "#");
	query = memchr(target, '?', target_len);
	path_len = query ? (size_t)(query - target) : target_len;
	for (size_t i = 0; i < target_len; i++) {
		unsigned char c = (unsigned char)target[i];

		if (c < ' ' || c == 0x7f) /* Go's url.Parse refuses these too */
			return fail(why, why_len, "URL '%.100s': control character in the path or query", text);
		if (c == ' ' && i >= path_len) /* Go would send it raw and break the request line */
			return fail(why, why_len, "URL '%.100s': space in the query; write it as %%20 or +", text);
	}
	for (size_t i = 0; i < path_len; i++) {
		if (target[i] == '%' && (i + 2 >= path_len || !isxdigit((unsigned char)target[i + 1]) ||
					 !isxdigit((unsigned char)target[i + 2])))
			return fail(why, why_len, "URL '%.100s': invalid URL escape \"%.*s\" in the path; a %% is written %%25",
				    text, (int)(path_len - i < 3 ? path_len - i : 3), target + i);
	}
	n = 0;
	if (path_len == 0) /* "http://h" or "http://h?q": the path is "/" */
		n = put(out->target, n, '/');
	else if (valid_encoded(target, path_len))
		for (size_t i = 0; i < path_len; i++)
			n = put(out->target, n, target[i]);
	else
		n = escape_unescaped(out->target, n, target, path_len);
	for (size_t i = path_len; i < target_len; i++) /* the query goes as given, as Go's RawQuery does */
		n = put(out->target, n, target[i]);
	if (n >= sizeof(out->target)) {
		out->target[0] = '\0';
		return fail(why, why_len, "URL '%.100s': path is longer than %d bytes as sent", text, URL_TARGET_MAX - 1);
	}
	out->target[n] = '\0';
	return 0;
}
