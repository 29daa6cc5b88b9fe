/* shape.c: one call as a story line: keep or drop it, its phase, its
 * text with roles and placeholders (see story.h, builder.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "builder.h"

static bool never_returned(const struct builder *b, size_t i)
{
	const struct call *c = &b->t->calls[i];
	long *last;

	if (!c->result)
		return true;
	if (c->result[0] != '?')
		return false;
	last = lmap_find(&b->last_by_pid, c->pid);
	return !last || *last <= (long)i;
}

static bool positive(const char *result, long *v)
{
	return result && parse_long_prefix(result, v) && *v > 0;
}

static char *read_buffer(const char *arg)
{
	char *line = arg[0] == '"' ? http_first_line(arg) : NULL;

	return line ? line : xstrdup("BUF");
}

static char *write_buffer(const char *arg)
{
	char *line = arg[0] == '"' ? http_first_line(arg) : NULL;

	return line ? line : xstrdup(arg[0] == '"' ? "\"...\"" : "BUF");
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

/* select's fd sets: the numbers inside brackets are fds ("[3 4]" as an
 * argument, "1 (in [3], left T)" as a result); those with a role get it. */
static char *rewrite_fd_set(const struct builder *b, const char *s)
{
	struct sbuf o = { 0 };
	int depth = 0;

	for (const char *p = s; *p;) {
		if (*p == '[')
			depth++;
		else if (*p == ']' && depth > 0)
			depth--;
		if (depth > 0 && isdigit((unsigned char)*p) && !isalnum((unsigned char)p[-1])) {
			char *e;
			long fd = strtol(p, &e, 10);
			const char *role = fds_role(&b->fds, fd);

			if (role)
				sb_puts(&o, role);
			else
				sb_put(&o, p, (size_t)(e - p));
			p = e;
			continue;
		}
		sb_putc(&o, *p++);
	}
	return sb_take(&o);
}

/* Does the call involve a role fd? For CONN calls this decides keep/drop. */
static bool involves_role(const struct builder *b, const struct call *c, const struct strvec *a)
{
	long fd, fds[2];

	if (call_is(c, "socket") || call_is(c, "epoll_create1") || call_is(c, "epoll_create") || call_is(c, "timerfd_create") ||
	    call_is(c, "eventfd2") || call_is(c, "eventfd"))
		return c->result && parse_long_prefix(c->result, &fd) && fd >= 0 && fds_role(&b->fds, fd);
	if (call_is(c, "pipe2") || call_is(c, "pipe") || call_is(c, "socketpair")) {
		size_t k = call_is(c, "socketpair") ? 3 : 0;

		return a->n > k && parse_fd_array(a->v[k], fds, 2) == 2 &&
		       (fds_role(&b->fds, fds[0]) || fds_role(&b->fds, fds[1]));
	}
	if (call_is(c, "epoll_ctl"))
		return arg_role(b, a, 0) || arg_role(b, a, 2);
	if (call_is(c, "poll") || call_is(c, "ppoll")) {
		const char *p = a->n ? a->v[0] : "";

		while ((p = strstr(p, "{fd=")) != NULL) {
			p += 4;
			if (parse_long_prefix(p, &fd) && fds_role(&b->fds, fd))
				return true;
		}
		return false;
	}
	if (call_is(c, "select") || call_is(c, "pselect6")) {
		for (size_t k = 1; k < 4 && k < a->n; k++) {
			char *r = rewrite_fd_set(b, a->v[k]);
			bool changed = strcmp(r, a->v[k]) != 0;

			free(r);
			if (changed)
				return true;
		}
		return false;
	}
	return arg_role(b, a, 0) != NULL;
}

static const char *conn_phase(const struct builder *b, const struct call *c, const struct strvec *a,
			      bool returned)
{
	enum fd_kind k;

	if (call_is(c, "socket") || call_is(c, "epoll_create1") || call_is(c, "epoll_create") || call_is(c, "timerfd_create") ||
	    call_is(c, "eventfd2") || call_is(c, "eventfd") || call_is(c, "pipe2") || call_is(c, "pipe") || call_is(c, "socketpair"))
		return "create";
	if (call_is(c, "connect"))
		return "connect";
	if (call_is(c, "getsockopt"))
		return a->n > 2 && strcmp(a->v[2], "SO_ERROR") == 0 ? "check-error" : "configure";
	if (call_is(c, "setsockopt") || call_is(c, "getpeername") || call_is(c, "getsockname") || call_is(c, "fcntl"))
		return "configure";
	if (call_is(c, "timerfd_settime")) {
		char *t = a->n > 2 ? rewrite_itimerspec(a->v[2]) : xstrdup("");
		bool disarm = strstr(t, "it_value=0") != NULL;

		free(t);
		return disarm ? "disarm" : "arm-deadline";
	}
	if (call_is(c, "epoll_ctl"))
		return a->n > 1 && strcmp(a->v[1], "EPOLL_CTL_DEL") == 0 ? "deregister" : "register";
	if (call_is(c, "close") || call_is(c, "shutdown"))
		return "close";
	if (sc_is_wait(c->name))
		return wait_phase(b, c, a, returned);
	k = arg_kind(b, a, 0);
	if (sc_is_read(c->name))
		return k == FD_WAKE ? "wake" : k == FD_TIMER ? "deadline" : "read";
	if (sc_is_write(c->name))
		return k == FD_WAKE ? "wake" : "send";
	return "-";
}

static char *shape_result(const struct builder *b, const struct call *c, const struct strvec *a, bool returned)
{
	long v, count;

	if (!returned)
		return xstrdup("? (never returned)");
	if ((call_is(c, "socket") || call_is(c, "epoll_create1") || call_is(c, "epoll_create") || call_is(c, "timerfd_create") ||
	     call_is(c, "eventfd2") || call_is(c, "eventfd")) &&
	    parse_long_prefix(c->result, &v) && v >= 0 && fds_role(&b->fds, v))
		return xstrdup(fds_role(&b->fds, v));
	if (sc_is_read(c->name) && positive(c->result, &v))
		return xstrdup("N");
	if (sc_is_write(c->name) && positive(c->result, &v)) {
		size_t k = call_is(c, "write") || call_is(c, "sendto") ? 2 : (size_t)-1;

		if (k < a->n && parse_long_prefix(a->v[k], &count) && count != v)
			return xstrdup("M");
		return xstrdup("N");
	}
	{
		char *r = rewrite_value(&b->env, c->result, 0);
		char *left = sc_is_wait(c->name) ? strstr(r, "left {") : NULL;

		if (left) {
			/* the time left: up to the brace that closes it */
			size_t i = 5, depth = 0, n = strlen(left);
			struct sbuf o = { 0 };

			for (; i < n; i++) {
				if (left[i] == '{')
					depth++;
				else if (left[i] == '}' && --depth == 0)
					break;
			}
			sb_put(&o, r, (size_t)(left - r));
			sb_puts(&o, "left T");
			if (i < n)
				sb_puts(&o, left + i + 1);
			free(r);
			r = sb_take(&o);
		}
		if (call_is(c, "select") || call_is(c, "pselect6")) {
			/* "(in [3], out [4])": the ready sets */
			char *sets = rewrite_fd_set(b, r);

			free(r);
			r = sets;
		}
		return r;
	}
}

static void shape_args(const struct builder *b, const struct call *c, struct strvec *a, enum sc_class cls)
{
	/* fd positions first, then everything else through rewrite_value */
	bool fd0 = cls == SC_OTHER || !(call_is(c, "socket") || call_is(c, "poll") || call_is(c, "ppoll") || call_is(c, "select") ||
					call_is(c, "pselect6") || call_is(c, "pipe2") || call_is(c, "pipe") ||
					call_is(c, "epoll_create1") || call_is(c, "epoll_create") || call_is(c, "timerfd_create") ||
					call_is(c, "eventfd2") || call_is(c, "eventfd"));
	long fds[2];

	for (size_t k = 0; k < a->n; k++) {
		const char *role = NULL;
		unsigned flags = 0;

		if ((k == 0 && fd0) || (k == 2 && call_is(c, "epoll_ctl")))
			role = arg_role(b, a, k);
		if (role) {
			set_arg(a, k, xstrdup(role));
			continue;
		}
		if (cls == SC_CONN && (sc_is_read(c->name) || sc_is_write(c->name)))
			flags = REWRITE_ELIDE | REWRITE_HTTP_LINE;
		set_arg(a, k, rewrite_value(&b->env, a->v[k], flags));
	}
	if (cls != SC_CONN && !call_is(c, "socketpair"))
		return;
	if (call_is(c, "read") || call_is(c, "recvfrom"))
		set_arg(a, 1, a->n > 1 ? read_buffer(a->v[1]) : NULL);
	if (call_is(c, "write") || call_is(c, "sendto")) {
		if (a->n > 1)
			set_arg(a, 1, write_buffer(a->v[1]));
		if (a->n > 2 && a->v[2][0])
			set_arg(a, 2, xstrdup("N"));
	}
	if ((call_is(c, "epoll_wait") || call_is(c, "epoll_pwait") || call_is(c, "poll")) && timeout_kind(c, a) > 0)
		set_arg(a, call_is(c, "poll") ? 2 : 3, xstrdup("T"));
	if ((call_is(c, "epoll_pwait2") || call_is(c, "ppoll") || call_is(c, "select") || call_is(c, "pselect6")) &&
	    timeout_kind(c, a) > 0)
		set_arg(a, call_is(c, "ppoll") ? 2 : call_is(c, "epoll_pwait2") ? 3 : 4, xstrdup("T"));
	if (call_is(c, "select") || call_is(c, "pselect6")) {
		set_arg(a, 0, xstrdup("NFDS"));
		for (size_t k = 1; k < 4 && k < a->n; k++)
			set_arg(a, k, rewrite_fd_set(b, a->v[k]));
	}
	/* epoll_pwait(2) and ppoll's sigsetsize means nothing when the sigmask is
	 * NULL, and Go 1.19 leaves whatever was in the register there */
	if ((call_is(c, "epoll_pwait") || call_is(c, "epoll_pwait2") || call_is(c, "ppoll")) &&
	    a->n >= (call_is(c, "ppoll") ? 5u : 6u) && strcmp(a->v[a->n - 2], "NULL") == 0)
		set_arg(a, a->n - 1, xstrdup("IGNORED"));
	if (call_is(c, "timerfd_settime")) {
		if (a->n > 2)
			set_arg(a, 2, rewrite_itimerspec(a->v[2]));
		if (a->n > 3)
			set_arg(a, 3, rewrite_itimerspec(a->v[3]));
	}
	if (call_is(c, "pipe2") || call_is(c, "pipe") || call_is(c, "socketpair")) {
		size_t k = call_is(c, "socketpair") ? 3 : 0;

		if (a->n > k && parse_fd_array(a->v[k], fds, 2) == 2) {
			const char *r0 = fds_role(&b->fds, fds[0]), *r1 = fds_role(&b->fds, fds[1]);
			struct sbuf o = { 0 };

			if (r0)
				sb_puts(&o, "[");
			else
				sb_printf(&o, "[%ld", fds[0]);
			if (r0)
				sb_puts(&o, r0);
			if (r1)
				sb_printf(&o, ", %s]", r1);
			else
				sb_printf(&o, ", %ld]", fds[1]);
			set_arg(a, k, sb_take(&o));
		}
	}
}

/* Strace texts can hold anything: keep the story printable and bounded. */
#define TEXT_MAX 2000

static char *printable(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
	if (n > TEXT_MAX) {
		memcpy(s + TEXT_MAX - 3, "...", 4);
	}
	return s;
}

struct shaped shape(struct builder *b, size_t i)
{
	const struct call *c = &b->t->calls[i];
	enum sc_class cls = syscall_class(c->name);
	struct shaped sh = { 0 };
	struct strvec a = { 0 };
	bool returned;
	struct sbuf text = { 0 };
	char *result, *joined;

	if (cls == SC_NOISE)
		return sh;
	args_split(c->args, strlen(c->args), &a);
	if (cls == SC_CONN && !involves_role(b, c, &a)) {
		sv_free(&a);
		return sh;
	}
	/* socketpair is not a connection call, but it can be the poller's */
	if (cls == SC_OTHER && call_is(c, "socketpair") && involves_role(b, c, &a))
		cls = SC_CONN;
	returned = !never_returned(b, i);
	sh.phase = cls == SC_CONN ? conn_phase(b, c, &a, returned) : "-";
	sh.pid = c->pid;
	if (cls == SC_CONN && sc_is_epoll_wait(c->name)) {
		long ep = a.n ? fds_instance(&b->fds, strtol(a.v[0], NULL, 10)) : -1;
		bool runtime = ep >= 0 && b->fds.inst[ep].runtime_poller;
		long n = -1;

		if (runtime && !b->opts->show_runtime_polls) {
			if (strcmp(sh.phase, "poll") == 0)
				sh.hidden = HIDDEN_POLL;
			else if (!returned && !watches_socket(b, ep))
				sh.hidden = HIDDEN_IDLE;
			if (sh.hidden != SHOWN) {
				sh.phase = NULL;
				sv_free(&a);
				return sh;
			}
		}
		sh.wake_wait = strcmp(sh.phase, "wake") == 0;
		sh.runtime_timeout = runtime && returned && strcmp(sh.phase, "deadline") == 0 &&
				     parse_long_prefix(c->result, &n) && n == 0;
	}
	sh.wake_read = sc_is_read(c->name) && strcmp(sh.phase, "wake") == 0;
	sh.wake_write = sc_is_write(c->name) && strcmp(sh.phase, "wake") == 0;
	sh.start_line = c->line;
	sh.end_line = c->end_line;
	result = shape_result(b, c, &a, returned);
	if (call_is(c, "epoll_ctl"))
		learn_epoll_ctl(b, &a);
	shape_args(b, c, &a, cls);
	/* args strace never got to show (the call never returned) */
	if (c->partial && a.n > 0 && a.v[a.n - 1][0] == '\0')
		set_arg(&a, a.n - 1, xstrdup("..."));
	joined = args_join(&a);
	sb_printf(&text, "%s(%s) = %s", c->name, joined, result);
	free(joined);
	free(result);
	sv_free(&a);
	sh.text = printable(sb_take(&text));
	return sh;
}

/* Go's netpoll reads its wake pipe in the same call that saw the wake
 * event, so that read belongs right after the wait that returned it; lines
 * of other threads that strace printed in between (their calls ran at the
 * same time) move after it. Same-thread order is never changed. */