/*
 * Stage 2, c-nonblock: calls that never block, and what waiting then costs.
 *
 * The one new idea: SOCK_NONBLOCK. No call waits any more: connect returns
 * EINPROGRESS at once and the handshake goes on in the kernel; a read with
 * nothing to read returns EAGAIN instead of sleeping. Control comes back to
 * us after every call, so we can honour a deadline the way the seed blog's
 * snippet does: whenever a call would block (connect still EALREADY, a write
 * or read EAGAIN) and the deadline has passed, close the socket and fail
 * with "context deadline exceeded". Connecting needs the check as much as
 * reading: a server whose accept queue is full drops our SYNs, and connect
 * says EALREADY for as long as the kernel keeps resending them.
 * The price: with nothing to wait in, we retry. Sleeping between tries
 * (1 ms here) costs latency; --spin retries at once and burns a core. The
 * result line counts the EAGAINs and the CPU time, so compare the two.
 *
 * What to look for in the trace, against /stall with -t 200:
 *   socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3
 *   connect(3, ...) = -1 EINPROGRESS
 *   connect(3, ...) = 0                    asking again: done (EALREADY: not yet)
 *   write(3, "GET /stall HTTP/1.1\r\n"...) = ...
 *   read(3, ...) = -1 EAGAIN
 *   clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000000}, NULL) = 0
 *   ... read = -1 EAGAIN and sleep, about 200 times (with --spin, many more
 *       reads and no sleeps) ...
 *   close(3) = 0                           the deadline passed at an EAGAIN
 * Against a listener whose accept queue is full, the same story one step
 * earlier: connect(3, ...) = -1 EALREADY and a sleep, about 200 times, then
 * close(3) = 0 with no write at all.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-nonblock",
	.features = FEATURE_DEADLINE | FEATURE_SPIN,
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

/* With nothing to wait in, the choice is to sleep a little or spin. */
static void pause_before_retry(const struct client_opts *opts)
{
	static const struct timespec retry_interval = { .tv_sec = 0, .tv_nsec = 1000000 };

	if (!opts->spin)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &retry_interval, NULL);
}

/* The blog's check: we look at the clock only when a call would block. */
static bool deadline_exceeded(const struct client_opts *opts, const struct deadline *deadline)
{
	return opts->deadline_ms && deadline_passed(deadline, monotonic_now());
}

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct deadline deadline = deadline_after_ms(res->started, opts->deadline_ms);
	struct http_response response;
	struct timespec cpu;
	unsigned long eagain_count = 0;
	int sock;

	client_response_init(&response, opts);
	sock = socket(opts->url.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (sock < 0)
		goto syscall_failed;
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0 && errno != EINPROGRESS)
		goto syscall_failed;
	/* Asking again tells how the handshake went: 0 or EISCONN when
	 * connected, EALREADY while it is still going, else its error. */
	while (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0 && errno != EISCONN) {
		if (errno != EALREADY && errno != EINTR)
			goto syscall_failed;
		if (deadline_exceeded(opts, &deadline))
			goto give_up;
		pause_before_retry(opts);
	}

	for (int sent = 0; sent < request_len;) {
		ssize_t n = write(sock, request + sent, (size_t)(request_len - sent));

		if (n >= 0) {
			sent += (int)n;
		} else if (errno == EAGAIN) {
			eagain_count++;
			if (deadline_exceeded(opts, &deadline))
				goto give_up;
			pause_before_retry(opts);
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}

	for (;;) {
		ssize_t n = read(sock, read_buf, opts->read_size); /* 0: the server closed */

		if (n >= 0) {
			if (client_take_read(res, &response, read_buf, (size_t)n))
				break;
		} else if (errno == EAGAIN) {
			eagain_count++;
			if (deadline_exceeded(opts, &deadline))
				goto give_up;
			pause_before_retry(opts);
		} else if (errno != EINTR) {
			goto syscall_failed;
		}
	}
	goto done;

give_up: /* past the deadline: done closes the socket */
	res->error = CLIENT_DEADLINE_EXCEEDED;
	goto done;
syscall_failed:
	client_fail_errno(res, errno);
done:
	if (sock >= 0)
		close(sock);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	snprintf(res->extra, sizeof(res->extra), "eagain=%lu cpu_ms=%.1f", eagain_count,
		 (double)cpu.tv_sec * 1000 + (double)cpu.tv_nsec / NSEC_PER_MSEC);
}

int main(int argc, char **argv)
{
	return client_main(&stage, argc, argv, fetch);
}
