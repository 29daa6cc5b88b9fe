/* waits.c: what a wait returned or waited for (see tracediff.h). */
#include "tracediff.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* An epoll data value, and the instance it stands for. */
struct epoll_data {
	char *value;
	long inst;
};

/* Set ep wants to know whether target is readable (in), writable (out). */
struct epoll_interest {
	long ep, target;
	bool in, out;
};

/* Is flag one of the |-separated flags of events[0..n)? */
static bool has_flag(const char *events, size_t n, const char *flag)
{
	size_t fl = strlen(flag);

	for (size_t i = 0; i + fl <= n; i++)
		if (memcmp(events + i, flag, fl) == 0 && (i + fl == n || !isalnum((unsigned char)events[i + fl])) &&
		    (i == 0 || !isalnum((unsigned char)events[i - 1])))
			return true;
	return false;
}

/* The value of an events= field: up to ',' or '}'. */
static size_t events_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ',' && s[n] != '}')
		n++;
	return n;
}

long epoll_data_inst(const struct epoll_sets *e, const char *value)
{
	long fd;

	for (size_t i = e->ndata; i-- > 0;)
		if (strcmp(e->data[i].value, value) == 0)
			return fds_live(e->fds, e->data[i].inst) ? e->data[i].inst : -1;
	/* C puts the fd itself in the data: take it even without its ADD */
	if (parse_long_prefix(value, &fd) && fd >= 0 && fd < 65536 && value[strspn(value, "0123456789")] == '\0')
		return fds_instance(e->fds, fd);
	return -1;
}

static void remember_data(struct epoll_sets *e, char *value, long inst)
{
	for (size_t i = 0; i < e->ndata; i++) {
		if (strcmp(e->data[i].value, value) == 0) {
			e->data[i].inst = inst;
			free(value);
			return;
		}
	}
	e->data = grow_array(e->data, &e->cap_data, e->ndata + 1, sizeof(*e->data));
	e->data[e->ndata++] = (struct epoll_data){ value, inst };
}

void epoll_learn_ctl(struct epoll_sets *e, const struct strvec *a)
{
	long ep = fds_instance(e->fds, arg_fd(a, 0)), tg = fds_instance(e->fds, arg_fd(a, 2));
	const char *ev, *d;
	size_t end;
	char *value;

	if (arg_fd(a, 0) < 0 || tg < 0)
		return;
	for (size_t i = 0; i < e->nin; i++) {
		if (e->in[i].ep == ep && e->in[i].target == tg) {
			e->in[i] = e->in[--e->nin];
			break;
		}
	}
	if ((strcmp(a->v[1], "EPOLL_CTL_ADD") != 0 && strcmp(a->v[1], "EPOLL_CTL_MOD") != 0) || a->n < 4)
		return;
	ev = strstr(a->v[3], "events=");
	ev = ev ? ev + 7 : "";
	d = strstr(a->v[3], "data=");
	e->in = grow_array(e->in, &e->cap_in, e->nin + 1, sizeof(*e->in));
	e->in[e->nin++] = (struct epoll_interest){ ep, tg, has_flag(ev, events_len(ev), "EPOLLIN"),
						   has_flag(ev, events_len(ev), "EPOLLOUT") };
	if (d && (value = epoll_data_value(d, &end)) != NULL)
		remember_data(e, value, tg);
}

/* Does set ep watch a live socket of the connection? And for what: *in
 * and *out get its EPOLLIN and EPOLLOUT. */
static bool socket_interest(const struct epoll_sets *e, long ep, bool *in, bool *out)
{
	bool any = false;

	for (size_t i = 0; i < e->nin; i++) {
		long tg = e->in[i].target;

		if (e->in[i].ep == ep && fds_live(e->fds, tg) && is_sock_kind(e->fds->inst[tg].kind)) {
			any = true;
			*in |= e->in[i].in;
			*out |= e->in[i].out;
		}
	}
	return any;
}

bool epoll_watches_socket(const struct epoll_sets *e, long ep)
{
	bool in = false, out = false;

	return socket_interest(e, ep, &in, &out);
}

void epoll_sets_free(struct epoll_sets *e)
{
	for (size_t i = 0; i < e->ndata; i++)
		free(e->data[i].value);
	free(e->data);
	free(e->in);
}

int wait_timeout(const struct syscall *sc, const struct strvec *a)
{
	const char *t = sc->timeout_arg < a->n ? a->v[sc->timeout_arg] : "";
	long v;

	if (t[0] == '\0' || (!sc->timeout_timespec && !parse_long_prefix(t, &v)))
		return -1;
	if (!sc->timeout_timespec)
		return v > 0 ? 1 : v == 0 ? 0 : -1;
	if (strcmp(t, "NULL") == 0)
		return -1;
	return time_is_zero(t) ? 0 : 1;
}

/* What the ready fds of a wait were. */
struct ready {
	bool timer, sock_in, sock_out, wake;
};

static void note_ready(struct ready *r, enum fd_kind kind, const char *ev, size_t n)
{
	static const char *const IN[] = { "EPOLLIN", "POLLIN", "EPOLLHUP", "POLLHUP", "EPOLLRDHUP",
					  "POLLRDHUP", "EPOLLPRI", "POLLPRI", "POLLRDNORM" };
	static const char *const OUT[] = { "EPOLLOUT", "POLLOUT", "POLLWRNORM" };
	bool in = false, out = false;

	for (size_t i = 0; i < sizeof(IN) / sizeof(IN[0]); i++)
		in |= has_flag(ev, n, IN[i]);
	for (size_t i = 0; i < sizeof(OUT) / sizeof(OUT[0]); i++)
		out |= has_flag(ev, n, OUT[i]);
	if (kind == FD_TIMER) {
		r->timer = true;
	} else if (is_sock_kind(kind)) {
		r->sock_in |= in;
		/* EPOLLERR alone: the connect failed */
		r->sock_out |= out || !in;
	} else if (kind == FD_WAKE) {
		r->wake = true;
	}
}

static void epoll_ready(const struct epoll_sets *e, const char *arr, struct ready *r)
{
	for (const char *p = arr; (p = strstr(p, "events=")) != NULL;) {
		const char *ev = p + 7, *d = strstr(ev, "data=");
		size_t end;
		char *value;
		long inst = -1;

		if (!d)
			break;
		value = epoll_data_value(d, &end);
		if (value) {
			inst = epoll_data_inst(e, value);
			free(value);
		}
		note_ready(r, inst < 0 ? FD_NONE : e->fds->inst[inst].kind, ev, events_len(ev));
		p = d + 5;
	}
}

/* Each {fd=N, ... events=EVENTS} of a poll set: its interest in a socket
 * (POLLIN: sock_in, POLLOUT: sock_out); or with returned, each {fd=N,
 * revents=EVENTS} of what a poll returned. */
static void poll_items(const struct epoll_sets *e, const char *s, bool returned, struct ready *r)
{
	const char *field = returned ? "revents=" : "events=";

	for (const char *p = s; (p = strstr(p, "{fd=")) != NULL;) {
		const char *ev = strstr(p, field);
		enum fd_kind kind;
		long fd = -1;

		p += 4;
		if (!ev)
			break;
		parse_long_prefix(p, &fd);
		ev += strlen(field);
		kind = fds_kind(e->fds, fd);
		if (returned) {
			note_ready(r, kind, ev, events_len(ev));
		} else if (is_sock_kind(kind)) {
			r->sock_in |= has_flag(ev, events_len(ev), "POLLIN");
			r->sock_out |= has_flag(ev, events_len(ev), "POLLOUT");
		}
		p = ev;
	}
}

enum phase wait_phase(const struct epoll_sets *e, const struct syscall *sc, const struct call *c,
		      const struct strvec *a, bool returned)
{
	struct ready r = { 0 };
	long n;

	if (!returned || !c->result || !parse_long_prefix(c->result, &n) || n < 0) {
		/* by what it waited for: its set's interest in the connection's socket */
		if (sc_is_epoll_wait(sc) && arg_fd(a, 0) >= 0)
			socket_interest(e, fds_instance(e->fds, arg_fd(a, 0)), &r.sock_in, &r.sock_out);
		else if (sc->fds == FDS_POLL_SET && a->n > 0)
			poll_items(e, a->v[0], false, &r);
		return r.sock_in ? PHASE_WAIT_READABLE : r.sock_out ? PHASE_WAIT_WRITABLE : PHASE_WAIT;
	}
	if (n == 0) {
		int t = wait_timeout(sc, a);

		return t > 0 ? PHASE_DEADLINE : t == 0 ? PHASE_POLL : PHASE_WAIT;
	}
	if (sc_is_epoll_wait(sc) && a->n > 1)
		epoll_ready(e, a->v[1], &r);
	else if (sc->fds == FDS_POLL_SET)
		poll_items(e, c->result, true, &r);
	if (r.timer)
		return PHASE_DEADLINE;
	if (r.sock_in)
		return PHASE_WAIT_READABLE;
	if (r.sock_out)
		return PHASE_WAIT_WRITABLE;
	return r.wake ? PHASE_WAKE : PHASE_WAIT;
}
