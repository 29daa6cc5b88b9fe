/*
 * Exercise 4 (from stage 3, c-epoll): a cancel that wakes the wait.
 *
 * The one new idea: an eventfd in the epoll set next to the socket. It
 * becomes readable when anyone, from any thread, writes to it, so a cancel
 * ends the wait at once: epoll_wait returns the eventfd, not the socket,
 * and we close the connection and report "context canceled". -c MS starts,
 * after the first body byte, a thread that waits MS ms and then writes the
 * eventfd (stage 5 wraps the same eventfd in a context). That thread waits
 * with poll on the eventfd too, so a request that ends first lets it go at
 * once. Like stage 3, the loop learns of the cancel only when it waits.
 *
 * What to look for in the trace, against /trickle?ms=20&n=20 with -c 50:
 *   eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 3                 the cancel
 *   socket(...) = 4, connect = -1 EINPROGRESS, epoll_create1(0) = 5
 *   epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, ...}) = 0   in the set
 *   ... as stage 3; after the first body byte:
 *   [canceller] poll([{fd=3, ...}], 1, 50) = 0, write(3, "\1\0...", 8) = 8
 *   epoll_wait(5, [{events=EPOLLIN, data={u32=3, ...}}], 1, -1) = 1   the cancel
 *   epoll_ctl(5, EPOLL_CTL_DEL, 4, NULL) = 0
 *   close(4) = 0
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-epoll",
	.features = FEATURE_CANCEL,
	.why_no_deadline = "c-epoll waits with no deadline; stage 4 (c-deadline) adds one",
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Sleeps in the kernel until the socket is ready (1) or the cancel fd is
 * written (0). */
static int wait_ready(int epfd, int cancel_fd)
{
	struct epoll_event ready;
	int n;

	do
		n = epoll_wait(epfd, &ready, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && ready.data.fd == cancel_fd)
		return 0;
	return n;
}

/* Makes cancel_fd readable, for good: nobody reads it. */
static void cancel(int cancel_fd)
{
	uint64_t one = 1;

	while (write(cancel_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* -c: waits ms, then cancels, unless the request ends first (it writes
 * cancel_fd too on its way out). */
struct canceller {
	int cancel_fd;
	long ms;
	bool started;
	pthread_t thread;
};

static void *canceller_main(void *arg)
{
	struct canceller *c = arg;
	struct pollfd cancelled = { .fd = c->cancel_fd, .events = POLLIN };
	int n;

	do
		n = poll(&cancelled, 1, (int)c->ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		cancel(c->cancel_fd);
	return NULL;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct http_response response;
	struct epoll_event interest;
	int sock = -1, epfd = -1, registered = 0, sock_error = 0, ready, err;
	socklen_t sock_error_len = sizeof(sock_error);
	struct canceller canceller = { .ms = opts->cancel_ms };
	int cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	client_response_init(&response, opts);
	canceller.cancel_fd = cancel_fd;
	if (cancel_fd < 0)
		goto syscall_failed;
	sock = socket(opts->url.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (sock < 0)
		goto syscall_failed;
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0 && errno != EINPROGRESS)
		goto syscall_failed;

	epfd = epoll_create1(0);
	if (epfd < 0)
		goto syscall_failed;
	interest.events = EPOLLIN;
	interest.data.fd = cancel_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, cancel_fd, &interest) < 0)
		goto syscall_failed;
	interest.events = EPOLLOUT;
	interest.data.fd = sock;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &interest) < 0)
		goto syscall_failed;
	registered = 1;
	if ((ready = wait_ready(epfd, cancel_fd)) <= 0)
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
		else if (errno == EAGAIN && (ready = wait_ready(epfd, cancel_fd)) <= 0)
			goto wait_ended;
		else if (errno != EAGAIN && errno != EINTR)
			goto syscall_failed;
	}

	/* The blog does ADD (EEXIST), DEL, ADD here; one MOD says the same. */
	interest.events = EPOLLIN;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, sock, &interest) < 0)
		goto syscall_failed;
	/* As the blog does, wait for the answer before the first read. */
	if ((ready = wait_ready(epfd, cancel_fd)) <= 0)
		goto wait_ended;

	for (;;) {
		ssize_t n = read(sock, read_buf, opts->read_size); /* 0: the server closed */

		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
			if (opts->cancel_ms && !canceller.started && res->bytes > 0) {
				if ((err = pthread_create(&canceller.thread, NULL, canceller_main, &canceller))) {
					errno = err;
					goto syscall_failed;
				}
				canceller.started = true;
			}
		} else if (errno == EAGAIN) {
			if ((ready = wait_ready(epfd, cancel_fd)) <= 0)
				goto wait_ended;
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}
	goto done;

wait_ended: /* cancelled, or a failed wait */
	if (ready < 0)
		goto syscall_failed;
	res->error = CLIENT_CANCELED;
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
	if (canceller.started) {
		cancel(cancel_fd); /* lets the canceller go, if still waiting */
		pthread_join(canceller.thread, NULL);
	}
	if (cancel_fd >= 0)
		close(cancel_fd);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
