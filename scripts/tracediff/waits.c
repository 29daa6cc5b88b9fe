/* waits.c: what a wait returned, what it waited for, and the epoll_ctl
 * bookkeeping both need (see builder.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

struct waited {
	bool timer, sock_in, sock_out, wake, other;
};

bool has_flag(const char *events, size_t n, const char *flag)
{
	size_t fl = strlen(flag);

	for (size_t i = 0; i + fl <= n; i++)
		if (memcmp(events + i, flag, fl) == 0 && (i + fl == n || !isalnum((unsigned char)events[i + fl])) &&
		    (i == 0 || !isalnum((unsigned char)events[i - 1])))
			return true;
	return false;
}

static void note_event(struct waited *w, enum fd_kind kind, const char *ev, size_t n)
{
	bool in = has_flag(ev, n, "EPOLLIN") || has_flag(ev, n, "POLLIN") || has_flag(ev, n, "EPOLLHUP") ||
		  has_flag(ev, n, "POLLHUP") || has_flag(ev, n, "EPOLLRDHUP") || has_flag(ev, n, "POLLRDHUP") ||
		  has_flag(ev, n, "EPOLLPRI") || has_flag(ev, n, "POLLPRI") || has_flag(ev, n, "POLLRDNORM");
	bool out = has_flag(ev, n, "EPOLLOUT") || has_flag(ev, n, "POLLOUT") || has_flag(ev, n, "POLLWRNORM");

	if (kind == FD_TIMER)
		w->timer = true;
	else if (is_sock_kind(kind)) {
		w->sock_in |= in;
		w->sock_out |= out;
		if (!in && !out)
			w->sock_out = true; /* EPOLLERR alone: the connect failed */
	} else if (kind == FD_WAKE)
		w->wake = true;
	else
		w->other = true;
}

/* The events field: "events=EPOLLIN|EPOLLOUT" (or revents=) at s. */
size_t events_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ',' && s[n] != '}')
		n++;
	return n;
}

static void epoll_returned(const struct builder *b, const char *arr, struct waited *w)
{
	const char *p = arr;

	while ((p = strstr(p, "events=")) != NULL) {
		const char *ev = p + 7, *d = strstr(ev, "data=");
		size_t n = events_len(ev), end;
		char *value;
		long inst = -1;

		if (!d)
			break;
		value = epoll_data_value(d, &end);
		if (value) {
			inst = data_inst(b, value);
			free(value);
		}
		note_event(w, inst < 0 ? FD_NONE : b->fds.inst[inst].kind, ev, n);
		p = d + 5;
	}
}

static void poll_returned(const struct builder *b, const char *res, struct waited *w)
{
	const char *p = res;

	while ((p = strstr(p, "{fd=")) != NULL) {
		long fd = -1;
		const char *ev = strstr(p, "revents=");

		p += 4;
		if (!ev)
			break;
		parse_long_prefix(p, &fd);
		note_event(w, kind_of(b, fd), ev + 8, events_len(ev + 8));
		p = ev + 8;
	}
}

static void select_set(const struct builder *b, const char *s, bool out, struct waited *w)
{
	const char *p = s;

	while (*p && *p != ']') {
		if (isdigit((unsigned char)*p)) {
			long fd = strtol(p, (char **)&p, 10);

			note_event(w, kind_of(b, fd), out ? "POLLOUT" : "POLLIN", out ? 7 : 6);
			continue;
		}
		p++;
	}
}

static void select_returned(const struct builder *b, const char *res, struct waited *w)
{
	const char *in = strstr(res, "in ["), *out = strstr(res, "out [");

	if (in)
		select_set(b, in + 4, false, w);
	if (out)
		select_set(b, out + 5, true, w);
}

/* -1: forever (or unknown), 0: poll, 1: a positive timeout */
int timeout_kind(const struct call *c, const struct strvec *a)
{
	size_t k = (call_is(c, "poll") || call_is(c, "ppoll")) ? 2 : (call_is(c, "select") || call_is(c, "pselect6")) ? 4 : 3;
	long v;

	if (k >= a->n || a->v[k][0] == '\0')
		return -1;
	if (call_is(c, "epoll_wait") || call_is(c, "epoll_pwait") || call_is(c, "poll")) {
		if (!parse_long_prefix(a->v[k], &v))
			return -1;
		return v > 0 ? 1 : v == 0 ? 0 : -1;
	}
	if (strcmp(a->v[k], "NULL") == 0)
		return -1;
	return time_is_zero(a->v[k]) ? 0 : 1;
}

/* Does the epoll set have a socket of the connection in it? */
bool watches_socket(const struct builder *b, long ep)
{
	for (size_t i = 0; i < b->nin; i++)
		if (b->in[i].ep == ep && inst_live(b, b->in[i].target) && is_sock_kind(b->fds.inst[b->in[i].target].kind))
			return true;
	return false;
}

static const char *interest_phase(const struct builder *b, const struct call *c, const struct strvec *a)
{
	bool in = false, out = false;

	if (sc_is_epoll_wait(c->name)) {
		long fd, ep;

		if (a->n == 0 || !parse_fd_arg(a->v[0], &fd))
			return "wait";
		ep = fds_instance(&b->fds, fd);
		for (size_t i = 0; i < b->nin; i++) {
			const struct interest *x = &b->in[i];
			size_t n = strlen(x->events);

			if (x->ep != ep || !inst_live(b, x->target) || !is_sock_kind(b->fds.inst[x->target].kind))
				continue;
			in |= has_flag(x->events, n, "EPOLLIN");
			out |= has_flag(x->events, n, "EPOLLOUT");
		}
	} else if (a->n > 0 && (call_is(c, "poll") || call_is(c, "ppoll"))) {
		const char *p = a->v[0];

		while ((p = strstr(p, "{fd=")) != NULL) {
			long fd = -1;
			const char *ev = strstr(p, "events=");

			p += 4;
			parse_long_prefix(p, &fd);
			if (!ev)
				break;
			if (is_sock_kind(kind_of(b, fd))) {
				in |= has_flag(ev + 7, events_len(ev + 7), "POLLIN");
				out |= has_flag(ev + 7, events_len(ev + 7), "POLLOUT");
			}
			p = ev + 7;
		}
	}
	return in ? "wait-readable" : out ? "wait-writable" : "wait";
}

const char *wait_phase(const struct builder *b, const struct call *c, const struct strvec *a,
			      bool returned)
{
	struct waited w = { 0 };
	long n;

	if (!returned || !c->result || !parse_long_prefix(c->result, &n) || n < 0)
		return interest_phase(b, c, a);
	if (n == 0) {
		int t = timeout_kind(c, a);

		return t > 0 ? "deadline" : t == 0 ? "poll" : "wait";
	}
	if (sc_is_epoll_wait(c->name) && a->n > 1)
		epoll_returned(b, a->v[1], &w);
	else if (call_is(c, "poll") || call_is(c, "ppoll"))
		poll_returned(b, c->result, &w);
	else
		select_returned(b, c->result, &w);
	if (w.timer)
		return "deadline";
	if (w.sock_in)
		return "wait-readable";
	if (w.sock_out)
		return "wait-writable";
	if (w.wake)
		return "wake";
	return "wait";
}

void learn_epoll_ctl(struct builder *b, const struct strvec *a)
{
	long epfd, target, ep, tg;
	bool add, mod, del;

	if (a->n < 3 || !parse_fd_arg(a->v[0], &epfd) || !parse_fd_arg(a->v[2], &target))
		return;
	add = strcmp(a->v[1], "EPOLL_CTL_ADD") == 0;
	mod = strcmp(a->v[1], "EPOLL_CTL_MOD") == 0;
	del = strcmp(a->v[1], "EPOLL_CTL_DEL") == 0;
	ep = fds_instance(&b->fds, epfd);
	tg = fds_instance(&b->fds, target);
	if (tg < 0)
		return;
	for (size_t i = 0; i < b->nin; i++) {
		if (b->in[i].ep == ep && b->in[i].target == tg) {
			free(b->in[i].events);
			b->in[i] = b->in[--b->nin];
			break;
		}
	}
	if (del || (!add && !mod) || a->n < 4)
		return;
	{
		const char *ev = strstr(a->v[3], "events="), *d = strstr(a->v[3], "data=");
		void *p = b->in;
		size_t end;
		char *value;

		grow_array(&p, &b->cap_in, b->nin + 1, sizeof(*b->in));
		b->in = p;
		b->in[b->nin].ep = ep;
		b->in[b->nin].target = tg;
		b->in[b->nin].events = ev ? xstrndup(ev + 7, events_len(ev + 7)) : xstrdup("");
		b->nin++;
		if (d && (value = epoll_data_value(d, &end)) != NULL) {
			for (size_t i = 0; i < b->ndata; i++) {
				if (strcmp(b->data[i].value, value) == 0) {
					b->data[i].inst = tg;
					free(value);
					return;
				}
			}
			p = b->data;
			grow_array(&p, &b->cap_data, b->ndata + 1, sizeof(*b->data));
			b->data = p;
			b->data[b->ndata].value = value;
			b->data[b->ndata].inst = tg;
			b->ndata++;
		}
	}
}
