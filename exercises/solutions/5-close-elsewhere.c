/*
 * Exercise 5 (from stage 5, c-cancel): the canceller closes the socket.
 *
 * The one new idea: the thread that cancels also closes the connection
 * (EPOLL_CTL_DEL, then close), while the loop may still be using the
 * socket. Two threads now share one fd, and the loop must never close it a
 * second time (the number may already name another file) nor trust what a
 * read of it says. So the canceller says that it closed it, and the loop,
 * once it sees the context done, first waits for the canceller to finish
 * (pthread_join) and only then decides whether the socket is still its own
 * to close. Whatever the loop's last read returned, the result is the
 * context's error. Go 1.19's Transport does not close on the goroutine that
 * calls cancel(): readLoop notices ctx.Done() and calls cancelRequest
 * (`net/http/transport.go (*persistConn).readLoop`), and the fd is closed by
 * whoever drops its last reference (`internal/poll/fd_unix.go (*FD).Close`).
 *
 * What to look for in the trace, against /hello with -c 1:
 *   ... as stage 5, then reads of 128 bytes; after the first body byte:
 *   clone3(...)                                  the canceller thread
 *   [canceller] poll([{fd=3, ...}], 1, 1) = 0, write(3, "\1\0...", 8) = 8
 *   [canceller] epoll_ctl(5, EPOLL_CTL_DEL, 4, NULL) = 0
 *   [canceller] close(4) = 0
 *   [loop] no close(4) of its own; close(5), close(3)
 * The loop may still be inside a read when the close comes: then that read
 * returns -1 EBADF, or data, depending on who got there first.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"
#include "lib/context.h"

static const struct client_stage stage = {
	.name = "c-cancel",
	.features = FEATURE_DEADLINE | FEATURE_CANCEL,
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Sleeps in the kernel until the socket is ready (1) or the context is
 * done (0). */
static int wait_ready(int epfd, int done)
{
	struct epoll_event ready;
	int n;

	do
		n = epoll_wait(epfd, &ready, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && ready.data.fd == done)
		return 0;
	return n;
}

/* -c: the article's goroutine, which waits on time.NewTimer and calls
 * cancel(). It waits on the done fd too, so that a request that ends first
 * (and cancels on its way out, Go's `defer cancel()`) lets it go at once. */
struct canceller {
	struct context *ctx;
	long ms;
	int epfd, sock;   /* the connection it closes when it cancels */
	bool registered;
	bool started;
	bool closed;      /* it did: read by the loop after pthread_join only */
	pthread_t thread;
};

void close_connection(int epfd, int sock, bool registered);

static void *canceller_main(void *arg)
{
	struct canceller *c = arg;
	struct pollfd done = { .fd = context_done_fd(c->ctx), .events = POLLIN };
	int n;

	do
		n = poll(&done, 1, (int)c->ms);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		context_cancel(c->ctx);
		/* The cancel closes the connection, here, on this thread. */
		close_connection(c->epfd, c->sock, c->registered);
		c->closed = true;
	}
	return NULL;
}

/* Go: persistConn.closeLocked -> conn.Close -> FD.destroy, which takes the
 * fd out of the poller and then calls close(2). Not static, so a stack or a
 * uprobe can name it. */
void close_connection(int epfd, int sock, bool registered)
{
	if (registered)
		epoll_ctl(epfd, EPOLL_CTL_DEL, sock, NULL);
	close(sock);
}

/* The context is done: cancel the request, that is close the connection
 * and report why. Named after Go's
 * `net/http/transport.go (*Transport).cancelRequest`, whose place it takes
 * in lab 7's chain.
 * net/http does this in two places: Transport.cancelRequest closes the connection,
 * then the failed read of the closed connection reaches bodyEOFSignal, whose
 * condfn asks persistConn.canceled() and returns the context's error
 * instead. The result says "context canceled", never the socket's error. */
void cancel_request(struct context *ctx, struct client_result *res, int epfd, int *sock, bool *registered)
{
	res->error = context_err(ctx) == CONTEXT_DEADLINE_EXCEEDED ? CLIENT_DEADLINE_EXCEEDED : CLIENT_CANCELED;
	if (*sock >= 0) /* -1: the canceller closed it */
		close_connection(epfd, *sock, *registered);
	*sock = -1;
	*registered = false;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	/* -t: the deadline is the context's now (context.WithTimeout). */
	struct context *ctx = opts->deadline_ms ?
		context_with_deadline(context_background(), deadline_after_ms(res->started, opts->deadline_ms)) :
		context_with_cancel(context_background());
	struct canceller canceller = { .ctx = ctx, .ms = opts->cancel_ms };
	struct http_response response;
	struct epoll_event interest;
	int sock = -1, epfd = -1, done = context_done_fd(ctx), sock_error = 0, ready, err;
	bool registered = false;
	socklen_t sock_error_len = sizeof(sock_error);

	client_response_init(&response, opts);
	if (ctx == NULL)
		goto syscall_failed;
	sock = socket(opts->url.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (sock < 0)
		goto syscall_failed;
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0 && errno != EINPROGRESS)
		goto syscall_failed;

	epfd = epoll_create1(0);
	if (epfd < 0)
		goto syscall_failed;
	/* Where stage 4 had its timerfd: the context's done fd. */
	interest.events = EPOLLIN;
	interest.data.fd = done;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, done, &interest) < 0)
		goto syscall_failed;
	interest.events = EPOLLOUT;
	interest.data.fd = sock;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &interest) < 0)
		goto syscall_failed;
	registered = true;
	if ((ready = wait_ready(epfd, done)) <= 0)
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
		else if (errno == EAGAIN && (ready = wait_ready(epfd, done)) <= 0)
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

		/* The done fd only speaks when we wait; while data keeps
		 * coming we never do, so ask the context before each read
		 * (a mutex, no syscall), as Go's body reader does. */
		if (context_err(ctx) != CONTEXT_ALIVE)
			goto context_done;
		n = read(sock, read_buf, opts->read_size); /* 0: the server closed */
		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
			if (opts->cancel_ms && !canceller.started && res->bytes > 0) {
				canceller.epfd = epfd;
				canceller.sock = sock;
				canceller.registered = registered;
				if ((err = pthread_create(&canceller.thread, NULL, canceller_main, &canceller))) {
					errno = err;
					goto syscall_failed;
				}
				canceller.started = true;
			}
		} else if (errno == EAGAIN) {
			if ((ready = wait_ready(epfd, done)) <= 0)
				goto wait_ended;
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}
	/* bodyEOFSignal's condfn: a cut-short body of a done context is the
	 * context's error. */
	if (res->error != CLIENT_OK && context_err(ctx) != CONTEXT_ALIVE)
		goto context_done;
	goto done;

wait_ended: /* the context is done, or a failed wait */
	if (ready < 0)
		goto syscall_failed;
context_done:
	/* The socket may be the canceller's to close: wait until it is done
	 * with it, then close it only if it did not. */
	if (canceller.started) {
		pthread_join(canceller.thread, NULL);
		canceller.started = false;
	}
	if (canceller.closed) {
		sock = -1;
		registered = false;
	}
	cancel_request(ctx, res, epfd, &sock, &registered);
	goto done;
syscall_failed:
	if (context_err(ctx) != CONTEXT_ALIVE) /* the condfn again */
		goto context_done;
	client_fail_errno(res, errno);
done:
	if (sock >= 0)
		close_connection(epfd, sock, registered);
	if (epfd >= 0)
		close(epfd);
	context_cancel(ctx); /* Go's `defer cancel()`: lets the canceller go */
	if (canceller.started)
		pthread_join(canceller.thread, NULL);
	context_free(ctx);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
