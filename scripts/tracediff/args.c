/* args.c: strace's argument syntax (see args.h). */
#include "args.h"

#include <ctype.h>
#include <string.h>

size_t scan_string(const char *s, size_t n, size_t i)
{
	i++; /* the opening quote */
	while (i < n && s[i] != '"') {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		i++;
	}
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

/* Skips a C comment starting at s[i] == '/' && s[i+1] == '*'. */
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

static void push_trimmed(const char *s, size_t a, size_t b, struct strvec *out)
{
	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	sv_push(out, xstrndup(s + a, b - a));
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
		size_t end = scan_depth0(s, n, start, ',', false);

		push_trimmed(s, start, end, out);
		if (end >= n)
			break;
		start = end + 1;
	}
}

char *args_join(const struct strvec *args)
{
	struct sbuf b = { 0 };

	for (size_t i = 0; i < args->n; i++) {
		if (i)
			sb_puts(&b, ", ");
		sb_puts(&b, args->v[i]);
	}
	return sb_take(&b);
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

bool parse_fd_arg(const char *s, long *fd)
{
	size_t n = strlen(s), i = 0;
	long v = 0;

	while (i < n && isdigit((unsigned char)s[i])) {
		if (v < 100000000L)
			v = v * 10 + (s[i] - '0');
		i++;
	}
	if (i == 0 || i > 9)
		return false;
	if (i < n) {
		if (s[i] != '<' || scan_decoration(s, n, i) != n)
			return false;
	}
	*fd = v;
	return true;
}

size_t parse_fd_array(const char *s, long *out, size_t max)
{
	size_t n = strlen(s), got = 0;
	struct strvec parts = { 0 };

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	args_split(s + 1, n - 2, &parts);
	for (size_t i = 0; i < parts.n && got < max; i++) {
		long fd;

		if (parse_fd_arg(parts.v[i], &fd))
			out[got++] = fd;
	}
	sv_free(&parts);
	return got;
}

void for_each_poll_fd(const char *s, void (*f)(void *env, long fd), void *env)
{
	const char *p = s;

	while ((p = strstr(p, "{fd=")) != NULL) {
		long fd;

		p += 4;
		if (isdigit((unsigned char)*p) && parse_long_prefix(p, &fd))
			f(env, fd);
	}
}
