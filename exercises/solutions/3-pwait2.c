/*
 * Exercise 3 (from stage 4, c-deadline): the deadline as epoll's timeout.
 *
 * The one new idea: epoll_pwait2 (Linux 5.11; glibc 2.36 has it) takes its timeout
 * as a struct timespec, in nanoseconds, where epoll_wait takes whole
 * milliseconds. So the deadline needs no timer fd: before each wait we
 * compute the time left until it (deadline_time_left) and pass that; a wait
 * that returns 0 means time ran out. No timerfd_create, no
 * timerfd_settime, one fd less in the epoll set, and no rounding to
 * milliseconds. (valgrind 3.19, which the leak tests use, does not know
 * epoll_pwait2: this file is checked by its trace only.)
 *
 * What to look for in the trace, against /stall with -t 200:
 *   socket(..., SOCK_STREAM|SOCK_NONBLOCK, ...) = 3, connect = -1 EINPROGRESS
 *   epoll_create1(0) = 4                        no timerfd_create after it
 *   epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLOUT, ...}) = 0
 *   epoll_pwait2(4, [{events=EPOLLOUT, ...}], 1, {tv_sec=0, tv_nsec=...}, NULL, 8) = 1
 *   ... getsockopt(SO_ERROR), write, EPOLL_CTL_MOD ...
 *   read(3, ...) = -1 EAGAIN
 *   epoll_pwait2(4, [], 1, {tv_sec=0, tv_nsec=...}, NULL, 8) = 0      time ran out
 *   epoll_ctl(4, EPOLL_CTL_DEL, 3, NULL) = 0
 *   close(3) = 0
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-deadline",
	.features = FEATURE_DEADLINE,
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Sleeps in the kernel until the socket is ready (1) or the deadline
 * passes (0): the time left is epoll's timeout, to the nanosecond; without
 * -t (no deadline) the wait has no timeout (NULL). */
static int wait_ready(int epfd, const struct client_opts *opts, const struct deadline *deadline)
{
	struct epoll_event ready;
	struct timespec left;
	int n;

	do {
		left = deadline_time_left(deadline, monotonic_now());
		n = epoll_pwait2(epfd, &ready, 1, opts->deadline_ms ? &left : NULL, NULL);
	} while (n < 0 && errno == EINTR);
	return n;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct deadline deadline = deadline_after_ms(res->started, opts->deadline_ms);
	struct http_response response;
	struct epoll_event interest;
	int sock, epfd = -1, registered = 0, sock_error = 0, ready;
	socklen_t sock_error_len = sizeof(sock_error);

	client_response_init(&response, opts);
	sock = socket(opts->url.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (sock < 0)
		goto syscall_failed;
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0 && errno != EINPROGRESS)
		goto syscall_failed;

	epfd = epoll_create1(0);
	if (epfd < 0)
		goto syscall_failed;
	interest.events = EPOLLOUT;
	interest.data.fd = sock;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &interest) < 0)
		goto syscall_failed;
	registered = 1;
	if ((ready = wait_ready(epfd, opts, &deadline)) <= 0)
		goto wait_ended;
	/* Writable means the handshake ended, not that it worked. */
	if (getsockopt(sock, SOL_SOCKET, SO_ERROR, &sock_error, &sock_error_len) < 0)
		goto syscall_failed;
	if (sock_error != 0) {
		errno = sock_error;
		goto syscall_failed;
	}

	for (int sent = 0; sent < request_len;) {
		ssize_t n = write(sock, request + sent, (size_t)(request_len - sent));

		if (n >= 0)
			sent += (int)n;
		else if (errno == EAGAIN && (ready = wait_ready(epfd, opts, &deadline)) <= 0)
			goto wait_ended;
		else if (errno != EAGAIN && errno != EINTR)
			goto syscall_failed;
	}

	/* The blog does ADD (EEXIST), DEL, ADD here; one MOD says the same. */
	interest.events = EPOLLIN;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, sock, &interest) < 0)
		goto syscall_failed;

	for (;;) {
		ssize_t n;

		/* The timeout only counts while we wait; while data keeps
		 * coming we never do, so look at the clock before each read. */
		if (opts->deadline_ms && deadline_passed(&deadline, monotonic_now()))
			goto deadline_exceeded;
		n = read(sock, read_buf, opts->read_size); /* 0: the server closed */
		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
		} else if (errno == EAGAIN) {
			if ((ready = wait_ready(epfd, opts, &deadline)) <= 0)
				goto wait_ended;
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}
	goto done;

wait_ended: /* the deadline, or a failed wait */
	if (ready < 0)
		goto syscall_failed;
deadline_exceeded:
	res->error = CLIENT_DEADLINE_EXCEEDED;
	goto done;
syscall_failed:
	client_fail_errno(res, errno);
done:
	/* Deregister, then close: the order Go's poller uses too. */
	if (registered)
		epoll_ctl(epfd, EPOLL_CTL_DEL, sock, NULL);
	if (sock >= 0)
		close(sock);
	if (epfd >= 0)
		close(epfd);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
