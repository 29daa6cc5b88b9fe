/* http.h: the HTTP/1.1 the clients speak: one GET request out, one response
 * in, parsed incrementally so it is correct whatever the read boundaries are
 * (a 1-byte read size included). Bodies: Content-Length, chunked, or
 * delimited by the server closing the connection. */
#ifndef CTXLAB_HTTP_H
#define CTXLAB_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "url.h"

#define HTTP_REQUEST_MAX (URL_TARGET_MAX + URL_HOST_MAX + 128)
/* Status line plus headers. Go allows 10 MB by default
 * (`net/http/transport.go (*persistConn).maxHeaderResponseSize`: 10 << 20);
 * here the head is kept whole in struct http_response, which the clients
 * hold on their stacks, so the limit stays 32 KiB and a bigger head is
 * HTTP_HEAD_TOO_LARGE where Go would take it. */
#define HTTP_HEAD_MAX (32 * 1024)

/* Interim (1xx but 101) responses taken before the final one, as Go:
 * `net/http/transport.go (*persistConn).readResponse`, its max1xxResponses */
#define HTTP_MAX_INTERIM 5

/* Writes the GET request for u into buf; returns its length, or -1 when it
 * does not fit in cap bytes. */
int http_format_get(char *buf, size_t cap, const struct url *u);

enum http_progress {
	HTTP_MORE,  /* feed more bytes */
	HTTP_DONE,  /* the whole response is in */
	HTTP_ERROR, /* see http_response.error */
};

enum http_error {
	HTTP_OK,
	HTTP_MALFORMED,        /* not HTTP, or broken framing, or too many 1xx */
	HTTP_HEAD_TOO_LARGE,   /* more than HTTP_HEAD_MAX bytes of headers */
	HTTP_UNEXPECTED_EOF,   /* the connection ended mid-response */
};

/* Receives each piece of decoded body, in order. */
typedef void (*http_body_fn)(void *arg, const char *data, size_t len);

enum http_body_kind { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE };

struct http_response {
	/* results */
	int status;
	uint64_t body_bytes;
	enum http_error error;
	const char *detail;   /* see http_error_detail */

	/* parser state */
	int state;
	enum http_body_kind body_kind;
	uint64_t left;        /* bytes left in the body or the current chunk */
	unsigned chunk_size_digits;
	unsigned interim_count; /* interim responses so far */
	int line_has_text;    /* the head's current line has a non-CR byte */
	size_t head_len;
	char head[HTTP_HEAD_MAX];
	http_body_fn on_body;
	void *on_body_arg;
};

void http_response_init(struct http_response *r, http_body_fn on_body, void *arg);

/* Consumes len bytes read from the connection. Bytes after the end of the
 * response are ignored. */
enum http_progress http_response_feed(struct http_response *r, const char *data, size_t len);

/* For HTTP_MALFORMED: what was wrong, in Go's words where Go has words for
 * the same fault (e.g. "bad Content-Length", "net/http: too many 1xx
 * informational responses"); NULL when there is no such error. */
const char *http_error_detail(const struct http_response *r);

/* The connection reached EOF: done for a close-delimited body, otherwise an
 * HTTP_UNEXPECTED_EOF error. */
enum http_progress http_response_eof(struct http_response *r);

#endif
