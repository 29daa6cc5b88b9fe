/* addr.c: numeric socket addresses, parsed from and printed for people. */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int addr_parse(const char *text, uint16_t port, struct sockaddr_storage *out,
	       socklen_t *out_len)
{
	memset(out, 0, sizeof(*out));

	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*out_len = sizeof(*v4);
		return 0;
	}

	char bare[INET6_ADDRSTRLEN];
	size_t len = strlen(text);
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len >= sizeof(bare))
		return -1;
	memcpy(bare, text, len);
	bare[len] = '\0';

	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET6, bare, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*out_len = sizeof(*v6);
		return 0;
	}
	return -1;
}

void addr_format(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(v4->sin_port));
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(v6->sin6_port));
	} else {
		snprintf(buf, len, "(address family %d)", sa->ss_family);
	}
}
