/*
 * Exercise 1 (from stage 3, c-epoll): read first, wait only on EAGAIN.
 *
 * The one new idea: do not wait before the first read. Go's
 * `internal/poll/fd_unix.go (*FD).Read` calls read(2) at once and parks in
 * the poller (pd.waitRead) only when that read returns EAGAIN; stage 3, as
 * the blog does, waits for EPOLLIN before its first read. With the wait
 * gone, every epoll_wait in the read loop comes right after a read that
 * returned -1 EAGAIN, and an answer that is already there costs no wait.
 *
 * What to look for in the trace, against /trickle?ms=20&n=3:
 *   epoll_ctl(4, EPOLL_CTL_MOD, 3, {events=EPOLLIN, ...}) = 0
 *   read(3, ...) = -1 EAGAIN or the head      no epoll_wait before it
 *   read(3, ...) = -1 EAGAIN
 *   epoll_wait(4, [{events=EPOLLIN, ...}], 1, -1) = 1   only after EAGAIN
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-epoll",
	.features = 0,
	.why_no_deadline = "c-epoll waits with no deadline; stage 4 (c-deadline) adds one",
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Sleeps in the kernel until the socket is ready for what epfd watches. */
static int wait_ready(int epfd)
{
	struct epoll_event ready;
	int n;

	do
		n = epoll_wait(epfd, &ready, 1, -1);
	while (n < 0 && errno == EINTR);
	return n;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct http_response response;
	struct epoll_event interest;
	int sock, epfd = -1, registered = 0, sock_error = 0;
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
	if (wait_ready(epfd) < 0)
		goto syscall_failed;
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
		else if (errno == EAGAIN && wait_ready(epfd) < 0)
			goto syscall_failed;
		else if (errno != EAGAIN && errno != EINTR)
			goto syscall_failed;
	}

	/* The blog does ADD (EEXIST), DEL, ADD here; one MOD says the same. */
	interest.events = EPOLLIN;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, sock, &interest) < 0)
		goto syscall_failed;
	/* No wait here: read first, as Go does; wait only after EAGAIN. */
	for (;;) {
		ssize_t n = read(sock, read_buf, opts->read_size); /* 0: the server closed */

		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
		} else if (errno == EAGAIN) {
			if (wait_ready(epfd) < 0)
				goto syscall_failed;
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}
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
