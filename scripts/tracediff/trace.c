/* trace.c: strace lines to calls; unfinished and resumed halves merged. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "strace_line.h"
#include "util.h"

struct pending {
	long pid;
	char *name;
	char *args;
	size_t line;
	bool live;
};

struct merger {
	struct trace *t;
	struct pending *p;
	size_t np, cap;
	struct lmap by_pid; /* pid -> index in p of its pending call, or -1 */
};

static struct call *add_call(struct trace *t, long pid, const char *name, char *args, char *result, size_t line)
{
	void *v = t->calls;
	struct call *c;

	grow_array(&v, &t->cap, t->n + 1, sizeof(*t->calls));
	t->calls = v;
	c = &t->calls[t->n++];
	c->pid = pid;
	c->name = xstrdup(name);
	c->args = args;
	c->result = result;
	c->line = line;
	c->end_line = line;
	c->partial = false;
	return c;
}

/* The arguments an unfinished line showed, without trailing spaces. */
static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static void flush_pending(struct merger *m, size_t idx)
{
	struct pending *p = &m->p[idx];
	struct call *c;

	if (!p->live)
		return;
	c = add_call(m->t, p->pid, p->name, p->args, NULL, p->line);
	c->partial = true;
	p->args = NULL;
	free(p->name);
	p->name = NULL;
	p->live = false;
	*lmap_get(&m->by_pid, p->pid, -1) = -1;
}

static long pending_of(struct merger *m, long pid)
{
	long *v = lmap_find(&m->by_pid, pid);

	return v ? *v : -1;
}

static void start_pending(struct merger *m, const struct strace_line *sl, size_t line)
{
	void *v = m->p;
	struct pending *p;
	long old = pending_of(m, sl->pid);

	if (old >= 0)
		flush_pending(m, (size_t)old);
	grow_array(&v, &m->cap, m->np + 1, sizeof(*m->p));
	m->p = v;
	p = &m->p[m->np];
	p->pid = sl->pid;
	p->name = xstrdup(sl->name);
	p->args = trimmed(sl->args, sl->args_len);
	p->line = line;
	p->live = true;
	*lmap_get(&m->by_pid, sl->pid, -1) = (long)m->np;
	m->np++;
}

static char *result_of(const struct strace_line *sl)
{
	if (!sl->result || sl->exited_meanwhile)
		return NULL;
	return xstrndup(sl->result, sl->result_len);
}

static void resume(struct merger *m, const struct strace_line *sl, size_t line)
{
	long idx = pending_of(m, sl->pid);
	struct sbuf args = { 0 };
	const char *tail = sl->args ? sl->args : "";
	size_t tail_len = sl->args_len;
	size_t started = line;

	if (idx >= 0 && strcmp(m->p[idx].name, sl->name) != 0) {
		flush_pending(m, (size_t)idx);
		idx = -1;
	}
	if (idx >= 0) {
		struct pending *p = &m->p[idx];

		sb_puts(&args, p->args);
		if (args.len && args.s[args.len - 1] == ',' && tail_len)
			sb_putc(&args, ' ');
		started = p->line;
		free(p->args);
		free(p->name);
		p->args = p->name = NULL;
		p->live = false;
		*lmap_get(&m->by_pid, sl->pid, -1) = -1;
	} else {
		/* the start of this call came before the trace did */
		sb_puts(&args, tail_len ? "..., " : "...");
	}
	sb_put(&args, tail, tail_len);
	/* "<... name resumed> <unfinished ...>) = ?": the rest never came */
	{
		struct call *c = add_call(m->t, sl->pid, sl->name, sb_take(&args), result_of(sl), started);

		c->partial = sl->exited_meanwhile;
		c->end_line = line;
	}
}

void trace_parse(const char *text, size_t len, struct trace *t)
{
	struct merger m = { .t = t };
	size_t pos = 0, line = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct strace_line sl;
		char *copy = NULL;
		long old;

		line++;
		/* NUL bytes inside a line would end C strings early: make them '?' */
		if (memchr(text + pos, '\0', end - pos)) {
			copy = xstrndup(text + pos, end - pos);
			for (size_t i = 0; i < end - pos; i++)
				if (copy[i] == '\0')
					copy[i] = '?';
			strace_line_parse(copy, end - pos, &sl);
		} else {
			strace_line_parse(text + pos, end - pos, &sl);
		}
		switch (sl.kind) {
		case SL_CALL:
			old = pending_of(&m, sl.pid);
			if (old >= 0)
				flush_pending(&m, (size_t)old);
			add_call(t, sl.pid, sl.name, xstrndup(sl.args, sl.args_len), result_of(&sl), line);
			break;
		case SL_UNFINISHED:
			start_pending(&m, &sl, line);
			break;
		case SL_TRUNCATED:
			old = pending_of(&m, sl.pid);
			if (old >= 0)
				flush_pending(&m, (size_t)old);
			add_call(t, sl.pid, sl.name, trimmed(sl.args, sl.args_len), NULL, line)->partial = true;
			break;
		case SL_RESUMED:
			resume(&m, &sl, line);
			break;
		case SL_SIGNAL:
			t->signal_lines++;
			break;
		case SL_EXIT:
			t->exit_lines++;
			break;
		case SL_BLANK:
			break;
		case SL_OTHER:
			t->other_lines++;
			break;
		}
		free(copy);
		pos = nl ? end + 1 : len;
	}
	t->lines = line;
	/* calls nobody resumed: last, in the order they started */
	for (size_t i = 0; i < m.np; i++)
		flush_pending(&m, i);
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
