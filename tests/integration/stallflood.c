/* stallflood: checks that stalled connections cannot starve a server.
 *
 *   stallflood PORT N
 *
 * Opens N connections to 127.0.0.1:PORT and sends "GET /stall" on each (the
 * server reads it and never answers), then, with all of them still open,
 * asks for /ok on a fresh connection and wants a 200 within 2 s. It then
 * checks that the server still holds every stalled connection, closes them
 * all, and asks for /ok once more to see the server survived the mass
 * disconnect. Prints one line and exits 0 on success, 1 on failure, 2 on a
 * usage error. Every wait has a deadline, so it ends in about 20 s at most
 * even against a server that hangs. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_PHASE_MS 15000
#define OK_TIMEOUT_MS 2000
/* Connects in flight at once: enough to be quick, few enough that a server
 * slow to accept does not see more SYNs than its listen backlog holds. */
#define CONNECT_WINDOW 256
#define FDS_FOR_OURSELVES 16

static const char stall_request[] = "GET /stall HTTP/1.1\r\nHost: x\r\n\r\n";
static const char ok_request[] = "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("stallflood: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int ms_left(double deadline)
{
	double left = deadline - now_ms();

	return left <= 0 ? 0 : (int)left + 1;
}

static bool parse_number(const char *text, unsigned long min, unsigned long max,
			 unsigned long *out)
{
	char *end;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno == 0 && *end == '\0' && *out >= min && *out <= max;
}

static void raise_fd_limit(unsigned long n)
{
	struct rlimit lim;
	rlim_t need = (rlim_t)n + FDS_FOR_OURSELVES;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		fail("getrlimit: %s", strerror(errno));
	if (lim.rlim_cur >= need)
		return;
	struct rlimit want = { .rlim_cur = need,
			       .rlim_max = lim.rlim_max > need ? lim.rlim_max : need };
	/* Raising the hard limit works only as root. */
	if (setrlimit(RLIMIT_NOFILE, &want) < 0)
		fail("%lu connections need %llu open files but the limit is %llu: run 'ulimit -n %llu' as root first, or use a smaller N",
		     n, (unsigned long long)need, (unsigned long long)lim.rlim_max,
		     (unsigned long long)need);
}

static struct sockaddr_in server_addr(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* Starts a non-blocking connect: the fd, with *done telling whether it has
 * already completed, or -1 with errno set. */
static int start_connect(const struct sockaddr_in *sa, bool *done)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
		*done = true;
		return fd;
	}
	if (errno == EINPROGRESS) {
		*done = false;
		return fd;
	}
	int err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int connect_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* The requests are tiny, so a fresh socket's buffer always takes them whole. */
static void send_all_or_fail(int fd, const char *req, size_t len, const char *what)
{
	ssize_t n = send(fd, req, len, MSG_NOSIGNAL);

	if (n != (ssize_t)len)
		fail("sending %s: %s", what, n < 0 ? strerror(errno) : "short write");
}

static void open_stalled(unsigned short port, unsigned long n, int *fds)
{
	struct sockaddr_in sa = server_addr(port);
	struct pollfd window[CONNECT_WINDOW];
	unsigned long slot_of[CONNECT_WINDOW];
	size_t inflight = 0;
	unsigned long launched = 0, established = 0;
	double deadline = now_ms() + CONNECT_PHASE_MS;

	while (established < n) {
		while (launched < n && inflight < CONNECT_WINDOW) {
			bool done;
			int fd = start_connect(&sa, &done);
			if (fd < 0)
				fail("connection %lu of %lu to 127.0.0.1:%u failed: %s",
				     launched + 1, n, port, strerror(errno));
			fds[launched] = fd;
			if (done) {
				send_all_or_fail(fd, stall_request, sizeof(stall_request) - 1,
						 "GET /stall");
				established++;
			} else {
				window[inflight] = (struct pollfd){ .fd = fd, .events = POLLOUT };
				slot_of[inflight] = launched;
				inflight++;
			}
			launched++;
		}
		if (inflight == 0)
			continue;

		int left = ms_left(deadline);
		if (left == 0)
			fail("only %lu of %lu connections were established within %d s (is the server accepting?)",
			     established, n, CONNECT_PHASE_MS / 1000);
		int ready = poll(window, inflight, left < 100 ? left : 100);
		if (ready < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));

		for (size_t i = 0; i < inflight;) {
			if (!window[i].revents) {
				i++;
				continue;
			}
			int err = connect_error(window[i].fd);
			if (err)
				fail("connection %lu of %lu to 127.0.0.1:%u failed: %s",
				     slot_of[i] + 1, n, port, strerror(err));
			send_all_or_fail(window[i].fd, stall_request,
					 sizeof(stall_request) - 1, "GET /stall");
			established++;
			inflight--;
			window[i] = window[inflight];
			slot_of[i] = slot_of[inflight];
		}
	}
}

/* One GET /ok on a fresh connection. Returns the milliseconds until the
 * whole answer arrived, or fails describing what went wrong. */
static double fetch_ok(unsigned short port, const char *when)
{
	struct sockaddr_in sa = server_addr(port);
	double start = now_ms();
	double deadline = start + OK_TIMEOUT_MS;
	char reply[1024];
	size_t got = 0;
	bool done;

	int fd = start_connect(&sa, &done);
	if (fd < 0)
		fail("/ok %s: connect failed: %s", when, strerror(errno));
	if (!done) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, ms_left(deadline)) <= 0)
			fail("/ok %s: not even connected within %d ms", when, OK_TIMEOUT_MS);
		int err = connect_error(fd);
		if (err)
			fail("/ok %s: connect failed: %s", when, strerror(err));
	}
	send_all_or_fail(fd, ok_request, sizeof(ok_request) - 1, "GET /ok");

	/* The server closes after its answer, so read up to EOF. */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = ms_left(deadline);
		if (left == 0 || poll(&p, 1, left) == 0)
			fail("/ok %s: no complete answer within %d ms (got %zu bytes)",
			     when, OK_TIMEOUT_MS, got);
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail("/ok %s: reading the answer: %s (got %zu bytes)", when,
			     strerror(errno), got);
		}
		got += (size_t)n;
		if (n == 0 || got == sizeof(reply) - 1)
			break;
	}
	double elapsed = now_ms() - start;
	close(fd);

	reply[got] = '\0';
	if (strncmp(reply, "HTTP/1.1 200 ", 13) != 0) {
		char *eol = strpbrk(reply, "\r\n");
		if (eol)
			*eol = '\0';
		fail("/ok %s: expected \"HTTP/1.1 200 OK\", got \"%.60s\"", when, reply);
	}
	return elapsed;
}

/* A held connection has nothing to read and no FIN or RST pending. */
static void check_still_held(const int *fds, unsigned long n)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	unsigned long answered = 0, first = 0;

	if (!p)
		fail("out of memory");
	for (unsigned long i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN | POLLRDHUP };
	if (poll(p, n, 0) < 0)
		fail("poll: %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++) {
		if (p[i].revents && answered++ == 0)
			first = i;
	}
	free(p);
	if (answered == 0)
		return;

	char byte;
	ssize_t r = recv(fds[first], &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	fail("%lu of %lu stalled connections were not held: connection %lu %s",
	     answered, n, first + 1,
	     r > 0 ? "got an answer" : r == 0 ? "was closed by the server"
					  : "was reset by the server");
}

int main(int argc, char **argv)
{
	unsigned long port, n;

	if (argc != 3 || !parse_number(argv[1], 1, 65535, &port) ||
	    !parse_number(argv[2], 1, 1000000, &n)) {
		fprintf(stderr, "usage: stallflood PORT N   (PORT 1..65535 on 127.0.0.1, N connections 1..1000000)\n");
		return 2;
	}
	raise_fd_limit(n);

	int *fds = malloc(n * sizeof(*fds));
	if (!fds)
		fail("out of memory");
	open_stalled((unsigned short)port, n, fds);

	double ok_ms = fetch_ok((unsigned short)port, "with the stalled connections open");
	check_still_held(fds, n);

	for (unsigned long i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	fetch_ok((unsigned short)port, "after closing the stalled connections");

	printf("stallflood: %lu stalled connections held, /ok answered in %.1f ms\n", n, ok_ms);
	return 0;
}
