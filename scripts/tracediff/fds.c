/* fds.c: fd instances and their roles (see tracediff.h). */
#include "tracediff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From call at on, fd is instance inst (-1: none). */
struct fd_event {
	size_t at;
	long fd, inst;
};

struct scan {
	struct fds *f;
	size_t at;
	struct lmap cur;   /* fd -> instance, at call at */
	struct lmap armed; /* pid -> 1 while its last connection call was epoll_create1 */
	long (*adds)[2];   /* (set, target) instances of every EPOLL_CTL_ADD */
	size_t nadds, cap_adds;
};

static void add_event(struct scan *s, size_t at, long fd, long inst)
{
	s->f->ev = grow_array(s->f->ev, &s->f->cap_ev, s->f->nev + 1, sizeof(*s->f->ev));
	s->f->ev[s->f->nev++] = (struct fd_event){ at, fd, inst };
	*lmap_get(&s->cur, fd, -1) = inst;
}

/* fd stops being what it was: from this call on, or after it. */
static void end_fd(struct scan *s, long fd, bool after_this_call)
{
	if (lmap_value(&s->cur, fd, -1) >= 0)
		add_event(s, after_this_call ? s->at + 1 : s->at, fd, -1);
}

static long create_fd(struct scan *s, long fd, enum fd_kind kind, bool after_epoll)
{
	end_fd(s, fd, false);
	s->f->inst = grow_array(s->f->inst, &s->f->cap, s->f->n + 1, sizeof(*s->f->inst));
	s->f->inst[s->f->n] = (struct fd_instance){ .fd = fd, .kind = kind, .pair = -1, .after_epoll = after_epoll };
	add_event(s, s->at, fd, (long)s->f->n);
	return (long)s->f->n++;
}

static void mark_registered(struct scan *s, long fd)
{
	long inst = lmap_value(&s->cur, fd, -1);

	if (inst >= 0)
		s->f->inst[inst].registered = true;
}

static enum fd_kind socket_kind(const struct strvec *a)
{
	if (a->n > 0 && (strcmp(a->v[0], "AF_UNIX") == 0 || strcmp(a->v[0], "AF_LOCAL") == 0))
		return FD_USOCK;
	if (a->n > 0 && strcmp(a->v[0], "AF_NETLINK") == 0)
		return FD_NLSOCK;
	return FD_SOCK;
}

static void add_to_set(struct scan *s, const struct strvec *a)
{
	long ep = arg_fd(a, 0), target = arg_fd(a, 2), ei, ti;

	if (a->n < 3 || strcmp(a->v[1], "EPOLL_CTL_ADD") != 0 || ep < 0 || target < 0)
		return;
	mark_registered(s, target);
	ei = lmap_value(&s->cur, ep, -1);
	ti = lmap_value(&s->cur, target, -1);
	if (ei < 0 || ti < 0)
		return;
	s->adds = grow_array(s->adds, &s->cap_adds, s->nadds + 1, sizeof(*s->adds));
	s->adds[s->nadds][0] = ei;
	s->adds[s->nadds++][1] = ti;
}

static void scan_call(struct scan *s, const struct call *c)
{
	const struct syscall *sc = syscall_row(c->name);
	struct strvec a = { 0 };
	long fd, pair[2];
	bool after_epoll = lmap_value(&s->armed, c->pid, 0) && sc->break_fd;
	bool ok = c->result && parse_long_prefix(c->result, &fd) && fd >= 0;

	args_split(c->args, strlen(c->args), &a);
	if (sc_is_connection(sc))
		*lmap_get(&s->armed, c->pid, 0) = 0;
	if (sc->fds == FDS_RESULT && ok) {
		create_fd(s, fd, sc->creates == FD_SOCK ? socket_kind(&a) : sc->creates, after_epoll);
		if (sc->creates == FD_EPFD)
			*lmap_get(&s->armed, c->pid, 0) = 1;
	} else if (sc->fds == FDS_PAIR && ok && arg_fd_pair(&a, sc->pair_arg, pair)) {
		long r = create_fd(s, pair[0], FD_WAKE, after_epoll), w = create_fd(s, pair[1], FD_WAKE, after_epoll);

		s->f->inst[r].pair = w;
		s->f->inst[w].pair = r;
	} else if (sc->does == DOES_EPOLL_CTL) {
		add_to_set(s, &a);
	} else if (sc->fds == FDS_POLL_SET) {
		for (const char *p = a.n > 0 ? a.v[0] : ""; next_poll_fd(&p, &fd);)
			mark_registered(s, fd);
	} else if (sc->does == DOES_CLOSE && arg_fd(&a, 0) >= 0) {
		end_fd(s, arg_fd(&a, 0), true);
	}
	sv_free(&a);
}

static const char *const KIND_NAMES[] = {
	[FD_SOCK] = "SOCK", [FD_USOCK] = "USOCK", [FD_NLSOCK] = "NLSOCK",
	[FD_EPFD] = "EPFD", [FD_TIMER] = "TIMER", [FD_WAKE] = "WAKE",
};

/* "SOCK", then "SOCK2", ...: the first has no number. */
static void role_name(char *out, enum fd_kind kind, unsigned nth, const char *suffix)
{
	if (nth <= 1)
		snprintf(out, FD_NAME_MAX, "%s%s", KIND_NAMES[kind], suffix);
	else
		snprintf(out, FD_NAME_MAX, "%s%u%s", KIND_NAMES[kind], nth, suffix);
}

static bool pollers(const struct fd_instance *in)
{
	return in->registered || in->after_epoll;
}

static void assign_names(struct fds *f)
{
	unsigned count[FD_WAKE + 1] = { 0 };

	for (size_t i = 0; i < f->n; i++) {
		struct fd_instance *in = &f->inst[i], *other = in->pair >= 0 ? &f->inst[in->pair] : NULL;

		if (other && (size_t)in->pair < i)
			continue; /* named with its first end */
		if (in->kind == FD_WAKE && !pollers(in) && !(other && pollers(other))) {
			in->kind = FD_NONE;
			if (other)
				other->kind = FD_NONE;
		}
		if (in->kind == FD_NONE)
			continue;
		count[in->kind]++;
		role_name(in->name, in->kind, count[in->kind], other ? "_R" : "");
		if (other)
			role_name(other->name, in->kind, count[in->kind], "_W");
	}
}

void fds_scan(struct fds *f, const struct trace *t)
{
	struct scan s = { .f = f };

	memset(f, 0, sizeof(*f));
	for (s.at = 0; s.at < t->n; s.at++)
		scan_call(&s, &t->calls[s.at]);
	assign_names(f);
	for (size_t k = 0; k < s.nadds; k++)
		if (f->inst[s.adds[k][1]].kind == FD_WAKE && f->inst[s.adds[k][0]].kind == FD_EPFD)
			f->inst[s.adds[k][0]].runtime_poller = true;
	/* Go's break pipe, right after its epoll_create1, belongs to that set */
	for (size_t i = 0; i + 1 < f->n; i++)
		if (f->inst[i].kind == FD_EPFD && f->inst[i + 1].kind == FD_WAKE && f->inst[i + 1].after_epoll)
			f->inst[i].runtime_poller = true;
	for (size_t i = 0; i < f->n; i++)
		f->any_runtime_poller = f->any_runtime_poller || f->inst[i].runtime_poller;
	free(s.adds);
	lmap_free(&s.cur);
	lmap_free(&s.armed);
}

void fds_at(struct fds *f, size_t i)
{
	for (; f->next_ev < f->nev && f->ev[f->next_ev].at <= i; f->next_ev++)
		*lmap_get(&f->active, f->ev[f->next_ev].fd, -1) = f->ev[f->next_ev].inst;
}

long fds_instance(const struct fds *f, long fd)
{
	return lmap_value(&f->active, fd, -1);
}

bool fds_live(const struct fds *f, long inst)
{
	return inst >= 0 && fds_instance(f, f->inst[inst].fd) == inst;
}

enum fd_kind fds_kind(const struct fds *f, long fd)
{
	long inst = fds_instance(f, fd);

	return inst < 0 ? FD_NONE : f->inst[inst].kind;
}

const char *fds_role(const struct fds *f, long fd)
{
	return fds_kind(f, fd) == FD_NONE ? NULL : f->inst[fds_instance(f, fd)].name;
}

bool is_sock_kind(enum fd_kind k)
{
	return k == FD_SOCK || k == FD_USOCK || k == FD_NLSOCK;
}

void fds_free(struct fds *f)
{
	free(f->inst);
	free(f->ev);
	lmap_free(&f->active);
	memset(f, 0, sizeof(*f));
}
