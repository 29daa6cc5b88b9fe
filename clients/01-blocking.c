/*
 * Stage 1, c-blocking: the socket code everyone learns first.
 *
 * The one idea: blocking calls. socket, connect, write, then read until the
 * response is complete; each call sleeps in the kernel until it can finish.
 * Simple to read and to write, and with no timeout set each call waits for
 * its socket alone: against a server that never answers, read() sleeps for
 * good. So -t is a usage error here.
 *
 * Blocking calls can be bounded: on Linux SO_RCVTIMEO and SO_SNDTIMEO limit
 * each read, write and connect (set again to the time left before each
 * call, they bound the whole request: an exercise for later), and shutdown()
 * from another thread wakes a blocked read. What they cannot do is wait for
 * the socket and for a cancel at once, in one place, for many connections.
 * Go's sockets are non-blocking (`net/sock_cloexec.go sysSocket`): a read
 * that gets EAGAIN parks its goroutine (`internal/poll/fd_unix.go (*FD).Read`)
 * until the poller finds the socket ready, a deadline passes or the
 * connection is closed (`runtime/netpoll.go netpollblock`). Stage 2 takes
 * the first step.
 *
 * What to look for in the trace:
 *   socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
 *   connect(3, {sa_family=AF_INET, sin_port=htons(PORT), ...}, 16) = 0
 *   write(3, "GET /ok HTTP/1.1\r\n"...) = ...
 *   read(3, "HTTP/1.1 200 OK\r\n"..., 128) = ...   repeated until the body is in
 *   close(3) = 0
 * Against /stall the trace ends in a read(3, ... that never returns.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/client.h"

static const struct client_stage stage = {
	.name = "c-blocking",
	.features = 0,
	/* No timeout is set on the socket (see above); c-nonblock checks the clock. */
	.why_no_deadline = "each call here waits for the socket alone; use c-nonblock",
};

/* -r picks how much of it each read asks for. */
static char read_buf[READ_SIZE_MAX];

static void fetch(const struct client_opts *opts, struct client_result *res)
{
	char request[HTTP_REQUEST_MAX];
	int request_len = http_format_get(request, sizeof(request), &opts->url);
	struct http_response response;
	int sock;

	client_response_init(&response, opts);
	sock = socket(opts->url.family, SOCK_STREAM, 0);
	if (sock < 0)
		goto syscall_failed;
	if (connect(sock, (struct sockaddr *)&opts->url.addr, opts->url.addr_len) < 0)
		goto syscall_failed;

	for (int sent = 0; sent < request_len;) {
		ssize_t n = write(sock, request + sent, (size_t)(request_len - sent));

		if (n >= 0)
			sent += (int)n;
		else if (errno != EINTR)
			goto syscall_failed;
	}

	for (;;) {
		ssize_t n = read(sock, read_buf, opts->read_size); /* 0: the server closed */

		if (n >= 0 && client_take_read(res, &response, read_buf, (size_t)n))
			break;
		if (n < 0 && errno != EINTR)
			goto syscall_failed;
	}
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
