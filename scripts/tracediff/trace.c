/* trace.c: strace lines to calls, unfinished and resumed halves merged
 * (see trace.h). */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "strace_line.h"
#include "util.h"

/* The first half of a call, waiting for its thread's "<... resumed>";
 * name NULL once it is no longer waiting. */
struct pending {
	long pid;
	char *name, *args;
	size_t line;
};

struct merger {
	struct trace *t;
	struct pending *p; /* in the order the calls started */
	size_t np, cap;
	struct lmap by_pid; /* pid -> index in p of its waiting call, or -1 */
};

static struct call *add_call(struct trace *t, long pid, char *name, char *args, char *result, size_t line)
{
	void *v = t->calls;

	grow_array(&v, &t->cap, t->n + 1, sizeof(*t->calls));
	t->calls = v;
	t->calls[t->n] = (struct call){ pid, name, args, result, line, line, false };
	return &t->calls[t->n++];
}

static struct pending *pending_of(struct merger *m, long pid)
{
	long k = lmap_value(&m->by_pid, pid, -1);

	return k >= 0 ? &m->p[k] : NULL;
}

/* The call is not resumed: it never returned. */
static void give_up(struct merger *m, struct pending *p)
{
	if (!p || !p->name)
		return;
	add_call(m->t, p->pid, p->name, p->args, NULL, p->line)->partial = true;
	p->name = p->args = NULL;
	*lmap_get(&m->by_pid, p->pid, -1) = -1;
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
	void *v = m->p;

	give_up(m, pending_of(m, sl->pid));
	grow_array(&v, &m->cap, m->np + 1, sizeof(*m->p));
	m->p = v;
	m->p[m->np] = (struct pending){ sl->pid, xstrdup(sl->name), trimmed(sl->args, sl->args_len), line };
	*lmap_get(&m->by_pid, sl->pid, -1) = (long)m->np++;
}

/* "<... name resumed> <unfinished ...>) = ?": the rest never came. */
static char *result_of(const struct strace_line *sl)
{
	return sl->result && !sl->exited_meanwhile ? xstrndup(sl->result, sl->result_len) : NULL;
}

static void resume(struct merger *m, const struct strace_line *sl, size_t line)
{
	struct pending *p = pending_of(m, sl->pid);
	struct sbuf args = { 0 };
	struct call *c;
	size_t started = line;

	if (p && strcmp(p->name, sl->name) != 0) {
		give_up(m, p);
		p = NULL;
	}
	if (p) {
		sb_puts(&args, p->args);
		if (args.len && args.s[args.len - 1] == ',' && sl->args_len)
			sb_putc(&args, ' ');
		started = p->line;
		free(p->args);
		*lmap_get(&m->by_pid, sl->pid, -1) = -1;
	} else {
		/* the call started before the trace did */
		sb_puts(&args, sl->args_len ? "..., " : "...");
	}
	sb_put(&args, sl->args ? sl->args : "", sl->args_len);
	c = add_call(m->t, sl->pid, p ? p->name : xstrdup(sl->name), sb_take(&args), result_of(sl), started);
	c->partial = sl->exited_meanwhile;
	c->end_line = line;
	if (p)
		p->name = p->args = NULL;
}

static void take_line(struct merger *m, const struct strace_line *sl, size_t line)
{
	switch (sl->kind) {
	case SL_CALL:
		give_up(m, pending_of(m, sl->pid));
		add_call(m->t, sl->pid, xstrdup(sl->name), xstrndup(sl->args, sl->args_len), result_of(sl), line);
		break;
	case SL_TRUNCATED:
		give_up(m, pending_of(m, sl->pid));
		add_call(m->t, sl->pid, xstrdup(sl->name), trimmed(sl->args, sl->args_len), NULL, line)->partial = true;
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
