/* waits.c: what a wait returned or waited for (see waits.h). */
#include "waits.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "rewrite.h"

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
	void *p = e->data;

	for (size_t i = 0; i < e->ndata; i++) {
		if (strcmp(e->data[i].value, value) == 0) {
			e->data[i].inst = inst;
			free(value);
			return;
		}
	}
	grow_array(&p, &e->cap_data, e->ndata + 1, sizeof(*e->data));
	e->data = p;
	e->data[e->ndata++] = (struct epoll_data){ value, inst };
}

void epoll_learn_ctl(struct epoll_sets *e, const struct strvec *a)
{
	long epfd, target, ep, tg;
	const char *ev, *d;
	void *p = e->in;
	size_t end;
	char *value;

	if (a->n < 3 || !parse_fd_arg(a->v[0], &epfd) || !parse_fd_arg(a->v[2], &target))
		return;
	ep = fds_instance(e->fds, epfd);
	tg = fds_instance(e->fds, target);
	if (tg < 0)
		return;
	for (size_t i = 0; i < e->nin; i++) {
		if (e->in[i].ep == ep && e->in[i].target == tg) {
			free(e->in[i].events);
			e->in[i] = e->in[--e->nin];
			break;
		}
	}
	if ((strcmp(a->v[1], "EPOLL_CTL_ADD") != 0 && strcmp(a->v[1], "EPOLL_CTL_MOD") != 0) || a->n < 4)
		return;
	ev = strstr(a->v[3], "events=");
	d = strstr(a->v[3], "data=");
	grow_array(&p, &e->cap_in, e->nin + 1, sizeof(*e->in));
	e->in = p;
	e->in[e->nin++] = (struct epoll_interest){ ep, tg, ev ? xstrndup(ev + 7, events_len(ev + 7)) : xstrdup("") };
	if (d && (value = epoll_data_value(d, &end)) != NULL)
		remember_data(e, value, tg);
}

static bool live_socket(const struct epoll_sets *e, long inst)
{
	return fds_live(e->fds, inst) && is_sock_kind(e->fds->inst[inst].kind);
}

bool epoll_watches_socket(const struct epoll_sets *e, long ep)
{
	for (size_t i = 0; i < e->nin; i++)
		if (e->in[i].ep == ep && live_socket(e, e->in[i].target))
			return true;
	return false;
}

void epoll_sets_free(struct epoll_sets *e)
{
	for (size_t i = 0; i < e->ndata; i++)
		free(e->data[i].value);
	for (size_t i = 0; i < e->nin; i++)
		free(e->in[i].events);
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

/* What a poll set holds, or what a poll returned. */
struct poll_seen {
	const struct epoll_sets *e;
	struct ready *ready; /* the result's revents=, or NULL: the set's events= */
	bool in, out;        /* the set's interest in a socket */
};

/* For each {fd=N, ... field=EVENTS} of s. */
static void poll_items(const char *s, const char *field, struct poll_seen *seen)
{
	size_t fl = strlen(field);

	for (const char *p = s; (p = strstr(p, "{fd=")) != NULL;) {
		const char *ev = strstr(p, field);
		long fd = -1;

		p += 4;
		if (!ev)
			break;
		parse_long_prefix(p, &fd);
		ev += fl;
		if (seen->ready) {
			note_ready(seen->ready, fds_kind(seen->e->fds, fd), ev, events_len(ev));
		} else if (is_sock_kind(fds_kind(seen->e->fds, fd))) {
			seen->in |= has_flag(ev, events_len(ev), "POLLIN");
			seen->out |= has_flag(ev, events_len(ev), "POLLOUT");
		}
		p = ev;
	}
}

/* select's result: "1 (in [3], out [4], left {...})". */
static void select_ready(const struct epoll_sets *e, const char *res, struct ready *r)
{
	const char *sets[2] = { strstr(res, "in ["), strstr(res, "out [") };

	for (int out = 0; out < 2; out++) {
		for (const char *p = sets[out] ? sets[out] + 4 + out : ""; *p && *p != ']';) {
			if (isdigit((unsigned char)*p)) {
				long fd = strtol(p, (char **)&p, 10);

				note_ready(r, fds_kind(e->fds, fd), out ? "POLLOUT" : "POLLIN", out ? 7 : 6);
				continue;
			}
			p++;
		}
	}
}

/* By what it waited for: its set's interest in the connection's socket. */
static enum phase interest_phase(const struct epoll_sets *e, const struct syscall *sc, const struct strvec *a)
{
	bool in = false, out = false;
	long fd, ep;

	if (sc_is_epoll_wait(sc)) {
		if (a->n == 0 || !parse_fd_arg(a->v[0], &fd))
			return PHASE_WAIT;
		ep = fds_instance(e->fds, fd);
		for (size_t i = 0; i < e->nin; i++) {
			if (e->in[i].ep == ep && live_socket(e, e->in[i].target)) {
				in |= has_flag(e->in[i].events, strlen(e->in[i].events), "EPOLLIN");
				out |= has_flag(e->in[i].events, strlen(e->in[i].events), "EPOLLOUT");
			}
		}
	} else if (sc->fds == FDS_POLL_SET && a->n > 0) {
		struct poll_seen seen = { .e = e };

		poll_items(a->v[0], "events=", &seen);
		in = seen.in;
		out = seen.out;
	}
	return in ? PHASE_WAIT_READABLE : out ? PHASE_WAIT_WRITABLE : PHASE_WAIT;
}

enum phase wait_phase(const struct epoll_sets *e, const struct syscall *sc, const struct call *c,
		      const struct strvec *a, bool returned)
{
	struct ready r = { 0 };
	long n;

	if (!returned || !c->result || !parse_long_prefix(c->result, &n) || n < 0)
		return interest_phase(e, sc, a);
	if (n == 0) {
		int t = wait_timeout(sc, a);

		return t > 0 ? PHASE_DEADLINE : t == 0 ? PHASE_POLL : PHASE_WAIT;
	}
	if (sc_is_epoll_wait(sc) && a->n > 1)
		epoll_ready(e, a->v[1], &r);
	else if (sc->fds == FDS_POLL_SET)
		poll_items(c->result, "revents=", &(struct poll_seen){ .e = e, .ready = &r });
	else
		select_ready(e, c->result, &r);
	if (r.timer)
		return PHASE_DEADLINE;
	if (r.sock_in)
		return PHASE_WAIT_READABLE;
	if (r.sock_out)
		return PHASE_WAIT_WRITABLE;
	return r.wake ? PHASE_WAKE : PHASE_WAIT;
}
