/* url.h: the one URL shape the lab clients accept, http://HOST[:PORT]/PATH?QUERY.
 * HOST is an IPv4 literal, an IPv6 literal in brackets, or localhost: the lab
 * does no DNS, because a resolver would add its own syscalls to every trace. */
#ifndef CTXLAB_URL_H
#define CTXLAB_URL_H

#include <stddef.h>
#include <sys/socket.h>

#define URL_TARGET_MAX 2048 /* path plus query, as sent on the request line */
#define URL_HOST_MAX 64     /* "[v6 literal]:port" fits */

struct url {
	int family; /* AF_INET or AF_INET6 */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host_header[URL_HOST_MAX];  /* what the Host: header says */
	char target[URL_TARGET_MAX];     /* "/path?query", never empty, as Go sends it:
	                                  * the path percent-encoded ("/é" is
	                                  * "/%C3%A9"), the query as given */
};

/* Fills *out and returns 0, or returns -1 and writes one line saying what is
 * wrong with text into why. */
int url_parse(const char *text, struct url *out, char *why, size_t why_len);

#endif
