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

int url_parse(const char *text, struct url *out, char *why, size_t why_len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *authority, *authority_end, *host_end, *target;
	size_t host_len, target_len;
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
			return fail(why, why_len, "URL '%.100s': an IPv6 literal goes in brackets, as in http://[::1]:PORT/",
				    text);
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
	for (size_t i = 0; i < target_len; i++) {
		if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f)
			return fail(why, why_len, "URL '%.100s': space or control character in the path", text);
	}
	if (target_len == 0 || target[0] == '?') {
		/* "http://h" or "http://h?q": the path is "/" */
		if (target_len + 2 > sizeof(out->target))
			return fail(why, why_len, "URL '%.100s': path is longer than %d bytes", text, URL_TARGET_MAX - 1);
		out->target[0] = '/';
		memcpy(out->target + 1, target, target_len);
		out->target[target_len + 1] = '\0';
	} else {
		if (target_len + 1 > sizeof(out->target))
			return fail(why, why_len, "URL '%.100s': path is longer than %d bytes", text, URL_TARGET_MAX - 1);
		memcpy(out->target, target, target_len);
		out->target[target_len] = '\0';
	}
	return 0;
}
