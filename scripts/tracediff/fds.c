/* fds.c: fd instances and their roles (see fds.h). */
#include "fds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

bool parse_long_prefix(const char *s, long *v)
{
	bool neg = false;
	long x = 0;
	size_t i = 0;

	if (s[i] == '-') {
		neg = true;
		i++;
	}
	if (!isdigit((unsigned char)s[i]))
		return false;
	for (; isdigit((unsigned char)s[i]); i++)
		if (x < 100000000000L)
			x = x * 10 + (s[i] - '0');
	*v = neg ? -x : x;
	return true;
}

bool parse_fd_arg(const char *s, long *fd)
{
	size_t n = strlen(s), i = 0;
	long v = 0;

	while (i < n && isdigit((unsigned char)s[i])) {
		if (v < 100000000L)
			v = v * 10 + (s[i] - '0');
		i++;
	}
	if (i == 0 || i > 9)
		return false;
	if (i < n) {
		if (s[i] != '<' || scan_decoration(s, n, i) != n)
			return false;
	}
	*fd = v;
	return true;
}

size_t parse_fd_array(const char *s, long *out, size_t max)
{
	size_t n = strlen(s), got = 0;
	struct strvec parts = { 0 };

	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return 0;
	args_split(s + 1, n - 2, &parts);
	for (size_t i = 0; i < parts.n && got < max; i++) {
		long fd;

		if (parse_fd_arg(parts.v[i], &fd))
			out[got++] = fd;
	}
	sv_free(&parts);
	return got;
}

void for_each_poll_fd(const char *s, void (*f)(void *env, long fd), void *env)
{
	const char *p = s;

	while ((p = strstr(p, "{fd=")) != NULL) {
		long fd;

		p += 4;
		if (isdigit((unsigned char)*p) && parse_long_prefix(p, &fd))
			f(env, fd);
	}
}

static bool name_is(const struct call *c, const char *name)
{
	return strcmp(c->name, name) == 0;
}

static bool call_failed(const struct call *c)
{
	long v;

	return !c->result || !parse_long_prefix(c->result, &v) || v < 0;
}

static long new_instance(struct fds *f, long fd, enum fd_kind kind, size_t at)
{
	void *p = f->inst;
	struct fd_instance *in;

	grow_array(&p, &f->cap, f->n + 1, sizeof(*f->inst));
	f->inst = p;
	in = &f->inst[f->n];
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->kind = kind;
	in->start = at;
	in->end = (size_t)-1;
	in->pair = -1;
	return (long)f->n++;
}

struct scan {
	struct fds *f;
	struct lmap cur;   /* fd -> instance, during the scan */
	struct lmap armed; /* pid -> 1 right after its epoll_create1 */
	size_t at;
	/* (epfd instance, target instance) for every EPOLL_CTL_ADD */
	long (*adds)[2];
	size_t nadds, cap_adds;
};

static long cur_of(const struct scan *s, long fd)
{
	long *v = lmap_find(&s->cur, fd);

	return v ? *v : -1;
}

/* fd stops being what it was: at call s->at (exclusive) or after it. */
static void end_fd(struct scan *s, long fd, bool including_this_call)
{
	long idx = cur_of(s, fd);

	if (idx < 0)
		return;
	s->f->inst[idx].end = including_this_call ? s->at + 1 : s->at;
	*lmap_get(&s->cur, fd, -1) = -1;
}

static long create_fd(struct scan *s, long fd, enum fd_kind kind)
{
	long idx;

	end_fd(s, fd, false);
	idx = new_instance(s->f, fd, kind, s->at);
	*lmap_get(&s->cur, fd, -1) = idx;
	return idx;
}

static void mark_registered(void *env, long fd)
{
	struct scan *s = env;
	long idx = cur_of(s, fd);

	if (idx >= 0)
		s->f->inst[idx].registered = true;
}

static enum fd_kind socket_kind(const struct strvec *args)
{
	if (args->n > 0 && (strcmp(args->v[0], "AF_UNIX") == 0 || strcmp(args->v[0], "AF_LOCAL") == 0))
		return FD_USOCK;
	if (args->n > 0 && strcmp(args->v[0], "AF_NETLINK") == 0)
		return FD_NLSOCK;
	return FD_SOCK;
}

/* Calls that hand out fds nobody tracks: whatever the number was, it is
 * not any more. */
static bool returns_untracked_fd(const char *name)
{
	static const char *const names[] = { "open", "openat", "openat2", "creat", "accept", "accept4",
					     "dup", "dup2", "dup3", "memfd_create", "signalfd", "signalfd4",
					     "inotify_init", "inotify_init1", "fanotify_init", "pidfd_open",
					     "userfaultfd", "perf_event_open", "bpf", "io_uring_setup" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool is_tracked_call(const char *name)
{
	static const char *const names[] = { "socket", "connect", "getsockopt", "setsockopt", "getpeername",
					     "getsockname", "fcntl", "read", "readv", "recvfrom", "recvmsg",
					     "write", "writev", "sendto", "sendmsg", "epoll_create1",
					     "epoll_create", "epoll_ctl", "epoll_wait", "epoll_pwait",
					     "epoll_pwait2", "poll", "ppoll", "select", "pselect6",
					     "timerfd_create", "timerfd_settime", "pipe2", "pipe", "eventfd2",
					     "eventfd", "socketpair", "shutdown", "close" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static void scan_call(struct scan *s, const struct call *c)
{
	struct strvec args = { 0 };
	long fd, fds[2], *armed = lmap_find(&s->armed, c->pid);
	bool was_armed = armed && *armed;
	bool wake_call = name_is(c, "pipe2") || name_is(c, "pipe") || name_is(c, "eventfd2") ||
			 name_is(c, "eventfd") || name_is(c, "socketpair");

	args_split(c->args, strlen(c->args), &args);
	if (is_tracked_call(c->name) && armed)
		*armed = 0;
	if (name_is(c, "socket") && !call_failed(c) && parse_long_prefix(c->result, &fd)) {
		create_fd(s, fd, socket_kind(&args));
	} else if ((name_is(c, "epoll_create1") || name_is(c, "epoll_create")) && !call_failed(c) &&
		   parse_long_prefix(c->result, &fd)) {
		create_fd(s, fd, FD_EPFD);
		*lmap_get(&s->armed, c->pid, 0) = 1;
	} else if (name_is(c, "timerfd_create") && !call_failed(c) && parse_long_prefix(c->result, &fd)) {
		create_fd(s, fd, FD_TIMER);
	} else if ((name_is(c, "eventfd2") || name_is(c, "eventfd")) && !call_failed(c) &&
		   parse_long_prefix(c->result, &fd)) {
		s->f->inst[create_fd(s, fd, FD_WAKE)].after_epoll = was_armed;
	} else if (wake_call && !call_failed(c)) {
		size_t at = name_is(c, "socketpair") ? 3 : 0;

		if (args.n > at && parse_fd_array(args.v[at], fds, 2) == 2) {
			long a = create_fd(s, fds[0], FD_WAKE), b = create_fd(s, fds[1], FD_WAKE);

			s->f->inst[a].pair = b;
			s->f->inst[b].pair = a;
			s->f->inst[a].after_epoll = s->f->inst[b].after_epoll = was_armed && !name_is(c, "socketpair");
		}
	} else if (name_is(c, "epoll_ctl")) {
		long ep, target;

		if (args.n > 2 && strcmp(args.v[1], "EPOLL_CTL_ADD") == 0 && parse_fd_arg(args.v[0], &ep) &&
		    parse_fd_arg(args.v[2], &target)) {
			long ei = cur_of(s, ep), ti = cur_of(s, target);

			mark_registered(s, target);
			if (ei >= 0 && ti >= 0) {
				void *p = s->adds;

				grow_array(&p, &s->cap_adds, s->nadds + 1, sizeof(*s->adds));
				s->adds = p;
				s->adds[s->nadds][0] = ei;
				s->adds[s->nadds][1] = ti;
				s->nadds++;
			}
		}
	} else if (name_is(c, "poll") || name_is(c, "ppoll")) {
		if (args.n > 0)
			for_each_poll_fd(args.v[0], mark_registered, s);
	} else if (name_is(c, "close")) {
		if (args.n > 0 && parse_fd_arg(args.v[0], &fd))
			end_fd(s, fd, true);
	} else if (returns_untracked_fd(c->name) && !call_failed(c) && parse_long_prefix(c->result, &fd)) {
		end_fd(s, fd, false);
	}
	sv_free(&args);
}

static const char *kind_base(enum fd_kind k)
{
	switch (k) {
	case FD_SOCK:
		return "SOCK";
	case FD_USOCK:
		return "USOCK";
	case FD_NLSOCK:
		return "NLSOCK";
	case FD_EPFD:
		return "EPFD";
	case FD_TIMER:
		return "TIMER";
	case FD_WAKE:
		return "WAKE";
	case FD_NONE:
		break;
	}
	return "";
}

/* "SOCK", then "SOCK2", ...; number 1 has no digit. */
static void role_name(char *out, const char *base, unsigned nth, const char *suffix)
{
	if (nth <= 1)
		snprintf(out, FD_NAME_MAX, "%s%s", base, suffix);
	else
		snprintf(out, FD_NAME_MAX, "%s%u%s", base, nth, suffix);
}

static void assign_names(struct fds *f)
{
	unsigned count[FD_WAKE + 1] = { 0 };

	for (size_t i = 0; i < f->n; i++) {
		struct fd_instance *in = &f->inst[i];

		if (in->kind == FD_WAKE) {
			bool poller = in->registered || in->after_epoll;

			if (in->pair >= 0) {
				struct fd_instance *other = &f->inst[in->pair];

				poller = poller || other->registered || other->after_epoll;
				if ((size_t)in->pair < i)
					continue; /* named with its first end */
				if (!poller) {
					in->kind = other->kind = FD_NONE;
					continue;
				}
				count[FD_WAKE]++;
				role_name(in->name, "WAKE", count[FD_WAKE], "_R");
				role_name(other->name, "WAKE", count[FD_WAKE], "_W");
				continue;
			}
			if (!poller) {
				in->kind = FD_NONE;
				continue;
			}
		}
		if (in->kind == FD_NONE)
			continue;
		count[in->kind]++;
		role_name(in->name, kind_base(in->kind), count[in->kind], "");
	}
}

static int cmp_end(const void *a, const void *b, void *env)
{
	const struct fds *f = env;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (f->inst[x].end != f->inst[y].end)
		return f->inst[x].end < f->inst[y].end ? -1 : 1;
	return x < y ? -1 : x > y;
}

void fds_scan(struct fds *f, const struct trace *t)
{
	struct scan s = { .f = f };

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < t->n; i++) {
		s.at = i;
		scan_call(&s, &t->calls[i]);
	}
	assign_names(f);
	for (size_t k = 0; k < s.nadds; k++) {
		const struct fd_instance *target = &f->inst[s.adds[k][1]];

		if (target->kind == FD_WAKE && f->inst[s.adds[k][0]].kind == FD_EPFD)
			f->inst[s.adds[k][0]].runtime_poller = true;
	}
	/* Go's pipe right after epoll_create1 belongs to that poller too */
	for (size_t i = 0; i + 1 < f->n; i++)
		if (f->inst[i].kind == FD_EPFD && f->inst[i + 1].kind == FD_WAKE && f->inst[i + 1].after_epoll)
			f->inst[i].runtime_poller = true;
	f->by_end = xcalloc(f->n, sizeof(size_t));
	for (size_t i = 0; i < f->n; i++)
		f->by_end[i] = i;
	qsort_r(f->by_end, f->n, sizeof(size_t), cmp_end, f);
	free(s.adds);
	lmap_free(&s.cur);
	lmap_free(&s.armed);
}

void fds_at(struct fds *f, size_t i)
{
	f->at = i;
	while (f->next_end < f->n && f->inst[f->by_end[f->next_end]].end <= i) {
		size_t idx = f->by_end[f->next_end++];
		long *v = lmap_find(&f->active, f->inst[idx].fd);

		if (v && *v == (long)idx)
			*v = -1;
	}
	while (f->next_start < f->n && f->inst[f->next_start].start <= i) {
		size_t idx = f->next_start++;

		if (f->inst[idx].end > i)
			*lmap_get(&f->active, f->inst[idx].fd, -1) = (long)idx;
	}
}

long fds_instance(const struct fds *f, long fd)
{
	long *v = lmap_find(&f->active, fd);

	return v ? *v : -1;
}

const char *fds_role(const struct fds *f, long fd)
{
	long idx = fds_instance(f, fd);

	if (idx < 0 || f->inst[idx].kind == FD_NONE)
		return NULL;
	return f->inst[idx].name;
}

void fds_free(struct fds *f)
{
	free(f->inst);
	free(f->by_end);
	lmap_free(&f->active);
	memset(f, 0, sizeof(*f));
}
