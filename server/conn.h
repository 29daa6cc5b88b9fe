/* conn.h: one client connection, from accept to close. */
#ifndef LABSERVER_CONN_H
#define LABSERVER_CONN_H

#include <sys/socket.h>

#include "server.h"

/* Takes ownership of fd (a non-blocking accepted socket) and adds it to the
 * epoll set. On failure the fd is closed and the reason logged. */
void conn_open(struct server *srv, int fd, const struct sockaddr_storage *peer);

/* An epoll event whose watch is WATCH_CONN_SOCKET or WATCH_CONN_TIMER. */
void conn_on_event(struct watch *w, uint32_t events);

/* Frees the connections closed during the last batch of events. */
void conn_reap(struct server *srv);

/* At shutdown: closes and frees every connection. */
void conn_close_all(struct server *srv);

#endif
