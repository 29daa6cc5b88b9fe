/* rewrite.c: placeholders in argument and result texts (see rewrite.h). */
#include "rewrite.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "util.h"

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t digits_end(const char *s, size_t n, size_t i)
{
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i;
}

static const char *const HTTP_STARTS[] = { "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
					   "PATCH ", "CONNECT ", "TRACE ", "HTTP/" };

/* s[0..n), then line_end, then the literal closed and marked as cut. */
static char *cut_literal(const char *s, size_t n, const char *line_end)
{
	struct sbuf b = { 0 };

	sb_put(&b, s, n);
	sb_puts(&b, line_end);
	sb_puts(&b, "\"...");
	return sb_take(&b);
}

char *http_first_line(const char *s)
{
	size_t n = strlen(s), end, i;
	bool http = false;

	if (n < 2 || s[0] != '"')
		return NULL;
	for (i = 0; i < sizeof(HTTP_STARTS) / sizeof(HTTP_STARTS[0]); i++)
		http = http || starts_with(s + 1, HTTP_STARTS[i]);
	if (!http)
		return NULL;
	end = scan_string(s, n, 0);
	/* up to the first \r or \n escape */
	for (i = 1; i < end && s[i] != '"'; i++) {
		if (s[i] != '\\' || i + 1 >= end)
			continue;
		if (s[i + 1] == 'r' && i + 3 < end && s[i + 2] == '\\' && s[i + 3] == 'n')
			return cut_literal(s, i, "\\r\\n");
		if (s[i + 1] == 'r' || s[i + 1] == 'n')
			return cut_literal(s, i + 2, "");
		i++;
	}
	/* no line end in what strace showed: keep what there is */
	return cut_literal(s, i, "");
}

char *epoll_data_value(const char *s, size_t *end)
{
	size_t n = strlen(s), i = 5, b; /* past "data=" */

	if (!starts_with(s, "data="))
		return NULL;
	if (i < n && s[i] == '{') {
		const char *u64;
		int depth = 1;

		for (b = i + 1; b < n && depth > 0; b++)
			depth += (s[b] == '{') - (s[b] == '}');
		*end = b;
		u64 = memmem(s + i, b - i, "u64=", 4);
		if (!u64)
			u64 = memmem(s + i, b - i, "u32=", 4);
		if (!u64)
			return xstrndup(s + i, b - i);
		i = (size_t)(u64 - s) + 4;
		for (n = i; n < b && is_word_char(s[n]); n++)
			;
		return xstrndup(s + i, n - i);
	}
	for (b = i; b < n && (is_word_char(s[b]) || s[b] == '-'); b++)
		;
	*end = b;
	return xstrndup(s + i, b - i);
}

/* Inside a -y decoration: socket inode numbers and ports vary by run. */
static void put_decoration(struct sbuf *out, const char *s, size_t n)
{
	for (size_t i = 0, j; i < n;) {
		if (s[i] == '[' && i + 1 < n && isdigit((unsigned char)s[i + 1]) && (j = digits_end(s, n, i + 1)) < n &&
		    s[j] == ']') {
			sb_puts(out, "[INODE]");
			i = j + 1;
		} else if (s[i] == ':' && i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == ']') && i + 1 < n &&
			   isdigit((unsigned char)s[i + 1]) &&
			   ((j = digits_end(s, n, i + 1)) == n || (s[j] != '.' && s[j] != ':'))) {
			sb_puts(out, ":PORT"); /* not a part of an address */
			i = j;
		} else {
			sb_putc(out, s[i++]);
		}
	}
}

static void put_string(struct sbuf *out, const char *s, size_t n, unsigned flags)
{
	char *lit, *line;

	if (!(flags & REWRITE_ELIDE)) {
		sb_put(out, s, n);
		return;
	}
	if (flags & REWRITE_HTTP_LINE) {
		lit = xstrndup(s, n);
		line = http_first_line(lit);
		free(lit);
		if (line) {
			sb_puts(out, line);
			free(line);
			return;
		}
	}
	sb_puts(out, "\"...\"");
}

static const char *role_of(const struct rewrite_env *env, long fd)
{
	return env && env->fd_role ? env->fd_role(env->ctx, fd) : NULL;
}

/* 0x... at text[i]: PTR when it can be an address. */
static size_t put_hex(struct sbuf *out, const char *text, size_t n, size_t i)
{
	size_t j = i + 2;

	while (j < n && isxdigit((unsigned char)text[j]))
		j++;
	if ((j >= n || !is_word_char(text[j])) && (j - (i + 2) > 4 || strtoul(text + i, NULL, 16) >= 0x10000))
		sb_puts(out, "PTR");
	else
		sb_put(out, text + i, j - i);
	return j;
}

/* A number at text[i]: with a -y decoration an fd, which gets its role. */
static size_t put_number(struct sbuf *out, const struct rewrite_env *env, const char *text, size_t n, size_t i)
{
	size_t j = digits_end(text, n, i), k = j < n && text[j] == '<' ? scan_decoration(text, n, j) : j;
	const char *role = k != j ? role_of(env, strtol(text + i, NULL, 10)) : NULL;

	if (role) {
		sb_puts(out, role);
		return k;
	}
	sb_put(out, text + i, j - i);
	put_decoration(out, text + j, k - j);
	return k;
}

/* htons(N), {fd=N (undecorated: the number rule has those) and data=...
 * at text[i]: the index past what was replaced, or i. */
static size_t put_field(struct sbuf *out, const struct rewrite_env *env, const char *text, size_t n, size_t i)
{
	bool word_start = i == 0 || !is_word_char(text[i - 1]);
	size_t j, end = 0;
	const char *role;
	char *value;
	long fd;

	if (word_start && starts_with(text + i, "htons(") && i + 6 < n && isdigit((unsigned char)text[i + 6]) &&
	    (j = digits_end(text, n, i + 6)) < n && text[j] == ')') {
		sb_puts(out, "htons(PORT)");
		return j + 1;
	}
	if (text[i] == '{' && starts_with(text + i + 1, "fd=") && i + 4 < n && isdigit((unsigned char)text[i + 4]) &&
	    ((j = digits_end(text, n, i + 4)) >= n || text[j] != '<') && parse_long_prefix(text + i + 4, &fd) &&
	    (role = role_of(env, fd)) != NULL) {
		sb_printf(out, "{fd=%s", role);
		return j;
	}
	if (!word_start || (value = epoll_data_value(text + i, &end)) == NULL)
		return i;
	role = env && env->data_role ? env->data_role(env->ctx, value) : NULL;
	sb_printf(out, "data=%s", role ? role : "PTR");
	free(value);
	return i + end;
}

char *rewrite_value(const struct rewrite_env *env, const char *text, unsigned flags)
{
	struct sbuf out = { 0 };
	size_t n = strlen(text), i = 0, j;

	while (i < n) {
		bool word_start = i == 0 || !is_word_char(text[i - 1]);

		if (text[i] == '"') {
			j = scan_string(text, n, i);
			put_string(&out, text + i, j - i, flags);
		} else if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
			const char *e = strstr(text + i + 2, "*/");

			j = e ? (size_t)(e - text) + 2 : n;
			sb_put(&out, text + i, j - i);
		} else if (word_start && text[i] == '0' && i + 2 < n && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
			   isxdigit((unsigned char)text[i + 2])) {
			j = put_hex(&out, text, n, i);
		} else if (word_start && isdigit((unsigned char)text[i])) {
			j = put_number(&out, env, text, n, i);
		} else if ((j = put_field(&out, env, text, n, i)) == i) {
			sb_putc(&out, text[i]);
			j = i + 1;
		}
		i = j;
	}
	return sb_take(&out);
}

bool time_is_zero(const char *s)
{
	bool digit = false;

	if (strcmp(s, "NULL") == 0)
		return false;
	/* every number in it is 0: "0", "{tv_sec=0, tv_nsec=0}" */
	for (size_t i = 0; s[i]; i++) {
		if (isdigit((unsigned char)s[i]) && (i == 0 || !is_word_char(s[i - 1]) || s[i - 1] == '=')) {
			digit = true;
			if (s[i] != '0' || isdigit((unsigned char)s[i + 1]))
				return false;
		}
	}
	return digit;
}

/* The text of field name= in a struct, up to its matching close. */
static char *field(const char *s, const char *name)
{
	const char *p = strstr(s, name);
	size_t n, i, depth = 0;

	if (!p)
		return NULL;
	p += strlen(name);
	n = strlen(p);
	for (i = 0; i < n; i++) {
		if (p[i] == '{' || p[i] == '[')
			depth++;
		else if (p[i] == '}' || p[i] == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (p[i] == ',' && depth == 0)
			break;
	}
	return xstrndup(p, i);
}

char *rewrite_itimerspec(const char *s)
{
	char *interval, *value;
	struct sbuf b = { 0 };

	if (strcmp(s, "NULL") == 0)
		return xstrdup(s);
	interval = field(s, "it_interval=");
	value = field(s, "it_value=");
	if (!interval || !value) {
		free(interval);
		free(value);
		return xstrdup(time_is_zero(s) ? "0" : "TIME");
	}
	sb_printf(&b, "{it_interval=%s, it_value=%s}", time_is_zero(interval) ? "0" : "TIME",
		  time_is_zero(value) ? "0" : "TIME");
	free(interval);
	free(value);
	return sb_take(&b);
}
