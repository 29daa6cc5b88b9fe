/* args.c: scanning strace's argument syntax (see args.h). */
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
	if (s[i] == '<') {
		size_t j = scan_decoration(s, n, i);

		return j;
	}
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
