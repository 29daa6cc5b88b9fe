/* args.c: strace's argument syntax, and the placeholders that argument
 * texts get (see tracediff.h). */
#include "tracediff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

size_t scan_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\' && i + 1 < n)
			i++;
	if (i >= n)
		return n;
	i++; /* the closing quote */
	if (i + 3 <= n && memcmp(s + i, "...", 3) == 0)
		i += 3;
	return i;
}

size_t scan_decoration(const char *s, size_t n, size_t i)
{
	int depth = 0;
	size_t j;

	if (i == 0 || i >= n || s[i] != '<' || !isdigit((unsigned char)s[i - 1]))
		return i;
	for (j = i + 1; j < n; j++) {
		char c = s[j];

		if (c == '[' || c == '(' || c == '{')
			depth++;
		else if ((c == ']' || c == ')' || c == '}') && depth > 0)
			depth--;
		else if (c == '>' && depth == 0)
			return j + 1;
		else if (c == '\n')
			break;
	}
	return i; /* not a decoration after all */
}

/* A comment starts at s[i]: the index past its end, or n. */
static size_t scan_comment(const char *s, size_t n, size_t i)
{
	const char *end;

	if (i + 2 > n)
		return n;
	end = memmem(s + i + 2, n - i - 2, "*/", 2);
	return end ? (size_t)(end - s) + 2 : n;
}

/* The index past whatever lexical unit starts at s[i] that must be skipped
 * as a whole (string, decoration, comment), or i when none does. */
static size_t skip_unit(const char *s, size_t n, size_t i)
{
	if (s[i] == '"')
		return scan_string(s, n, i);
	if (s[i] == '<')
		return scan_decoration(s, n, i);
	if (s[i] == '/' && i + 1 < n && s[i + 1] == '*')
		return scan_comment(s, n, i);
	return i;
}

/* The index of the first `stop` at bracket depth 0 from i, or n. Strings
 * and decorations are skipped whole. With close_ends, a ')' that would
 * close depth 0 ends the scan too; otherwise a stray ')' is just a byte. */
static size_t scan_depth0(const char *s, size_t n, size_t i, char stop, bool close_ends)
{
	size_t depth = 0;

	while (i < n) {
		size_t j = skip_unit(s, n, i);

		if (j != i) {
			i = j;
			continue;
		}
		if (depth == 0 && (s[i] == stop || (close_ends && s[i] == ')')))
			return i;
		if (s[i] == '(' || s[i] == '[' || s[i] == '{')
			depth++;
		else if ((s[i] == ')' || s[i] == ']' || s[i] == '}') && depth > 0)
			depth--;
		i++;
	}
	return n;
}

size_t scan_to_close(const char *s, size_t n, size_t i)
{
	return scan_depth0(s, n, i, ')', true);
}

void args_split(const char *s, size_t n, struct strvec *out)
{
	bool any = false;

	for (size_t k = 0; k < n; k++)
		if (!isspace((unsigned char)s[k]))
			any = true;
	if (!any)
		return;
	for (size_t start = 0;;) {
		size_t end = scan_depth0(s, n, start, ',', false), a = start, b = end;

		while (a < b && isspace((unsigned char)s[a]))
			a++;
		while (b > a && isspace((unsigned char)s[b - 1]))
			b--;
		sv_push(out, xstrndup(s + a, b - a));
		if (end >= n)
			break;
		start = end + 1;
	}
}

bool parse_long_prefix(const char *s, long *v)
{
	bool neg = false;
	long x = 0;
	size_t i = 0;

	if (s[i] == '-') {
		neg = true;
		i++;
	}
	if (!isdigit((unsigned char)s[i]))
		return false;
	for (; isdigit((unsigned char)s[i]); i++)
		if (x < 100000000000L)
			x = x * 10 + (s[i] - '0');
	*v = neg ? -x : x;
	return true;
}

/* The whole of s an fd, "3" or "3<socket:[1]>": the number, else -1. */
static long fd_of(const char *s)
{
	size_t n = strlen(s), i;
	long v = 0;

	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		if (v < 100000000L)
			v = v * 10 + (s[i] - '0');
	if (i == 0 || i > 9 || (i < n && (s[i] != '<' || scan_decoration(s, n, i) != n)))
		return -1;
	return v;
}

long arg_fd(const struct strvec *a, size_t k)
{
	return k < a->n ? fd_of(a->v[k]) : -1;
}

bool arg_fd_pair(const struct strvec *a, size_t k, long pair[2])
{
	size_t n = k < a->n ? strlen(a->v[k]) : 0, got = 0;
	struct strvec parts = { 0 };

	if (n < 2 || a->v[k][0] != '[' || a->v[k][n - 1] != ']')
		return false;
	args_split(a->v[k] + 1, n - 2, &parts);
	for (size_t i = 0; i < parts.n && got < 2; i++)
		if (fd_of(parts.v[i]) >= 0)
			pair[got++] = fd_of(parts.v[i]);
	sv_free(&parts);
	return got == 2;
}

bool next_poll_fd(const char **p, long *fd)
{
	while ((*p = strstr(*p, "{fd=")) != NULL) {
		*p += 4;
		if (isdigit((unsigned char)**p))
			return parse_long_prefix(*p, fd);
	}
	return false;
}

/* The placeholders (README.md, "Placeholders"). */

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

char *http_first_line(const char *s, size_t n)
{
	size_t end, i;
	bool http = false;

	if (n < 2 || s[0] != '"')
		return NULL;
	for (i = 0; i < sizeof(HTTP_STARTS) / sizeof(HTTP_STARTS[0]); i++)
		http = http || starts_with(s + 1, HTTP_STARTS[i]);
	if (!http)
		return NULL;
	end = scan_string(s, n, 0);
	/* up to the first \r or \n escape, with the \n of a \r\n; without
	 * one in what strace showed, what there is */
	for (i = 1; i < end && s[i] != '"'; i++) {
		if (s[i] != '\\' || i + 1 >= end)
			continue;
		if (s[i + 1] == 'r' || s[i + 1] == 'n') {
			i += s[i + 1] == 'r' && i + 3 < end && s[i + 2] == '\\' && s[i + 3] == 'n' ? 4 : 2;
			break;
		}
		i++;
	}
	return xasprintf("%.*s\"...", (int)i, s);
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

static void put_string(struct sbuf *out, const char *s, size_t n, bool elide)
{
	char *line = elide ? http_first_line(s, n) : NULL;

	if (line)
		sb_puts(out, line);
	else if (elide)
		sb_puts(out, "\"...\"");
	else
		sb_put(out, s, n);
	free(line);
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
	const char *role = k != j ? env->fd_role(env->ctx, strtol(text + i, NULL, 10)) : NULL;

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
	    (role = env->fd_role(env->ctx, fd)) != NULL) {
		sb_printf(out, "{fd=%s", role);
		return j;
	}
	if (!word_start || (value = epoll_data_value(text + i, &end)) == NULL)
		return i;
	role = env->data_role(env->ctx, value);
	sb_printf(out, "data=%s", role ? role : "PTR");
	free(value);
	return i + end;
}

char *rewrite_value(const struct rewrite_env *env, const char *text, bool elide)
{
	struct sbuf out = { 0 };
	size_t n = strlen(text), i = 0, j;

	while (i < n) {
		bool word_start = i == 0 || !is_word_char(text[i - 1]);

		if (text[i] == '"') {
			j = scan_string(text, n, i);
			put_string(&out, text + i, j - i, elide);
		} else if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
			j = scan_comment(text, n, i);
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
	size_t i, depth = 0;

	if (!p)
		return NULL;
	p += strlen(name);
	for (i = 0; p[i]; i++) {
		if (p[i] == '{' || p[i] == '[')
			depth++;
		else if ((p[i] == '}' || p[i] == ']') && depth == 0)
			break;
		else if (p[i] == '}' || p[i] == ']')
			depth--;
		else if (p[i] == ',' && depth == 0)
			break;
	}
	return xstrndup(p, i);
}

char *rewrite_itimerspec(const char *s)
{
	char *interval, *value, *r;

	if (strcmp(s, "NULL") == 0)
		return xstrdup(s);
	interval = field(s, "it_interval=");
	value = field(s, "it_value=");
	if (!interval || !value)
		r = xstrdup(time_is_zero(s) ? "0" : "TIME");
	else
		r = xasprintf("{it_interval=%s, it_value=%s}", time_is_zero(interval) ? "0" : "TIME",
			      time_is_zero(value) ? "0" : "TIME");
	free(interval);
	free(value);
	return r;
}
