/* strace_line.c: one strace line taken apart (see strace_line.h). */
#include "strace_line.h"

#include <ctype.h>
#include <string.h>

#include "args.h"

static const char UNFINISHED[] = "<unfinished ...>";
static const char RESUMED_OPEN[] = "<... ";
static const char RESUMED_CLOSE[] = " resumed>";

const char *sl_kind_name(enum sl_kind kind)
{
	static const char *const NAMES[] = { "blank", "call", "unfinished", "resumed",
					     "truncated", "signal", "exit", "other" };

	return kind <= SL_OTHER ? NAMES[kind] : "other";
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Copies s[a..b) into name when it fits; false when it does not. */
static bool take_name(char *name, const char *s, size_t a, size_t b)
{
	if (b - a >= SL_NAME_MAX)
		return false;
	memcpy(name, s + a, b - a);
	name[b - a] = '\0';
	return true;
}

/* "[pid 123] " or "[pid  123] ": returns the index past it, or i. */
static size_t take_bracket_pid(const char *s, size_t n, size_t i, long *pid)
{
	size_t j;
	long v = 0;

	if (n - i < 6 || memcmp(s + i, "[pid", 4) != 0)
		return i;
	j = skip_spaces(s, n, i + 4);
	if (j >= n || !isdigit((unsigned char)s[j]))
		return i;
	while (j < n && isdigit((unsigned char)s[j])) {
		if (v < 100000000000L)
			v = v * 10 + (s[j] - '0');
		j++;
	}
	if (j >= n || s[j] != ']')
		return i;
	*pid = v;
	return skip_spaces(s, n, j + 1);
}

/* A token of digits, ':' and '.', followed by a space: a -t/-tt/-ttt/-r
 * timestamp when it holds ':' or '.', the "PID " prefix of strace -f -o
 * when it is all digits (only allowed first). Returns the index past it
 * and its spaces, or i. */
static size_t take_number_token(const char *s, size_t n, size_t i, bool allow_pid, long *pid)
{
	size_t j = i;
	bool punct = false;
	long v = 0;

	while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':' || s[j] == '.')) {
		if (s[j] == ':' || s[j] == '.')
			punct = true;
		else if (v < 100000000000L)
			v = v * 10 + (s[j] - '0');
		j++;
	}
	if (j == i || j >= n || s[j] != ' ')
		return i;
	if (!punct) {
		if (!allow_pid)
			return i;
		*pid = v;
	}
	return skip_spaces(s, n, j);
}

/* Cuts a -T duration (" <0.000123>", " <unavailable>") off the end of
 * s[a..*b) and trailing spaces with it. */
static void cut_duration(const char *s, size_t a, size_t *b)
{
	size_t e = *b;

	while (e > a && s[e - 1] == ' ')
		e--;
	if (e > a && s[e - 1] == '>') {
		size_t k = e - 1;

		while (k > a && (isalnum((unsigned char)s[k - 1]) || s[k - 1] == '.'))
			k--;
		/* a decoration looks like 3<...>: a duration follows a space */
		if (k > a + 1 && s[k - 1] == '<' && k + 1 < e && s[k - 2] == ' ')
			e = k - 2;
	}
	while (e > a && s[e - 1] == ' ')
		e--;
	*b = e;
}

/* s[i] is just past the ')' that closes a call: expects spaces, "=", a
 * space and the result. */
static void take_result(const char *s, size_t n, size_t i, struct strace_line *out)
{
	size_t j = skip_spaces(s, n, i), end = n;

	if (j >= n || s[j] != '=')
		return;
	j = skip_spaces(s, n, j + 1);
	cut_duration(s, j, &end);
	out->result = s + j;
	out->result_len = end > j ? end - j : 0;
}

/* Does s[a..b) end with "<unfinished ...>"? Sets *cut to where the
 * arguments stop. */
static bool ends_unfinished(const char *s, size_t a, size_t b, size_t *cut)
{
	size_t ul = sizeof(UNFINISHED) - 1;

	while (b > a && s[b - 1] == ' ')
		b--;
	if (b - a < ul || memcmp(s + b - ul, UNFINISHED, ul) != 0)
		return false;
	b -= ul;
	while (b > a && s[b - 1] == ' ')
		b--;
	*cut = b;
	return true;
}

static void parse_resumed(const char *s, size_t n, size_t i, struct strace_line *out)
{
	size_t j = i + sizeof(RESUMED_OPEN) - 1, k = j, close;
	size_t rcl = sizeof(RESUMED_CLOSE) - 1;

	while (k < n && is_name_char(s[k]))
		k++;
	if (k == j || n - k < rcl || memcmp(s + k, RESUMED_CLOSE, rcl) != 0 || !take_name(out->name, s, j, k))
		return;
	k += rcl;
	out->kind = SL_RESUMED;
	{
		size_t m = skip_spaces(s, n, k), ul = sizeof(UNFINISHED) - 1;

		if (n - m >= ul && memcmp(s + m, UNFINISHED, ul) == 0) {
			out->exited_meanwhile = true;
			k = m + ul;
		}
	}
	close = scan_to_close(s, n, k);
	out->args = s + k;
	out->args_len = close - k;
	if (close < n)
		take_result(s, n, close + 1, out);
}

void strace_line_parse(const char *line, size_t len, struct strace_line *out)
{
	const char *s = line;
	size_t n = len, i = 0, j, close, cut;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	out->kind = SL_OTHER;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	i = skip_spaces(s, n, 0);
	if (i == n) {
		out->kind = SL_BLANK;
		return;
	}
	j = take_bracket_pid(s, n, i, &out->pid);
	if (j == i)
		j = take_number_token(s, n, i, true, &out->pid);
	i = j;
	/* up to two timestamp-like tokens (-tt, then -r would be odd, but cheap) */
	for (int k = 0; k < 2; k++)
		i = take_number_token(s, n, i, false, &out->pid);
	if (i >= n)
		return;
	if (n - i >= 4 && memcmp(s + i, "--- ", 4) == 0) {
		size_t a = i + 4, b = a;

		while (b < n && is_name_char(s[b]))
			b++;
		take_name(out->name, s, a, b);
		out->kind = SL_SIGNAL;
		return;
	}
	if (n - i >= 4 && memcmp(s + i, "+++ ", 4) == 0) {
		out->kind = SL_EXIT;
		return;
	}
	if (n - i >= sizeof(RESUMED_OPEN) - 1 && memcmp(s + i, RESUMED_OPEN, sizeof(RESUMED_OPEN) - 1) == 0) {
		parse_resumed(s, n, i, out);
		return;
	}
	j = i;
	while (j < n && is_name_char(s[j]))
		j++;
	if (j == i || j >= n || s[j] != '(' || !(islower((unsigned char)s[i]) || s[i] == '_') ||
	    !take_name(out->name, s, i, j))
		return;
	j++; /* past '(' */
	out->args = s + j;
	if (ends_unfinished(s, j, n, &cut)) {
		out->kind = SL_UNFINISHED;
		out->args_len = cut - j;
		return;
	}
	close = scan_to_close(s, n, j);
	if (close >= n) {
		out->kind = SL_TRUNCATED;
		out->args_len = n - j;
		return;
	}
	out->kind = SL_CALL;
	out->args_len = close - j;
	take_result(s, n, close + 1, out);
}
