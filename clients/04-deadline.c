/*
 * Stage 4, c-deadline: give up when the deadline passes.
 *
 * The one new idea: a deadline, as context.WithTimeout gives a Go request.
 * It is one absolute point in time (CLOCK_MONOTONIC) for the whole request,
 * connect included. The kernel keeps it for us as a timerfd: a file
 * descriptor that becomes readable when the deadline passes, set with an
 * absolute time so no rounding to milliseconds can make us late. It sits
 * in the same epoll set as the socket, so every wait ends either because
 * the socket is ready or because time ran out. When time runs out we do
 * what Go does: deregister the socket (EPOLL_CTL_DEL), close it
 * (`internal/poll/fd_unix.go (*FD).destroy`, in that order), and report
 * "context deadline exceeded". One more habit taken from Go: once the
 * request is out we read at once and wait only after EAGAIN
 * (`internal/poll/fd_unix.go (*FD).Read`; stage 3 waits first), so a
 * stalled answer shows as read = -1 EAGAIN before the wait.
 *
 * What to look for in the trace, against /stall with -t 200:
 *   socket(..., SOCK_STREAM|SOCK_NONBLOCK, ...) = 3, connect = -1 EINPROGRESS
 *   epoll_create1(0) = 4
 *   timerfd_create(CLOCK_MONOTONIC, 0) = 5
 *   timerfd_settime(5, TFD_TIMER_ABSTIME, {it_value={...}}, NULL) = 0   the deadline
 *   epoll_ctl(4, EPOLL_CTL_ADD, 5, {events=EPOLLIN, ...}) = 0
 *   epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLOUT, ...}) = 0
 *   ... as stage 3: wait, getsockopt(SO_ERROR), write, EPOLL_CTL_MOD ...
 *   read(3, ...) = -1 EAGAIN
 *   epoll_wait(4, [{events=EPOLLIN, data={u32=5, ...}}], 1, -1) = 1      the timer, not the socket
 *   epoll_ctl(4, EPOLL_CTL_DEL, 3, NULL) = 0
 *   close(3) = 0
 * Go gets the same effect differently: its scheduler computes the time to
 * the next timer (`runtime/proc.go findRunnable`) and its poller passes it
 * as epoll_pwait's timeout in whole milliseconds
 * (`runtime/netpoll_epoll.go netpoll`): epoll_pwait(..., 199) = 0.
 * epoll_pwait2 would let us pass a nanosecond timeout too, but valgrind
 * 3.19, which the leak tests use, does not know that syscall.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-deadline",
	.features = FEATURE_DEADLINE,
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Sleeps in the kernel until the socket is ready (1) or the deadline timer
 * fires (0). */
static int wait_ready(int epfd, int timer)
{
	struct epoll_event ready;
	int n;

	do
		n = epoll_wait(epfd, &ready, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && ready.data.fd == timer)
		return 0;
	return n;
}

/* A timerfd that becomes readable at the deadline, in epfd's set. */
static int arm_deadline_timer(int epfd, const struct deadline *deadline)
{
	struct itimerspec at = { .it_value = deadline->at };
	struct epoll_event interest = { .events = EPOLLIN };
	int timer = timerfd_create(CLOCK_MONOTONIC, 0);

	if (timer < 0)
		return -1;
	interest.data.fd = timer;
	if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, NULL) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, timer, &interest) < 0) {
		int saved = errno;

		close(timer);
		errno = saved;
		return -1;
	}
	return timer;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct deadline deadline = deadline_after_ms(res->started, opts->deadline_ms);
	struct http_response response;
	struct epoll_event interest;
	int sock, epfd = -1, timer = -1, registered = 0, sock_error = 0, ready;
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
	if (opts->deadline_ms && (timer = arm_deadline_timer(epfd, &deadline)) < 0)
		goto syscall_failed;
	interest.events = EPOLLOUT;
	interest.data.fd = sock;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &interest) < 0)
		goto syscall_failed;
	registered = 1;
	if ((ready = wait_ready(epfd, timer)) <= 0)
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
		else if (errno == EAGAIN && (ready = wait_ready(epfd, timer)) <= 0)
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

		/* The timer only speaks when we wait; while data keeps
		 * coming we never do, so look at the clock before each read. */
		if (opts->deadline_ms && deadline_passed(&deadline, monotonic_now()))
			goto deadline_exceeded;
		n = read(sock, read_buf, opts->read_size); /* 0: the server closed */
		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
		} else if (errno == EAGAIN) {
			if ((ready = wait_ready(epfd, timer)) <= 0)
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
	if (timer >= 0)
		close(timer);
	if (epfd >= 0)
		close(epfd);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
