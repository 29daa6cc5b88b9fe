/* server.h: state shared by the event loop (labserver.c) and the
 * connections it drives (conn.c). */
#ifndef LABSERVER_SERVER_H
#define LABSERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Each fd in the epoll set carries a pointer to one of these as its
 * epoll_data, so the loop knows what woke it without a table keyed by fd. */
enum watch_kind {
	WATCH_LISTENER,
	WATCH_SIGNAL,
	WATCH_CONN_SOCKET,
	WATCH_CONN_TIMER,
};

struct watch {
	enum watch_kind kind;
};

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct conn;

/* A listening socket. Its watch is what epoll hands back, so the loop can
 * tell which listener has a client waiting. */
struct listener {
	struct watch watch; /* WATCH_LISTENER */
	int fd;
	struct sockaddr_storage addr; /* as bound: holds the port --port 0 picked */
};

/* 127.0.0.1 and ::1 by default; --bind asks for one. */
#define MAX_LISTENERS 2

struct server {
	int epoll_fd;
	struct listener listeners[MAX_LISTENERS];
	size_t nlisteners;
	bool verbose;
	/* Set while accept() is failing for lack of fds; see pause_accepting(). */
	bool accept_paused;
	bool accept_pause_reported;
	/* Every open connection, so shutdown can close them all. */
	struct conn *live;
	size_t nlive;
	/* Closed during the current batch of epoll events: a later event of the
	 * same batch may still point at them, so they are freed only after it. */
	struct conn *dead;
	uint64_t last_conn_id;
};

/* Called whenever a connection closes: an fd is free again. */
void server_resume_accepting(struct server *srv);

#endif
