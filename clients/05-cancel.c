/*
 * Stage 5, c-cancel: the request is bound to a context.
 *
 * The one new idea: the request belongs to a context (clients/lib/context.h,
 * a small copy of Go's `context/context.go WithCancel`), and anyone, from
 * any thread, may cancel it. The context's "done" is an eventfd that sits
 * in the same epoll set as the socket, where stage 4 had its timerfd, so a
 * cancel wakes the loop at once. The deadline of -t is now the context's
 * (context.WithTimeout): a timer thread cancels it when time runs out, so
 * both causes arrive the same way. -c MS is the seed article's goroutine:
 * after the first body byte a thread waits MS ms and calls
 * context_cancel(), as Go calls cancel()
 * (`context/context.go (*cancelCtx).cancel`). On done we do what net/http
 * does: close the connection
 * (`net/http/transport.go (*persistConn).cancelRequest`; the fd goes with
 * EPOLL_CTL_DEL, then close, as in `internal/poll/fd_unix.go (*FD).destroy`),
 * and report the context's error, not whatever the closed socket would
 * say, as `net/http/transport.go (*bodyEOFSignal).condfn` does.
 *
 * What to look for in the trace, against /hello with -c 1:
 *   eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 3                 the context's done
 *   socket(...) = 4, connect = -1 EINPROGRESS, epoll_create1(0) = 5
 *   epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, ...}) = 0   done, in the set
 *   epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, ...}) = 0
 *   ... as stage 4, then reads of 128 bytes; after the first body byte:
 *   clone3(...)                                  the canceller thread
 *   [canceller] poll([{fd=3, ...}], 1, 1) = 0, write(3, "\1\0...", 8) = 8
 *   epoll_wait(5, [{events=EPOLLIN, data={u32=3, ...}}], 1, -1) = 1   done, not the socket
 *   epoll_ctl(5, EPOLL_CTL_DEL, 4, NULL) = 0
 *   close(4) = 0
 * While data keeps coming the loop may not wait at all; then it notices
 * context_err() before a read, and the wait line is missing.
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
	bool started;
	pthread_t thread;
};

static void *canceller_main(void *arg)
{
	struct canceller *c = arg;
	struct pollfd done = { .fd = context_done_fd(c->ctx), .events = POLLIN };
	int n;

	do
		n = poll(&done, 1, (int)c->ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		context_cancel(c->ctx);
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
