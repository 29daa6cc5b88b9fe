/* conn.c: one client connection, from accept to close.
 *
 * READING    collect the request head (the buffer grows on demand, so an
 *            idle connection costs little more than this struct)
 * SENDING    write the planned head and inline body, then any pattern bytes,
 *            waiting for EPOLLOUT whenever the peer's window is full
 * TRICKLING  one pattern byte per tick of the connection's timerfd
 * STALLED    send nothing more; discard input until the peer closes
 * LINGERING  our FIN is sent; discard input until the peer closes, because
 *            closing with unread input would send an RST instead of the FIN
 *            and could destroy response bytes the peer has not read yet
 * DEAD       closed, waiting for conn_reap()
 */
#include "conn.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "request.h"
#include "scenarios.h"

#define REQUEST_BUF_INITIAL 1024

/* Per wakeup, so that one fast reader of a 1 GB body or one peer flooding
 * us with input cannot starve the other connections. */
#define SEND_ROUNDS_PER_WAKEUP 16
#define DISCARD_ROUNDS_PER_WAKEUP 16

enum conn_state {
	CONN_READING,
	CONN_SENDING,
	CONN_TRICKLING,
	CONN_STALLED,
	CONN_LINGERING,
	CONN_DEAD,
};

struct conn {
	struct watch sock_watch;
	struct watch timer_watch;
	struct server *srv;
	struct conn *prev, *next;
	uint64_t id;
	uint64_t sent;
	/* The request while READING; afterwards the planned head and inline
	 * body, sent from out_off up to len. */
	char *buf;
	uint32_t len, cap;
	uint32_t scanned;
	uint32_t out_off;
	uint64_t pattern_off, pattern_len;
	unsigned trickle_ms;
	enum plan_finish finish;
	const char *scenario;
	int fd;
	int timer_fd;
	uint32_t events;	/* what fd is registered for in the epoll set */
	enum conn_state state;
};

static void conn_close(struct conn *c, const char *why)
{
	struct server *srv = c->srv;

	if (c->state == CONN_DEAD)
		return;
	/* Closing an fd also drops it from the epoll set. */
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	close(c->fd);
	free(c->buf);
	c->buf = NULL;
	c->state = CONN_DEAD;

	if (c->prev)
		c->prev->next = c->next;
	else
		srv->live = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nlive--;
	c->prev = NULL;
	c->next = srv->dead;
	srv->dead = c;

	log_verbose(srv, "conn %llu: closed (%s) after sending %llu bytes; %zu open",
		    (unsigned long long)c->id, why, (unsigned long long)c->sent,
		    srv->nlive);
	server_resume_accepting(srv);
}

static void conn_close_errno(struct conn *c, const char *doing, int err)
{
	char why[128];

	if (err == ECONNRESET || err == EPIPE)
		snprintf(why, sizeof(why), "peer reset the connection while we were %s", doing);
	else
		snprintf(why, sizeof(why), "%s failed: %s", doing, strerror(err));
	conn_close(c, why);
}

static void conn_want(struct conn *c, uint32_t events)
{
	if (c->state == CONN_DEAD || c->events == events)
		return;
	struct epoll_event ev = { .events = events, .data.ptr = &c->sock_watch };
	if (epoll_ctl(c->srv->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		conn_close_errno(c, "epoll_ctl", errno);
		return;
	}
	c->events = events;
}

void conn_open(struct server *srv, int fd, const struct sockaddr_storage *peer)
{
	char who[ADDR_TEXT_MAX];
	struct conn *c = calloc(1, sizeof(*c));

	addr_format(peer, who, sizeof(who));
	if (!c) {
		log_line("out of memory for the connection from %s; closing it", who);
		close(fd);
		return;
	}
	c->sock_watch.kind = WATCH_CONN_SOCKET;
	c->timer_watch.kind = WATCH_CONN_TIMER;
	c->srv = srv;
	c->id = ++srv->last_conn_id;
	c->fd = fd;
	c->timer_fd = -1;
	c->state = CONN_READING;
	c->events = EPOLLIN;

	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->sock_watch };
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_line("cannot watch the connection from %s (epoll_ctl: %s); closing it",
			 who, strerror(errno));
		close(fd);
		free(c);
		return;
	}
	c->next = srv->live;
	if (srv->live)
		srv->live->prev = c;
	srv->live = c;
	srv->nlive++;
	log_verbose(srv, "conn %llu: accepted from %s; %zu open",
		    (unsigned long long)c->id, who, srv->nlive);
}

/* Request lines come from anyone: keep control bytes off the terminal. */
static void printable_copy(char *dst, size_t dst_size, const char *src, size_t len)
{
	size_t n = len < dst_size - 1 ? len : dst_size - 1;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[i] = ch >= ' ' && ch < 0x7f ? (char)ch : '?';
	}
	dst[n] = '\0';
}

static void conn_send(struct conn *c);

static void conn_start_response(struct conn *c, struct plan *plan)
{
	free(c->buf);
	c->buf = plan->out;
	c->len = (uint32_t)plan->out_len;
	c->cap = c->len;
	c->out_off = 0;
	c->pattern_off = 0;
	c->pattern_len = plan->pattern_len;
	c->trickle_ms = plan->trickle_ms;
	c->finish = plan->finish;
	c->scenario = plan->scenario;
	c->state = CONN_SENDING;

	if (plan->status)
		log_verbose(c->srv, "conn %llu: scenario %s, status %d",
			    (unsigned long long)c->id, c->scenario, plan->status);
	else
		log_verbose(c->srv, "conn %llu: scenario %s, no HTTP response",
			    (unsigned long long)c->id, c->scenario);
	/* Most responses fit the socket buffer: no need to wait for EPOLLOUT. */
	conn_send(c);
}

static void conn_bad_request(struct conn *c, const char *why)
{
	struct plan plan;

	if (scenario_plan_bad_request(why, &plan) < 0) {
		conn_close(c, "out of memory");
		return;
	}
	conn_start_response(c, &plan);
}

static void conn_handle_request(struct conn *c, size_t head_len)
{
	struct request req;
	struct plan plan;
	char line[160];
	int parsed = request_parse(c->buf, head_len, &req);

	printable_copy(line, sizeof(line), req.line, req.line_len);
	log_verbose(c->srv, "conn %llu: request \"%s\"", (unsigned long long)c->id, line);
	if (parsed < 0) {
		conn_bad_request(c, "malformed request line, expected METHOD SP TARGET SP HTTP/1.x");
		return;
	}
	if (scenario_plan(&req, &plan) < 0) {
		conn_close(c, "out of memory");
		return;
	}
	conn_start_response(c, &plan);
}

static void conn_read_request(struct conn *c)
{
	for (;;) {
		if (c->len == c->cap) {
			if (c->cap >= REQUEST_HEAD_MAX) {
				log_verbose(c->srv, "conn %llu: no end of headers in %d bytes",
					    (unsigned long long)c->id, REQUEST_HEAD_MAX);
				conn_bad_request(c, "header block over 8192 bytes");
				return;
			}
			uint32_t cap = c->cap ? c->cap * 2 : REQUEST_BUF_INITIAL;
			if (cap > REQUEST_HEAD_MAX)
				cap = REQUEST_HEAD_MAX;
			char *buf = realloc(c->buf, cap);
			if (!buf) {
				conn_close(c, "out of memory");
				return;
			}
			c->buf = buf;
			c->cap = cap;
		}

		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (uint32_t)n;
			size_t end = request_head_end(c->buf, c->len, c->scanned);
			if (end) {
				conn_handle_request(c, end);
				return;
			}
			c->scanned = c->len;
		} else if (n == 0) {
			conn_close(c, "peer closed before finishing its request");
			return;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return;
		} else if (errno != EINTR) {
			conn_close_errno(c, "reading the request", errno);
			return;
		}
	}
}

/* 1 once the peer has closed its side, 0 when there is nothing more to read
 * for now, -1 on error (errno set). */
static int conn_discard_input(struct conn *c)
{
	char sink[4096];

	for (int i = 0; i < DISCARD_ROUNDS_PER_WAKEUP; i++) {
		ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
		if (n == 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
	return 0;
}

static void conn_start_trickle(struct conn *c)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0) {
		conn_close_errno(c, "creating the trickle timer", errno);
		return;
	}
	c->timer_fd = tfd;

	struct itimerspec every = {
		.it_interval = { .tv_sec = c->trickle_ms / 1000,
				 .tv_nsec = (long)(c->trickle_ms % 1000) * 1000000L },
	};
	every.it_value = every.it_interval;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->timer_watch };
	if (timerfd_settime(tfd, 0, &every, NULL) < 0 ||
	    epoll_ctl(c->srv->epoll_fd, EPOLL_CTL_ADD, tfd, &ev) < 0) {
		conn_close_errno(c, "arming the trickle timer", errno);
		return;
	}
	c->state = CONN_TRICKLING;
	/* Input is read only to notice the peer leaving. */
	conn_want(c, EPOLLIN);
}

static void conn_finish_response(struct conn *c)
{
	if (c->trickle_ms && c->pattern_off < c->pattern_len) {
		conn_start_trickle(c);
		return;
	}
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = c->out_off = 0;

	switch (c->finish) {
	case FINISH_STALL:
		c->state = CONN_STALLED;
		conn_want(c, EPOLLIN);
		log_verbose(c->srv, "conn %llu: stalling until the peer closes",
			    (unsigned long long)c->id);
		break;
	case FINISH_RESET: {
		struct linger abortive = { .l_onoff = 1, .l_linger = 0 };
		if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive)) < 0) {
			conn_close_errno(c, "setting SO_LINGER", errno);
			return;
		}
		conn_close(c, "reset on purpose");
		break;
	}
	case FINISH_LINGER:
		if (shutdown(c->fd, SHUT_WR) < 0) {
			conn_close_errno(c, "shutdown", errno);
			return;
		}
		c->state = CONN_LINGERING;
		conn_want(c, EPOLLIN);
		break;
	}
}

static void conn_send(struct conn *c)
{
	for (int round = 0; round < SEND_ROUNDS_PER_WAKEUP; round++) {
		const char *from;
		size_t len;

		if (c->out_off < c->len) {
			from = c->buf + c->out_off;
			len = c->len - c->out_off;
		} else if (!c->trickle_ms && c->pattern_off < c->pattern_len) {
			from = scenario_pattern_at(c->pattern_off, &len);
			if (len > c->pattern_len - c->pattern_off)
				len = (size_t)(c->pattern_len - c->pattern_off);
		} else {
			conn_finish_response(c);
			return;
		}

		ssize_t n = send(c->fd, from, len, MSG_NOSIGNAL);
		if (n >= 0) {
			c->sent += (uint64_t)n;
			if (c->out_off < c->len)
				c->out_off += (uint32_t)n;
			else
				c->pattern_off += (uint64_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			conn_want(c, EPOLLOUT);
			return;
		} else if (errno != EINTR) {
			conn_close_errno(c, "sending", errno);
			return;
		}
	}
	/* Still writable but out of turns: level-triggered EPOLLOUT brings us
	 * back after the others have had theirs. */
	conn_want(c, EPOLLOUT);
}

static void conn_on_tick(struct conn *c)
{
	uint64_t expirations;

	if (c->state != CONN_TRICKLING)
		return;
	if (read(c->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;	/* EAGAIN: a spurious wakeup */

	size_t avail;
	const char *next = scenario_pattern_at(c->pattern_off, &avail);
	ssize_t n = send(c->fd, next, 1, MSG_NOSIGNAL);
	if (n == 1) {
		c->sent++;
		c->pattern_off++;
	} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_close_errno(c, "trickling", errno);
		return;
	}
	/* A full send buffer just means this tick's byte goes out next tick. */

	if (c->pattern_off == c->pattern_len) {
		close(c->timer_fd);
		c->timer_fd = -1;
		conn_finish_response(c);
	}
}

static void conn_on_socket(struct conn *c, uint32_t events)
{
	switch (c->state) {
	case CONN_READING:
		conn_read_request(c);
		break;
	case CONN_SENDING:
		/* An error or hangup shows up as send() failing. */
		conn_send(c);
		break;
	case CONN_TRICKLING:
		if (events & (EPOLLERR | EPOLLHUP)) {
			conn_close(c, "peer went away during the trickle");
			break;
		}
		switch (conn_discard_input(c)) {
		case 1:
			/* The peer may only have shut down its sending side
			 * and still be reading: keep trickling, and let a
			 * failing send() tell us if it is really gone. */
			conn_want(c, 0);
			break;
		case -1:
			conn_close_errno(c, "reading", errno);
			break;
		}
		break;
	case CONN_STALLED:
	case CONN_LINGERING:
		switch (conn_discard_input(c)) {
		case 1:
			conn_close(c, c->state == CONN_STALLED ? "peer gave up on the stall"
							       : "done");
			break;
		case -1:
			conn_close_errno(c, "reading", errno);
			break;
		}
		break;
	case CONN_DEAD:
		break;
	}
}

void conn_on_event(struct watch *w, uint32_t events)
{
	if (w->kind == WATCH_CONN_TIMER)
		conn_on_tick(container_of(w, struct conn, timer_watch));
	else
		conn_on_socket(container_of(w, struct conn, sock_watch), events);
}

void conn_reap(struct server *srv)
{
	while (srv->dead) {
		struct conn *c = srv->dead;
		srv->dead = c->next;
		free(c);
	}
}

void conn_close_all(struct server *srv)
{
	while (srv->live)
		conn_close(srv->live, "server shutting down");
	conn_reap(srv);
}
