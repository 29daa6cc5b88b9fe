/*
 * Exercise 2 (from stage 1, c-blocking): a deadline for blocking calls.
 *
 * The one new idea: SO_RCVTIMEO and SO_SNDTIMEO. The socket stays blocking,
 * but before each call we tell the kernel how long that call may sleep: the
 * time left until the request's deadline (SO_SNDTIMEO bounds connect and
 * write, SO_RCVTIMEO bounds read). A call that runs out of time returns -1
 * EAGAIN, which here means "context deadline exceeded". A zero timeout
 * means "no timeout at all" to the kernel, so when no time is left we give
 * up without asking. There is no epoll and no timer fd: the kernel's own
 * socket wait keeps the time, and only for one call on one socket.
 *
 * What to look for in the trace, against /stall with -t 200:
 *   socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
 *   setsockopt(3, SOL_SOCKET, SO_SNDTIMEO_OLD, ...) = 0, connect(3, ...) = 0
 *   setsockopt(3, SOL_SOCKET, SO_SNDTIMEO_OLD, ...) = 0, write(3, "GET /stall ...) = ...
 *   setsockopt(3, SOL_SOCKET, SO_RCVTIMEO_OLD, ...) = 0
 *   read(3, ...) = -1 EAGAIN                  after the time left, not for good
 *   close(3) = 0
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-blocking",
	.features = FEATURE_DEADLINE,
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* Bounds the next blocking call on sock (SO_RCVTIMEO for a read,
 * SO_SNDTIMEO for connect and write) by the time left until the deadline,
 * rounded up to the microsecond. 0 when set (or no -t), 1 when no time is
 * left, -1 when setsockopt failed. */
static int bound_next_call(int sock, int timeout_opt, const struct client_opts *opts, const struct deadline *deadline)
{
	struct timespec left;
	struct timeval timeout;

	if (!opts->deadline_ms)
		return 0;
	left = deadline_time_left(deadline, monotonic_now());
	if (left.tv_sec == 0 && left.tv_nsec == 0)
		return 1; /* a zero timeout would mean "wait for ever" */
	timeout.tv_sec = left.tv_sec;
	timeout.tv_usec = (left.tv_nsec + 999) / 1000;
	if (timeout.tv_usec == 1000000) {
		timeout.tv_sec++;
		timeout.tv_usec = 0;
	}
	return setsockopt(sock, SOL_SOCKET, timeout_opt, &timeout, sizeof(timeout)) < 0 ? -1 : 0;
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct deadline deadline = deadline_after_ms(res->started, opts->deadline_ms);
	struct http_response response;
	int sock, bound;

	client_response_init(&response, opts);
	sock = socket(opts->url.family, SOCK_STREAM, 0);
	if (sock < 0)
		goto syscall_failed;
	if ((bound = bound_next_call(sock, SO_SNDTIMEO, opts, &deadline)) != 0)
		goto bound_failed;
	/* A connect that runs out of time says EINPROGRESS. */
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0)
		goto call_failed;

	for (int sent = 0; sent < request_len;) {
		ssize_t n;

		if ((bound = bound_next_call(sock, SO_SNDTIMEO, opts, &deadline)) != 0)
			goto bound_failed;
		n = write(sock, request + sent, (size_t)(request_len - sent));
		if (n >= 0)
			sent += (int)n;
		else if (errno != EINTR)
			goto call_failed;
	}

	for (;;) {
		ssize_t n;

		/* Set again before each read: the time left shrinks. */
		if ((bound = bound_next_call(sock, SO_RCVTIMEO, opts, &deadline)) != 0)
			goto bound_failed;
		n = read(sock, read_buf, opts->read_size); /* 0: the server closed */
		if (n >= 0 && client_take_read(res, &response, read_buf, (size_t)n))
			break;
		if (n < 0 && errno != EINTR)
			goto call_failed;
	}
	goto done;

bound_failed: /* no time left (1), or setsockopt failed (-1) */
	if (bound > 0)
		goto deadline_exceeded;
	goto syscall_failed;
call_failed: /* a timed-out call is the deadline, any other failure is itself */
	if (opts->deadline_ms && (errno == EAGAIN || errno == EINPROGRESS))
		goto deadline_exceeded;
	goto syscall_failed;
deadline_exceeded:
	res->error = CLIENT_DEADLINE_EXCEEDED;
	goto done;
syscall_failed:
	client_fail_errno(res, errno);
done:
	if (sock >= 0)
		close(sock);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
