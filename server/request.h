/* request.h: finding and parsing an HTTP/1.x request head. */
#ifndef LABSERVER_REQUEST_H
#define LABSERVER_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A request line plus headers longer than this gets 400 Bad Request. */
#define REQUEST_HEAD_MAX 8192

/* Views into the connection's buffer; nothing here is NUL-terminated. */
struct request {
	const char *line;	/* the request line, without its line ending */
	size_t line_len;
	const char *method;
	size_t method_len;
	const char *path;	/* "/ok" of "/ok?x=1" or "http://h/ok?x=1" */
	size_t path_len;
	const char *query;	/* "x=1", after the '?'; NULL if there is none */
	size_t query_len;
};

/* Length of the complete header block at the start of buf, up to and
 * including the blank line that ends it ("\r\n\r\n" or bare "\n\n"); 0 while
 * it is incomplete. Bytes before `from` were already searched by an earlier
 * call on the same, shorter, buffer. */
size_t request_head_end(const char *buf, size_t len, size_t from);

/* Parses the request line of a complete header block. Sets req->line even
 * when it fails, so the caller can log what it got. Returns 0, or -1 if the
 * line is not "METHOD SP TARGET SP HTTP/1.x". */
int request_parse(const char *head, size_t len, struct request *req);

bool request_is_method(const struct request *req, const char *method);

/* Finds name=value in the query string. Returns true and points *value at
 * the value (possibly empty) if the name is present; the last one wins. */
bool request_query_param(const struct request *req, const char *name,
			 const char **value, size_t *value_len);

#endif
