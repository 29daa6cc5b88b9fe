/* call_line.c: one call as a story line (see tracediff.h). */
#include "tracediff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Strace texts can be huge: keep story lines bounded. */
#define TEXT_MAX 2000

/* What call_line() knows of the trace around the call. */
struct call_context {
	const struct trace *t;
	bool show_runtime_polls;
	struct fds fds; /* at the call (fds_at) */
	struct epoll_sets epoll;
	struct lmap last_by_pid; /* pid -> index of its last call */
	struct rewrite_env env;
};

static const char *fd_role(void *ctx, long fd)
{
	return fds_role(&((struct call_context *)ctx)->fds, fd);
}

static const char *data_role(void *ctx, const char *value)
{
	struct call_context *cx = ctx;
	long inst = epoll_data_inst(&cx->epoll, value);

	return inst < 0 || cx->fds.inst[inst].kind == FD_NONE ? NULL : cx->fds.inst[inst].name;
}

/* "= ?" with a later call of the same thread is a call that did return
 * (ERESTARTSYS): only the thread's last call can have never returned. */
static bool returned(const struct call_context *cx, size_t i)
{
	const struct call *c = &cx->t->calls[i];

	if (!c->result)
		return false;
	return c->result[0] != '?' || lmap_value(&cx->last_by_pid, c->pid, -1) > (long)i;
}

static void set_arg(struct strvec *a, size_t k, char *owned)
{
	if (k >= a->n) {
		free(owned);
		return;
	}
	free(a->v[k]);
	a->v[k] = owned;
}

/* Does the call involve an fd with a role? For a connection call that
 * decides whether the story keeps it. */
static bool involves_role(const struct fds *f, const struct syscall *sc, const struct call *c,
			  const struct strvec *a)
{
	long fd, pair[2];
	bool found = false;

	switch (sc->fds) {
	case FDS_RESULT:
		return c->result && parse_long_prefix(c->result, &fd) && fd >= 0 && fds_role(f, fd);
	case FDS_PAIR:
		return arg_fd_pair(a, sc->pair_arg, pair) && (fds_role(f, pair[0]) || fds_role(f, pair[1]));
	case FDS_ARG0_ARG2:
		return fds_role(f, arg_fd(a, 0)) || fds_role(f, arg_fd(a, 2));
	case FDS_POLL_SET:
		for (const char *p = a->n > 0 ? a->v[0] : ""; !found && next_poll_fd(&p, &fd);)
			found = fds_role(f, fd) != NULL;
		return found;
	case FDS_ARG0:
		break;
	}
	return fds_role(f, arg_fd(a, 0)) != NULL;
}

static enum phase conn_phase(const struct call_context *cx, const struct syscall *sc, const struct call *c,
			     const struct strvec *a, bool done)
{
	enum fd_kind k = fds_kind(&cx->fds, arg_fd(a, 0));
	char *t;
	bool disarm;

	switch (sc->does) {
	case DOES_GETSOCKOPT:
		return a->n > 2 && strcmp(a->v[2], "SO_ERROR") == 0 ? PHASE_CHECK_ERROR : sc->phase;
	case DOES_TIMER_SET:
		t = a->n > 2 ? rewrite_itimerspec(a->v[2]) : xstrdup("");
		disarm = strstr(t, "it_value=0") != NULL;
		free(t);
		return disarm ? PHASE_DISARM : sc->phase;
	case DOES_EPOLL_CTL:
		return a->n > 1 && strcmp(a->v[1], "EPOLL_CTL_DEL") == 0 ? PHASE_DEREGISTER : sc->phase;
	case DOES_WAIT:
		return wait_phase(&cx->epoll, sc, c, a, done);
	case DOES_READ:
		return k == FD_WAKE ? PHASE_WAKE : k == FD_TIMER ? PHASE_DEADLINE : sc->phase;
	case DOES_WRITE:
		return k == FD_WAKE ? PHASE_WAKE : sc->phase;
	case DOES_NOTHING:
	case DOES_CLOSE:
		break;
	}
	return sc->phase;
}

static char *shape_result(const struct call_context *cx, const struct syscall *sc, const struct call *c,
			  const struct strvec *a, bool done)
{
	long v, count;

	if (!done)
		return xstrdup("? (never returned)");
	if (sc->fds == FDS_RESULT && parse_long_prefix(c->result, &v) && v >= 0 && fds_role(&cx->fds, v))
		return xstrdup(fds_role(&cx->fds, v));
	if ((sc->does == DOES_READ || sc->does == DOES_WRITE) && parse_long_prefix(c->result, &v) && v > 0) {
		if (sc->count_arg && sc->count_arg < a->n && parse_long_prefix(a->v[sc->count_arg], &count) &&
		    count != v)
			return xstrdup("M"); /* a short write */
		return xstrdup("N");
	}
	return rewrite_value(&cx->env, c->result, false);
}

/* Data read: BUF, but a response's status line is kept. Data written:
 * "...", but a request line is kept. */
static char *buffer(const char *arg, bool written)
{
	char *line = http_first_line(arg, strlen(arg));

	if (line)
		return line;
	return xstrdup(written && arg[0] == '"' ? "\"...\"" : "BUF");
}

/* "[A, B]", each fd by its role, else its number without a decoration. */
static char *pair_text(const struct fds *f, const long pair[2])
{
	struct sbuf o = { 0 };

	for (int k = 0; k < 2; k++) {
		if (fds_role(f, pair[k]))
			sb_printf(&o, "%s%s", k ? ", " : "[", fds_role(f, pair[k]));
		else
			sb_printf(&o, "%s%ld", k ? ", " : "[", pair[k]);
	}
	sb_putc(&o, ']');
	return sb_take(&o);
}

static void shape_args(const struct call_context *cx, const struct syscall *sc, enum sc_class cls, struct strvec *a)
{
	bool fd0 = cls == SC_OTHER || sc->fds == FDS_ARG0 || sc->fds == FDS_ARG0_ARG2;
	long pair[2];

	for (size_t k = 0; k < a->n; k++) {
		const char *role = NULL;

		if ((k == 0 && fd0) || (k == 2 && sc->fds == FDS_ARG0_ARG2))
			role = fds_role(&cx->fds, arg_fd(a, k));
		set_arg(a, k, role ? xstrdup(role) : rewrite_value(&cx->env, a->v[k], sc->buf_arg));
	}
	if (sc->buf_arg && sc->buf_arg < a->n)
		set_arg(a, sc->buf_arg, buffer(a->v[sc->buf_arg], sc->does == DOES_WRITE));
	if (sc->count_arg && sc->count_arg < a->n && a->v[sc->count_arg][0])
		set_arg(a, sc->count_arg, xstrdup("N"));
	if (sc->timeout_arg && wait_timeout(sc, a) > 0)
		set_arg(a, sc->timeout_arg, xstrdup("T"));
	/* the kernel ignores the sigset size after a NULL sigmask, and Go 1.19
	 * leaves a stale register there */
	if (sc->sigmask && a->n >= 6 && strcmp(a->v[a->n - 2], "NULL") == 0)
		set_arg(a, a->n - 1, xstrdup("IGNORED"));
	if (sc->does == DOES_TIMER_SET) {
		for (size_t k = 2; k < 4 && k < a->n; k++)
			set_arg(a, k, rewrite_itimerspec(a->v[k]));
	}
	if (sc->fds == FDS_PAIR && arg_fd_pair(a, sc->pair_arg, pair))
		set_arg(a, sc->pair_arg, pair_text(&cx->fds, pair));
}

static struct call_line call_line(struct call_context *cx, size_t i)
{
	const struct call *c = &cx->t->calls[i];
	const struct syscall *sc = syscall_row(c->name);
	enum sc_class cls = sc->cls;
	struct call_line l = { .pid = c->pid, .start_line = c->line, .end_line = c->end_line, .shown = true };
	struct strvec a = { 0 };
	bool done = returned(cx, i);
	struct sbuf text = { 0 };
	char *result;

	if (cls == SC_NOISE)
		return l;
	args_split(c->args, strlen(c->args), &a);
	if (cls == SC_IF_ROLE)
		cls = involves_role(&cx->fds, sc, c, &a) ? SC_CONN : SC_OTHER;
	else if (cls == SC_CONN && !involves_role(&cx->fds, sc, c, &a))
		goto out;
	l.phase = cls == SC_CONN ? conn_phase(cx, sc, c, &a, done) : PHASE_OTHER;
	if (cls == SC_CONN && sc_is_epoll_wait(sc)) {
		long ep = fds_instance(&cx->fds, arg_fd(&a, 0)), n = -1;
		bool runtime = ep >= 0 && cx->fds.inst[ep].runtime_poller;

		/* the runtime poller's own: an empty poll, or, never returned, a
		 * wait with no socket in the set (the poller idle at exit) */
		if (runtime && !cx->show_runtime_polls) {
			if (l.phase == PHASE_POLL)
				l.hidden = HIDDEN_POLL;
			else if (!done && !epoll_watches_socket(&cx->epoll, ep))
				l.hidden = HIDDEN_IDLE;
		}
		if (l.hidden != SHOWN)
			goto out;
		l.wake_wait = l.phase == PHASE_WAKE;
		l.runtime_timeout = runtime && done && l.phase == PHASE_DEADLINE && parse_long_prefix(c->result, &n) &&
				    n == 0;
	}
	l.wake_read = sc->does == DOES_READ && l.phase == PHASE_WAKE;
	l.wake_write = sc->does == DOES_WRITE && l.phase == PHASE_WAKE;
	result = shape_result(cx, sc, c, &a, done);
	/* before the arguments, whose data= names the fd it registers */
	if (sc->does == DOES_EPOLL_CTL)
		epoll_learn_ctl(&cx->epoll, &a);
	shape_args(cx, sc, cls, &a);
	/* arguments strace never got to show */
	if (c->partial && a.n > 0 && a.v[a.n - 1][0] == '\0')
		set_arg(&a, a.n - 1, xstrdup("..."));
	sb_printf(&text, "%s(", c->name);
	for (size_t k = 0; k < a.n; k++)
		sb_printf(&text, "%s%s", k ? ", " : "", a.v[k]);
	sb_printf(&text, ") = %s", result);
	free(result);
	make_printable(text.s, text.len, true);
	if (text.len > TEXT_MAX)
		memcpy(text.s + TEXT_MAX - 3, "...", 4);
	l.text = sb_take(&text);
out:
	sv_free(&a);
	return l;
}

struct call_line *call_lines(const struct trace *t, bool show_all, bool *runtime_poller)
{
	struct call_context cx = { .t = t, .show_runtime_polls = show_all };
	struct call_line *lines = xcalloc(t->n, sizeof(*lines));

	fds_scan(&cx.fds, t);
	cx.epoll.fds = &cx.fds;
	cx.env = (struct rewrite_env){ fd_role, data_role, &cx };
	for (size_t i = 0; i < t->n; i++)
		*lmap_get(&cx.last_by_pid, t->calls[i].pid, 0) = (long)i;
	for (size_t i = 0; i < t->n; i++) {
		fds_at(&cx.fds, i);
		lines[i] = call_line(&cx, i);
	}
	*runtime_poller = cx.fds.any_runtime_poller;
	epoll_sets_free(&cx.epoll);
	lmap_free(&cx.last_by_pid);
	fds_free(&cx.fds);
	return lines;
}
