/* addr.h: numeric socket addresses, parsed from and printed for people. */
#ifndef LABSERVER_ADDR_H
#define LABSERVER_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest addr_format() result: "[" IPv6 "]:" port, plus NUL. */
#define ADDR_TEXT_MAX 64

/* Accepts an IPv4 literal ("127.0.0.1") or an IPv6 literal, bare or in
 * brackets ("::1", "[::1]"); no host names, so startup never waits on DNS.
 * Returns 0, or -1 if text is not such a literal. */
int addr_parse(const char *text, uint16_t port, struct sockaddr_storage *out,
	       socklen_t *out_len);

/* "127.0.0.1:8080" or "[::1]:8080". */
void addr_format(const struct sockaddr_storage *sa, char *buf, size_t len);

#endif
