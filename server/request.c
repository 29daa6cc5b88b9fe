/* request.c: finding and parsing an HTTP/1.x request head.
 *
 * Only the request line is checked strictly; header lines are kept but not
 * interpreted, since no scenario depends on them. */
#include "request.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 allows (and asks servers to skip) blank lines before a request. */
static size_t leading_blank_lines(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

size_t request_head_end(const char *buf, size_t len, size_t from)
{
	size_t start = leading_blank_lines(buf, len);
	/* The terminator may have begun in the part already searched. */
	size_t i = from > 2 ? from - 2 : 0;

	if (i < start)
		i = start;
	for (; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_visible(unsigned char c)
{
	return c > ' ' && c < 0x7f;
}

static void split_query(const char *target, size_t len, struct request *req)
{
	const char *q = memchr(target, '?', len);

	req->path = target;
	req->path_len = q ? (size_t)(q - target) : len;
	req->query = q ? q + 1 : NULL;
	req->query_len = q ? len - req->path_len - 1 : 0;
}

/* Origin form "/p?q" is what clients send; absolute form
 * "http://host/p?q" is what they send to proxies, and is legal here too. */
static int split_target(const char *target, size_t len, struct request *req)
{
	size_t scheme = 0;

	if (len >= 7 && strncasecmp(target, "http://", 7) == 0)
		scheme = 7;
	else if (len >= 8 && strncasecmp(target, "https://", 8) == 0)
		scheme = 8;

	if (scheme == 0) {
		/* "*" (OPTIONS *) names no scenario, so it gets a 404. */
		if (target[0] != '/' && !(len == 1 && target[0] == '*'))
			return -1;
		split_query(target, len, req);
		return 0;
	}

	size_t authority_end = scheme;
	while (authority_end < len && target[authority_end] != '/' &&
	       target[authority_end] != '?')
		authority_end++;
	split_query(target + authority_end, len - authority_end, req);
	if (req->path_len == 0) {
		req->path = "/";
		req->path_len = 1;
	}
	return 0;
}

int request_parse(const char *head, size_t len, struct request *req)
{
	size_t skip = leading_blank_lines(head, len);
	const char *line = head + skip;
	const char *nl = memchr(line, '\n', len - skip);
	size_t line_len = nl ? (size_t)(nl - line) : len - skip;

	if (line_len > 0 && line[line_len - 1] == '\r')
		line_len--;
	memset(req, 0, sizeof(*req));
	req->line = line;
	req->line_len = line_len;

	size_t p = 0;
	while (p < line_len && is_tchar((unsigned char)line[p]))
		p++;
	if (p == 0 || p >= line_len || line[p] != ' ')
		return -1;
	req->method = line;
	req->method_len = p;

	size_t target_start = ++p;
	while (p < line_len && is_visible((unsigned char)line[p]))
		p++;
	if (p == target_start || p >= line_len || line[p] != ' ')
		return -1;
	size_t target_len = p - target_start;

	const char *version = line + p + 1;
	size_t version_len = line_len - p - 1;
	if (version_len != 8 || memcmp(version, "HTTP/1.", 7) != 0 ||
	    version[7] < '0' || version[7] > '9')
		return -1;

	return split_target(line + target_start, target_len, req);
}

bool request_is_method(const struct request *req, const char *method)
{
	size_t len = strlen(method);

	return req->method_len == len && memcmp(req->method, method, len) == 0;
}

bool request_query_param(const struct request *req, const char *name,
			 const char **value, size_t *value_len)
{
	size_t name_len = strlen(name);
	const char *p = req->query;
	const char *end = req->query ? req->query + req->query_len : NULL;
	bool found = false;

	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *key_end = eq ? eq : pair_end;

		if ((size_t)(key_end - p) == name_len &&
		    memcmp(p, name, name_len) == 0) {
			*value = eq ? eq + 1 : pair_end;
			*value_len = (size_t)(pair_end - *value);
			found = true;
		}
		p = amp ? amp + 1 : NULL;
	}
	return found;
}
