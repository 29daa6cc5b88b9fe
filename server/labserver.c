/* labserver.c: a deliberately misbehaving HTTP/1.1 server, for practising
 * what a client does when the server stalls, trickles, resets or lies.
 *
 * One thread, one epoll set, non-blocking sockets: however a connection
 * misbehaves, it only ever waits in the epoll set, never in a system call,
 * so it cannot hold up the others. This file has main, the arguments, the
 * fd limit, the listening sockets, the signals and the event loop; conn.c
 * drives each connection and scenarios.c decides what it gets. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "conn.h"
#include "log.h"
#include "scenarios.h"
#include "server.h"

/* By default both loopback addresses, so http://[::1]:PORT/ works as well
 * as http://127.0.0.1:PORT/, and nothing is reachable from the network. */
#define LOOPBACK_V4 "127.0.0.1"
#define LOOPBACK_V6 "::1"
#define DEFAULT_PORT 8080
/* With --port 0, how many ports to try for one that is free on both
 * loopback addresses: the kernel picks it free on 127.0.0.1 only. */
#define FREE_PORT_TRIES 5

/* Enough fds for 10,000 stalled clients plus the server's own. */
#define WANTED_FD_LIMIT 10100
/* stdio, two listeners, epoll and the signalfd. */
#define FDS_NOT_FOR_CLIENTS 7

#define EVENTS_PER_WAIT 256
#define ACCEPTS_PER_WAKEUP 256
/* While accepting is paused for lack of fds and none of ours is open to
 * close and wake us (the shortage is system-wide), look again this often. */
#define ACCEPT_RETRY_MS 1000

struct options {
	const char *bind; /* --bind; NULL: both loopback addresses */
	uint16_t port;
	bool verbose;
};

enum { EXIT_USAGE = 2 };

static void print_help(void)
{
	printf("usage: labserver [--port N] [--bind ADDR] [-v] [-h|--help]\n"
	       "An HTTP/1.1 server that misbehaves on purpose, to test clients against.\n"
	       "\n"
	       "  --port N      TCP port (default %d; 0 picks one free on every address listened on)\n"
	       "  --bind ADDR   listen on this numeric address only, IPv4 or IPv6 (default: %s\n"
	       "                and %s on one port: nothing outside this machine can connect\n"
	       "                unless --bind names another address, such as 0.0.0.0)\n"
	       "  -v            log each connection's events on stderr\n"
	       "  -h, --help    show this help\n"
	       "\n"
	       "The first line on stdout is \"listening on ADDR:PORT\" (127.0.0.1:PORT by default),\n"
	       "then \"listening on [::1]:PORT\" when it listens there too (a machine with no IPv6\n"
	       "loopback gets one line on stderr saying so instead). Paths:\n"
	       "  /ok                 200 \"ok\\n\"\n"
	       "  /hello?n=N          200, \"hello world\" N times (default 1000000: 11,000,000 bytes)\n"
	       "  /stall              reads the request and never answers\n"
	       "  /stall-body         promises 1100 body bytes, sends 110, then stalls\n"
	       "  /trickle?ms=M&n=N   N body bytes, one every M ms (default 100 ms, 11 bytes)\n"
	       "  /chunked            a chunked body, with a chunk extension\n"
	       "  /reset              closes with a TCP RST instead of answering\n"
	       "  /close              closes without answering\n"
	       "  /garbage            answers bytes that are not HTTP\n"
	       "  anything else       404\n"
	       "SIGINT or SIGTERM stops it cleanly.\n",
	       DEFAULT_PORT, LOOPBACK_V4, LOOPBACK_V6);
}

static bool parse_port(const char *text, uint16_t *port)
{
	unsigned long value = 0;

	if (*text == '\0')
		return false;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		value = value * 10 + (unsigned long)(*p - '0');
		if (value > 65535)
			return false;
	}
	*port = (uint16_t)value;
	return true;
}

/* "--name VALUE" or "--name=VALUE". Returns the value, or NULL if arg is
 * not this option; exits if the value is missing. */
static const char *option_value(const char *name, int argc, char **argv, int *i)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len) != 0)
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		log_line("%s needs a value, e.g. %s %s", name, name,
			 strcmp(name, "--port") == 0 ? "8080" : LOOPBACK_V4);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

static void parse_args(int argc, char **argv, struct options *opt)
{
	opt->bind = NULL;
	opt->port = DEFAULT_PORT;
	opt->verbose = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			print_help();
			exit(EXIT_SUCCESS);
		} else if (strcmp(arg, "-v") == 0) {
			opt->verbose = true;
		} else if ((value = option_value("--port", argc, argv, &i))) {
			if (!parse_port(value, &opt->port)) {
				log_line("invalid --port '%s': use a whole number from 0 to 65535 (0 picks a free port)",
					 value);
				exit(EXIT_USAGE);
			}
		} else if ((value = option_value("--bind", argc, argv, &i))) {
			struct sockaddr_storage unused;
			socklen_t unused_len;
			if (addr_parse(value, 0, &unused, &unused_len) < 0) {
				log_line("invalid --bind address '%s': use a numeric address such as 127.0.0.1, 0.0.0.0 or ::1 (host names are not looked up)",
					 value);
				exit(EXIT_USAGE);
			}
			opt->bind = value;
		} else if (arg[0] == '-') {
			log_line("unknown option '%s': run 'labserver --help' for the options", arg);
			exit(EXIT_USAGE);
		} else {
			log_line("unexpected argument '%s': run 'labserver --help' for the options", arg);
			exit(EXIT_USAGE);
		}
	}
}

/* Every connection costs an fd, and the usual soft limit of 1024 would cap
 * a stall flood far below what the labs ask for. */
static void raise_fd_limit(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		return;
	if (lim.rlim_cur < lim.rlim_max) {
		struct rlimit want = { .rlim_cur = lim.rlim_max, .rlim_max = lim.rlim_max };
		/* An unlimited hard limit still stops at fs.nr_open. */
		if (setrlimit(RLIMIT_NOFILE, &want) < 0 && lim.rlim_max == RLIM_INFINITY) {
			want.rlim_cur = 1048576;
			setrlimit(RLIMIT_NOFILE, &want);
		}
		getrlimit(RLIMIT_NOFILE, &lim);
	}
	if (lim.rlim_cur < WANTED_FD_LIMIT) {
		unsigned long long fit = lim.rlim_cur > FDS_NOT_FOR_CLIENTS
						 ? lim.rlim_cur - FDS_NOT_FOR_CLIENTS : 0;
		log_line("the open-file limit is %llu, so only about %llu connections fit at once (10,000 need %d); to raise it, as root run 'ulimit -n 20000' in the shell that starts labserver (or set LimitNOFILE=20000 for a service)",
			 (unsigned long long)lim.rlim_cur, fit, WANTED_FD_LIMIT);
	}
}

static const char *listen_hint(int err)
{
	switch (err) {
	case EADDRINUSE:
		return "pick another --port, or --port 0 for a free one";
	case EACCES:
		return "ports below 1024 need root; pick a --port above 1023";
	case EADDRNOTAVAIL:
		return "that address is not on this machine; use 127.0.0.1, 0.0.0.0 or one that 'ip addr' shows";
	case EAFNOSUPPORT:
		return "IPv6 is not available here; use an IPv4 --bind such as 127.0.0.1";
	default:
		return "check --bind and --port";
	}
}

static void report_listen_failure(const char *host, uint16_t port, int err)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char where[ADDR_TEXT_MAX];

	addr_parse(host, port, &sa, &len);
	addr_format(&sa, where, sizeof(where));
	log_line("cannot listen on %s: %s (%s)", where, strerror(err),
		 port == 0 && err == EADDRINUSE ? "no port is free in net.ipv4.ip_local_port_range; name one with --port"
						: listen_hint(err));
}

/* Opens l as a listener on host:port. Returns 0, or -1 with errno set and
 * nothing said: whether a failure matters is the caller's call. */
static int listen_on(struct listener *l, const char *host, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len, bound_len = sizeof(l->addr);
	int one = 1, err;

	if (addr_parse(host, port, &sa, &len) < 0) {
		errno = EINVAL;
		return -1;
	}
	l->watch.kind = WATCH_LISTENER;
	l->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -1;
	/* So a restart is not refused while the last run's connections sit
	 * in TIME_WAIT; a live listener on the port still makes bind fail. */
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&sa, len) == 0 && listen(l->fd, SOMAXCONN) == 0 &&
	    getsockname(l->fd, (struct sockaddr *)&l->addr, &bound_len) == 0)
		return 0;
	err = errno;
	close(l->fd);
	l->fd = -1;
	errno = err;
	return -1;
}

static uint16_t listener_port(const struct listener *l)
{
	if (l->addr.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&l->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&l->addr)->sin_port);
}

/* --bind's address alone, or 127.0.0.1 and ::1 on one port. Returns 0, or
 * -1 after saying why. *no_ipv6 is set to the errno that says this machine
 * has no IPv6 loopback, when that is why ::1 was left out (else 0). */
static int open_listeners(struct server *srv, const struct options *opt, int *no_ipv6)
{
	struct listener *v4 = &srv->listeners[0], *v6 = &srv->listeners[1];
	/* Ports tried and found taken on ::1, held until the end: released at
	 * once, the kernel could hand the same one out again. */
	int taken[FREE_PORT_TRIES], ntaken = 0, status = -1;
	uint16_t port = opt->port;
	int err = 0;

	*no_ipv6 = 0;
	if (opt->bind) {
		if (listen_on(v4, opt->bind, opt->port) < 0) {
			report_listen_failure(opt->bind, opt->port, errno);
			return -1;
		}
		srv->nlisteners = 1;
		return 0;
	}
	while (ntaken < FREE_PORT_TRIES) {
		if (listen_on(v4, LOOPBACK_V4, opt->port) < 0) {
			report_listen_failure(LOOPBACK_V4, opt->port, errno);
			break;
		}
		srv->nlisteners = 1;
		port = listener_port(v4);
		if (listen_on(v6, LOOPBACK_V6, port) == 0) {
			srv->nlisteners = 2;
			status = 0;
			break;
		}
		err = errno;
		if (err == EADDRNOTAVAIL || err == EAFNOSUPPORT) {
			*no_ipv6 = err;
			status = 0;
			break;
		}
		/* Another program holds [::1]:port. With --port 0 try another
		 * port; a port the user chose is theirs to change. */
		if (err != EADDRINUSE || opt->port != 0) {
			report_listen_failure(LOOPBACK_V6, port, err);
			break; /* main closes v4 */
		}
		taken[ntaken++] = v4->fd;
		v4->fd = -1;
		srv->nlisteners = 0;
	}
	if (ntaken == FREE_PORT_TRIES)
		log_line("no port free on both %s and %s in %d tries (last [%s]:%u: %s); name one with --port, "
			 "or --bind %s to leave %s out",
			 LOOPBACK_V4, LOOPBACK_V6, FREE_PORT_TRIES, LOOPBACK_V6, port, strerror(err), LOOPBACK_V4,
			 LOOPBACK_V6);
	while (ntaken > 0)
		close(taken[--ntaken]);
	return status;
}

/* Out of fds: the pending connection stays queued and the listener stays
 * readable, so retrying at once would spin. Stop watching the listeners
 * instead (all of them: the fds are short for every one). */
static void pause_accepting(struct server *srv, int err)
{
	for (size_t i = 0; i < srv->nlisteners; i++) {
		struct epoll_event ev = { .events = 0, .data.ptr = &srv->listeners[i].watch };

		epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listeners[i].fd, &ev);
	}
	srv->accept_paused = true;
	if (!srv->accept_pause_reported) {
		log_line("accept: %s with %zu connections open; not accepting more until one closes (raise the open-file limit to serve more)",
			 strerror(err), srv->nlive);
		srv->accept_pause_reported = true;
	} else {
		log_verbose(srv, "accept: %s with %zu connections open; pausing",
			    strerror(err), srv->nlive);
	}
}

void server_resume_accepting(struct server *srv)
{
	bool resumed = true;

	if (!srv->accept_paused)
		return;
	for (size_t i = 0; i < srv->nlisteners; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &srv->listeners[i].watch };

		if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listeners[i].fd, &ev) < 0)
			resumed = false;
	}
	if (resumed) {
		srv->accept_paused = false;
		log_verbose(srv, "accepting again; %zu connections open", srv->nlive);
	}
}

static void accept_ready(struct server *srv, struct listener *l)
{
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		struct sockaddr_storage peer;
		socklen_t peer_len = sizeof(peer);
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &peer_len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_open(srv, fd, &peer);
			continue;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			pause_accepting(srv, errno);
			return;
		case ECONNABORTED:
		case EPROTO:
		case EPERM:
		case ENETDOWN:
		case ENOPROTOOPT:
		case EHOSTDOWN:
		case ENONET:
		case EHOSTUNREACH:
		case EOPNOTSUPP:
		case ENETUNREACH:
			/* That one connection failed; the next may not. */
			log_verbose(srv, "accept: %s", strerror(errno));
			continue;
		default:
			log_line("accept: %s", strerror(errno));
			return;
		}
	}
}

static int block_exit_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	/* Blocked, they wait in the signalfd for the loop to read: no handler
	 * runs in the middle of a half-updated connection. */
	if (sigprocmask(SIG_BLOCK, mask, NULL) < 0)
		return -1;
	/* A shell starting us with & leaves SIGINT ignored, and an ignored
	 * signal is dropped before it can reach the signalfd. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* A peer that vanishes must not kill us on our next write. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int watch_fd(struct server *srv, int fd, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	return epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

/* Returns the exit status: 0 after SIGINT or SIGTERM. */
static int serve(struct server *srv, int signal_fd)
{
	struct epoll_event events[EVENTS_PER_WAIT];
	int status = -1;

	while (status < 0) {
		bool nothing_to_wake_us = srv->accept_paused && srv->nlive == 0;
		int n = epoll_wait(srv->epoll_fd, events, EVENTS_PER_WAIT,
				   nothing_to_wake_us ? ACCEPT_RETRY_MS : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_line("epoll_wait: %s", strerror(errno));
			return EXIT_FAILURE;
		}
		if (n == 0)
			server_resume_accepting(srv);

		for (int i = 0; i < n; i++) {
			struct watch *w = events[i].data.ptr;

			switch (w->kind) {
			case WATCH_LISTENER:
				accept_ready(srv, container_of(w, struct listener, watch));
				break;
			case WATCH_SIGNAL: {
				struct signalfd_siginfo si;
				if (read(signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					log_verbose(srv, "caught %s; shutting down with %zu connections open",
						    strsignal((int)si.ssi_signo), srv->nlive);
					status = EXIT_SUCCESS;
				}
				break;
			}
			case WATCH_CONN_SOCKET:
			case WATCH_CONN_TIMER:
				conn_on_event(w, events[i].events);
				break;
			}
		}
		conn_reap(srv);
	}
	return status;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct server srv = {
		.epoll_fd = -1,
		.listeners = { { .fd = -1 }, { .fd = -1 } },
	};
	struct watch signal_watch = { WATCH_SIGNAL };
	char bound_text[ADDR_TEXT_MAX];
	sigset_t exit_signals;
	int signal_fd = -1, no_ipv6;
	int status = EXIT_FAILURE;

	parse_args(argc, argv, &opt);
	srv.verbose = opt.verbose;
	raise_fd_limit();
	scenarios_init();

	if (block_exit_signals(&exit_signals) < 0) {
		log_line("cannot block SIGINT and SIGTERM: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	signal_fd = signalfd(-1, &exit_signals, SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd < 0) {
		log_line("signalfd: %s", strerror(errno));
		goto out;
	}
	srv.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epoll_fd < 0) {
		log_line("epoll_create1: %s", strerror(errno));
		goto out;
	}
	if (open_listeners(&srv, &opt, &no_ipv6) < 0)
		goto out;
	for (size_t i = 0; i < srv.nlisteners; i++) {
		if (watch_fd(&srv, srv.listeners[i].fd, &srv.listeners[i].watch) < 0) {
			log_line("epoll_ctl: %s", strerror(errno));
			goto out;
		}
	}
	if (watch_fd(&srv, signal_fd, &signal_watch) < 0) {
		log_line("epoll_ctl: %s", strerror(errno));
		goto out;
	}

	/* Labs and tests read the first line for the port: 127.0.0.1's comes
	 * first, and any note on stderr after it, in case both go to one file. */
	for (size_t i = 0; i < srv.nlisteners; i++) {
		addr_format(&srv.listeners[i].addr, bound_text, sizeof(bound_text));
		printf("listening on %s\n", bound_text);
	}
	fflush(stdout);
	if (no_ipv6)
		log_line("not listening on [%s]:%u: %s (this machine has no IPv6 loopback); serving %s only",
			 LOOPBACK_V6, listener_port(&srv.listeners[0]), strerror(no_ipv6), LOOPBACK_V4);

	status = serve(&srv, signal_fd);

out:
	conn_close_all(&srv);
	for (size_t i = 0; i < MAX_LISTENERS; i++)
		if (srv.listeners[i].fd >= 0)
			close(srv.listeners[i].fd);
	if (srv.epoll_fd >= 0)
		close(srv.epoll_fd);
	if (signal_fd >= 0)
		close(signal_fd);
	return status;
}
