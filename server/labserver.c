/* labserver.c: a deliberately misbehaving HTTP/1.1 server, for practising
 * what a client does when the server stalls, trickles, resets or lies.
 *
 * One thread, one epoll set, non-blocking sockets: however a connection
 * misbehaves, it only ever waits in the epoll set, never in a system call,
 * so it cannot hold up the others. This file has main, the arguments, the
 * fd limit, the listening socket, the signals and the event loop; conn.c
 * drives each connection and scenarios.c decides what it gets. */
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

#define DEFAULT_BIND "127.0.0.1"
#define DEFAULT_PORT 8080

/* Enough fds for 10,000 stalled clients plus the server's own. */
#define WANTED_FD_LIMIT 10100
/* stdio, the listener, epoll and the signalfd. */
#define FDS_NOT_FOR_CLIENTS 6

#define EVENTS_PER_WAIT 256
#define ACCEPTS_PER_WAKEUP 256
/* While accepting is paused for lack of fds and none of ours is open to
 * close and wake us (the shortage is system-wide), look again this often. */
#define ACCEPT_RETRY_MS 1000

struct options {
	const char *bind;
	uint16_t port;
	bool verbose;
};

enum { EXIT_USAGE = 2 };

static void print_help(void)
{
	printf("usage: labserver [--port N] [--bind ADDR] [-v] [-h|--help]\n"
	       "An HTTP/1.1 server that misbehaves on purpose, to test clients against.\n"
	       "\n"
	       "  --port N      TCP port (default %d; 0 picks a free one)\n"
	       "  --bind ADDR   numeric address to listen on (default %s; IPv6 such as ::1 works too)\n"
	       "  -v            log each connection's events on stderr\n"
	       "  -h, --help    show this help\n"
	       "\n"
	       "The first line on stdout is \"listening on ADDR:PORT\". Paths:\n"
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
	       DEFAULT_PORT, DEFAULT_BIND);
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
			 strcmp(name, "--port") == 0 ? "8080" : DEFAULT_BIND);
		exit(EXIT_USAGE);
	}
	return argv[++*i];
}

static void parse_args(int argc, char **argv, struct options *opt)
{
	opt->bind = DEFAULT_BIND;
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

static int open_listener(const struct options *opt, struct sockaddr_storage *bound)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char where[ADDR_TEXT_MAX];

	addr_parse(opt->bind, opt->port, &sa, &len);
	addr_format(&sa, where, sizeof(where));

	int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int err = errno;
		log_line("cannot listen on %s: %s (%s)", where, strerror(err), listen_hint(err));
		return -1;
	}
	/* So a restart is not refused while the last run's connections sit
	 * in TIME_WAIT; a live listener on the port still makes bind fail. */
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int err = errno;
		log_line("cannot listen on %s: %s (%s)", where, strerror(err), listen_hint(err));
		close(fd);
		return -1;
	}
	socklen_t bound_len = sizeof(*bound);
	if (getsockname(fd, (struct sockaddr *)bound, &bound_len) < 0) {
		log_line("cannot read back the address of %s: %s", where, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Out of fds: the pending connection stays queued and the listener stays
 * readable, so retrying at once would spin. Stop watching it instead. */
static void pause_accepting(struct server *srv, int err)
{
	struct epoll_event ev = { .events = 0, .data.ptr = &srv->listen_watch };

	epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
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
	if (!srv->accept_paused)
		return;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &srv->listen_watch };
	if (epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev) == 0) {
		srv->accept_paused = false;
		log_verbose(srv, "accepting again; %zu connections open", srv->nlive);
	}
}

static void accept_ready(struct server *srv)
{
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		struct sockaddr_storage peer;
		socklen_t peer_len = sizeof(peer);
		int fd = accept4(srv->listen_fd, (struct sockaddr *)&peer, &peer_len,
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
				accept_ready(srv);
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
		.listen_fd = -1,
		.listen_watch = { WATCH_LISTENER },
	};
	struct watch signal_watch = { WATCH_SIGNAL };
	struct sockaddr_storage bound;
	char bound_text[ADDR_TEXT_MAX];
	sigset_t exit_signals;
	int signal_fd = -1;
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
	srv.listen_fd = open_listener(&opt, &bound);
	if (srv.listen_fd < 0)
		goto out;
	if (watch_fd(&srv, srv.listen_fd, &srv.listen_watch) < 0 ||
	    watch_fd(&srv, signal_fd, &signal_watch) < 0) {
		log_line("epoll_ctl: %s", strerror(errno));
		goto out;
	}

	addr_format(&bound, bound_text, sizeof(bound_text));
	printf("listening on %s\n", bound_text);
	fflush(stdout);

	status = serve(&srv, signal_fd);

out:
	conn_close_all(&srv);
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	if (srv.epoll_fd >= 0)
		close(srv.epoll_fd);
	if (signal_fd >= 0)
		close(signal_fd);
	return status;
}
