/* trace.c: strace text to calls (see tracediff.h): each line taken apart,
 * then unfinished and resumed halves merged. */
#include "tracediff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char UNFINISHED[] = "<unfinished ...>";
static const char RESUMED_OPEN[] = "<... ";
static const char RESUMED_CLOSE[] = " resumed>";

/* Does s[i..n) start with lit? */
static bool at(const char *s, size_t n, size_t i, const char *lit)
{
	size_t len = strlen(lit);

	return n - i >= len && memcmp(s + i, lit, len) == 0;
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* The index past the name (letters, digits, '_') that starts at s[i]. */
static size_t name_end(const char *s, size_t n, size_t i)
{
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i;
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

	if (!at(s, n, i, "[pid"))
		return i;
	j = skip_spaces(s, n, i + 4);
	if (j >= n || !isdigit((unsigned char)s[j]))
		return i;
	for (; j < n && isdigit((unsigned char)s[j]); j++)
		if (v < 100000000000L)
			v = v * 10 + (s[j] - '0');
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
	while (b > a && s[b - 1] == ' ')
		b--;
	if (b - a < sizeof(UNFINISHED) - 1 || !at(s, b, b - (sizeof(UNFINISHED) - 1), UNFINISHED))
		return false;
	b -= sizeof(UNFINISHED) - 1;
	while (b > a && s[b - 1] == ' ')
		b--;
	*cut = b;
	return true;
}

static void parse_resumed(const char *s, size_t n, size_t i, struct strace_line *out)
{
	size_t j = i + sizeof(RESUMED_OPEN) - 1, k = name_end(s, n, j), close;

	if (k == j || !at(s, n, k, RESUMED_CLOSE) || !take_name(out->name, s, j, k))
		return;
	k += sizeof(RESUMED_CLOSE) - 1;
	out->kind = SL_RESUMED;
	j = skip_spaces(s, n, k);
	if (at(s, n, j, UNFINISHED)) {
		out->exited_meanwhile = true;
		k = j + sizeof(UNFINISHED) - 1;
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
	if (at(s, n, i, "--- ")) {
		take_name(out->name, s, i + 4, name_end(s, n, i + 4));
		out->kind = SL_SIGNAL;
		return;
	}
	if (at(s, n, i, "+++ ")) {
		out->kind = SL_EXIT;
		return;
	}
	if (at(s, n, i, RESUMED_OPEN)) {
		parse_resumed(s, n, i, out);
		return;
	}
	j = name_end(s, n, i);
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

/* Calls waiting for their thread's "<... resumed>", in the order they
 * started (name NULL once one is no longer waiting). */
struct merger {
	struct trace *t;
	struct call *p;
	size_t np, cap;
	struct lmap by_pid; /* pid -> index in p of its waiting call, or -1 */
};

static struct call *add_call(struct trace *t, struct call c)
{
	t->calls = grow_array(t->calls, &t->cap, t->n + 1, sizeof(*t->calls));
	t->calls[t->n] = c;
	return &t->calls[t->n++];
}

static struct call *pending_of(struct merger *m, long pid)
{
	long k = lmap_value(&m->by_pid, pid, -1);

	return k >= 0 ? &m->p[k] : NULL;
}

/* p is no longer waiting: its call is resumed, or never returned. */
static void stop_waiting(struct merger *m, struct call *p)
{
	p->name = NULL;
	*lmap_get(&m->by_pid, p->pid, -1) = -1;
}

/* The call is not resumed: it never returned. */
static void give_up(struct merger *m, struct call *p)
{
	if (!p || !p->name)
		return;
	add_call(m->t, *p);
	stop_waiting(m, p);
}

/* The arguments an unfinished or cut off line showed, without the spaces
 * strace put before "<unfinished ...>". */
static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static void start(struct merger *m, const struct strace_line *sl, size_t line)
{
	give_up(m, pending_of(m, sl->pid));
	m->p = grow_array(m->p, &m->cap, m->np + 1, sizeof(*m->p));
	m->p[m->np] = (struct call){ sl->pid, xstrdup(sl->name), trimmed(sl->args, sl->args_len), NULL, line, line, true };
	*lmap_get(&m->by_pid, sl->pid, -1) = (long)m->np++;
}

/* "<... name resumed> <unfinished ...>) = ?": the rest never came. */
static char *result_of(const struct strace_line *sl)
{
	return sl->result && !sl->exited_meanwhile ? xstrndup(sl->result, sl->result_len) : NULL;
}

static void resume(struct merger *m, const struct strace_line *sl, size_t line)
{
	struct call *p = pending_of(m, sl->pid), c = { sl->pid, NULL, NULL, NULL, line, line, false };
	struct sbuf args = { 0 };

	if (p && strcmp(p->name, sl->name) != 0) {
		give_up(m, p);
		p = NULL;
	}
	if (p) {
		sb_puts(&args, p->args);
		if (args.len && args.s[args.len - 1] == ',' && sl->args_len)
			sb_putc(&args, ' ');
		free(p->args);
		c = *p;
		stop_waiting(m, p);
	} else {
		/* the call started before the trace did */
		sb_puts(&args, sl->args_len ? "..., " : "...");
		c.name = xstrdup(sl->name);
	}
	sb_put(&args, sl->args, sl->args_len);
	c.args = sb_take(&args);
	c.result = result_of(sl);
	c.end_line = line;
	c.partial = sl->exited_meanwhile;
	add_call(m->t, c);
}

static void take_line(struct merger *m, const struct strace_line *sl, size_t line)
{
	switch (sl->kind) {
	case SL_CALL:
	case SL_TRUNCATED:
		give_up(m, pending_of(m, sl->pid));
		add_call(m->t, (struct call){ sl->pid, xstrdup(sl->name),
					      sl->kind == SL_CALL ? xstrndup(sl->args, sl->args_len)
								  : trimmed(sl->args, sl->args_len),
					      result_of(sl), line, line, sl->kind == SL_TRUNCATED });
		break;
	case SL_UNFINISHED:
		start(m, sl, line);
		break;
	case SL_RESUMED:
		resume(m, sl, line);
		break;
	case SL_SIGNAL:
		m->t->signal_lines++;
		break;
	case SL_EXIT:
		m->t->exit_lines++;
		break;
	case SL_BLANK:
	case SL_OTHER:
		break;
	}
}

void trace_parse(const char *text, size_t len, struct trace *t)
{
	struct merger m = { .t = t };

	for (size_t pos = 0; pos < len; t->lines++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		char *copy = xstrndup(text + pos, n);
		struct strace_line sl;

		/* a NUL byte would end the C strings made of the line early */
		for (size_t i = 0; i < n; i++)
			if (copy[i] == '\0')
				copy[i] = '?';
		strace_line_parse(copy, n, &sl);
		take_line(&m, &sl, t->lines + 1);
		free(copy);
		pos += nl ? n + 1 : n;
	}
	/* calls nobody resumed: last, in the order they started */
	for (size_t i = 0; i < m.np; i++)
		give_up(&m, &m.p[i]);
	free(m.p);
	lmap_free(&m.by_pid);
}

void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->calls[i].name);
		free(t->calls[i].args);
		free(t->calls[i].result);
	}
	free(t->calls);
	memset(t, 0, sizeof(*t));
}
