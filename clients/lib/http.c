/* http.c: GET request writer and incremental response parser. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STATUS_PREFIX "HTTP/"

/* Go's words for the faults (net/http and net/textproto, Go 1.19) */
#define E_RESPONSE "malformed HTTP response"        /* `net/http/response.go ReadResponse` */
#define E_HEADER_LINE "malformed MIME header line"  /* `net/textproto/reader.go readMIMEHeader` */
#define E_CONTENT_LENGTH "bad Content-Length"       /* `net/http/transfer.go parseContentLength` */
#define E_CONTENT_LENGTHS "http: message cannot contain multiple Content-Length headers" /* `net/http/transfer.go fixLength` */
#define E_TRANSFER_ENCODING "unsupported transfer encoding" /* `net/http/transfer.go (*transferReader).parseTransferEncoding` */
#define E_CHUNK_BYTE "invalid byte in chunk length" /* `net/http/internal/chunked.go parseHexUint` */
#define E_CHUNK_TOO_LARGE "http chunk length too large" /* `net/http/internal/chunked.go parseHexUint` */
#define E_CHUNKED "malformed chunked encoding"     /* `net/http/internal/chunked.go (*chunkedReader).Read` */
#define E_TOO_MANY_1XX "net/http: too many 1xx informational responses" /* `net/http/transport.go (*persistConn).readResponse` */

enum parse_state {
	ST_HEAD,
	ST_BODY_LENGTH,
	ST_BODY_UNTIL_CLOSE,
	ST_CHUNK_SIZE,      /* hex digits */
	ST_CHUNK_EXTENSION, /* ";name=value" up to the line's end */
	ST_CHUNK_SIZE_LF,
	ST_CHUNK_DATA,
	ST_CHUNK_DATA_CR,
	ST_CHUNK_DATA_LF,
	ST_TRAILER_LINE_START,
	ST_TRAILER_LINE,
	ST_DONE,
	ST_FAILED,
};

int http_format_get(char *buf, size_t cap, const struct url *u)
{
	int n = snprintf(buf, cap,
			 "GET %s HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "User-Agent: ctxlab-c/1\r\n"
			 "\r\n",
			 u->target, u->host_header);

	return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

void http_response_init(struct http_response *r, http_body_fn on_body, void *arg)
{
	r->status = 0;
	r->body_bytes = 0;
	r->error = HTTP_OK;
	r->detail = NULL;
	r->state = ST_HEAD;
	r->body_kind = BODY_NONE;
	r->left = 0;
	r->chunk_size_digits = 0;
	r->interim_count = 0;
	r->line_has_text = 0;
	r->head_len = 0;
	r->on_body = on_body;
	r->on_body_arg = arg;
}

static enum http_progress fail(struct http_response *r, enum http_error error)
{
	r->state = ST_FAILED;
	r->error = error;
	return HTTP_ERROR;
}

static enum http_progress malformed(struct http_response *r, const char *detail)
{
	r->detail = detail;
	return fail(r, HTTP_MALFORMED);
}

const char *http_error_detail(const struct http_response *r)
{
	return r->error == HTTP_MALFORMED ? r->detail : NULL;
}

static void deliver(struct http_response *r, const char *data, size_t len)
{
	r->body_bytes += len;
	if (r->on_body)
		r->on_body(r->on_body_arg, data, len);
}

/* Trims spaces and tabs at both ends of [*start, *end). */
static void trim(const char **start, const char **end)
{
	while (*start < *end && (**start == ' ' || **start == '\t'))
		(*start)++;
	while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
}

static int is_token_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* "HTTP/1.x DDD[ reason]" */
static int parse_status_line(struct http_response *r, const char *line, const char *end)
{
	size_t len = (size_t)(end - line);

	if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) || line[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++)
		if (!isdigit((unsigned char)line[i]))
			return -1;
	if (len > 12 && line[12] != ' ')
		return -1;
	r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	return r->status < 100 ? -1 : 0;
}

/* Decimal digits only, any number of them (leading zeros count for
 * nothing), at most 2^63 - 1, as Go:
 * `net/http/transfer.go parseContentLength`: strconv.ParseUint(cl, 10, 63) */
static int parse_content_length(const char *value, const char *end, uint64_t *out)
{
	const uint64_t max = INT64_MAX;
	uint64_t n = 0;

	if (value == end)
		return -1;
	for (const char *p = value; p < end; p++) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (!isdigit((unsigned char)*p) || n > (max - digit) / 10)
			return -1;
		n = n * 10 + digit;
	}
	*out = n;
	return 0;
}

/* Parses the complete head in r->head and chooses how the body is framed.
 * Returns NULL, or what is wrong in Go's words. */
static const char *parse_head(struct http_response *r)
{
	const char *p = r->head, *head_end = r->head + r->head_len;
	const char *first_length = NULL; /* the first Content-Length's text */
	size_t first_length_len = 0;
	int chunked = 0;
	uint64_t length = 0;

	for (int line_no = 0; p < head_end; line_no++) {
		const char *eol = memchr(p, '\n', (size_t)(head_end - p));
		const char *line_end = eol;

		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (line_end == p)
			break; /* the blank line ending the head */
		if (line_no == 0) {
			if (parse_status_line(r, p, line_end) != 0)
				return E_RESPONSE;
		} else {
			const char *colon = memchr(p, ':', (size_t)(line_end - p));
			const char *value, *value_end = line_end;

			if (colon == NULL || colon == p)
				return E_HEADER_LINE;
			for (const char *c = p; c < colon; c++)
				if (!is_token_char((unsigned char)*c))
					return E_HEADER_LINE; /* also rejects obsolete line folding */
			value = colon + 1;
			trim(&value, &value_end);
			if ((size_t)(colon - p) == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
				size_t value_len = (size_t)(value_end - value);

				/* repeats must be the same text, as in Go's
				 * `net/http/transfer.go fixLength` ("5" and "05" differ) */
				if (first_length) {
					if (value_len != first_length_len || memcmp(value, first_length, value_len) != 0)
						return E_CONTENT_LENGTHS;
				} else {
					if (parse_content_length(value, value_end, &length) != 0)
						return E_CONTENT_LENGTH;
					first_length = value;
					first_length_len = value_len;
				}
			} else if ((size_t)(colon - p) == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
				if ((size_t)(value_end - value) != 7 || strncasecmp(value, "chunked", 7) != 0)
					return E_TRANSFER_ENCODING; /* only chunked is spoken here */
				chunked = 1;
			}
		}
		p = eol + 1;
	}

	if (r->status == 204 || r->status == 304 || r->status < 200)
		r->body_kind = BODY_NONE;
	else if (chunked) /* Transfer-Encoding wins over Content-Length (RFC 9112 6.3) */
		r->body_kind = BODY_CHUNKED;
	else if (first_length)
		r->body_kind = length ? BODY_LENGTH : BODY_NONE;
	else
		r->body_kind = BODY_UNTIL_CLOSE;
	r->left = chunked ? 0 : length;
	return NULL;
}

/* Appends head bytes up to the blank line; returns bytes consumed. */
static size_t take_head(struct http_response *r, const char *data, size_t len, int *head_done)
{
	size_t i;

	*head_done = 0;
	for (i = 0; i < len; i++) {
		char c = data[i];

		if (r->head_len == HTTP_HEAD_MAX)
			return i;
		if (r->head_len < strlen(STATUS_PREFIX) && c != STATUS_PREFIX[r->head_len])
			return i; /* not HTTP: fail fast instead of waiting for a blank line */
		r->head[r->head_len++] = c;
		if (c == '\n') {
			if (!r->line_has_text) {
				*head_done = 1;
				return i + 1;
			}
			r->line_has_text = 0;
		} else if (c != '\r') {
			r->line_has_text = 1;
		}
	}
	return i;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

enum http_progress http_response_feed(struct http_response *r, const char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		char c = data[i];
		size_t n;

		switch (r->state) {
		case ST_HEAD: {
			int head_done;

			i += take_head(r, data + i, len - i, &head_done);
			if (!head_done) {
				if (r->head_len == HTTP_HEAD_MAX)
					return fail(r, HTTP_HEAD_TOO_LARGE);
				if (i < len)
					return malformed(r, E_RESPONSE);
				break;
			}
			const char *bad = parse_head(r);

			if (bad)
				return malformed(r, bad);
			if (r->status < 200 && r->status != 101) {
				/* an interim response (100 Continue): the real one
				 * follows, after at most HTTP_MAX_INTERIM of them */
				unsigned interim = r->interim_count + 1;

				if (interim > HTTP_MAX_INTERIM)
					return malformed(r, E_TOO_MANY_1XX);
				http_response_init(r, r->on_body, r->on_body_arg);
				r->interim_count = interim;
				break;
			}
			static const int first_state[] = {
				[BODY_NONE] = ST_DONE,
				[BODY_LENGTH] = ST_BODY_LENGTH,
				[BODY_CHUNKED] = ST_CHUNK_SIZE,
				[BODY_UNTIL_CLOSE] = ST_BODY_UNTIL_CLOSE,
			};
			r->state = first_state[r->body_kind];
			break;
		}
		case ST_BODY_LENGTH:
			n = len - i < r->left ? len - i : (size_t)r->left;
			deliver(r, data + i, n);
			i += n;
			r->left -= n;
			if (r->left == 0)
				r->state = ST_DONE;
			break;
		case ST_BODY_UNTIL_CLOSE:
			deliver(r, data + i, len - i);
			i = len;
			break;
		case ST_CHUNK_SIZE: {
			int digit = hex_value(c);

			if (digit >= 0) {
				/* At most 16 hex digits, leading zeros included, so
				 * the size fits in 64 bits; Go, word for word:
				 * `net/http/internal/chunked.go parseHexUint`: the 17th digit is "http chunk length too large" */
				if (++r->chunk_size_digits > 16)
					return malformed(r, E_CHUNK_TOO_LARGE);
				r->left = r->left << 4 | (uint64_t)digit;
			} else if (r->chunk_size_digits == 0) {
				/* Go reads an empty size line as 0 (the last chunk);
				 * here it is an error, as it was before */
				return malformed(r, c == '\r' || c == '\n' ? E_CHUNKED : E_CHUNK_BYTE);
			} else if (c == ';' || c == ' ' || c == '\t') {
				r->state = ST_CHUNK_EXTENSION;
			} else if (c == '\r') {
				r->state = ST_CHUNK_SIZE_LF;
			} else if (c == '\n') {
				r->state = r->left ? ST_CHUNK_DATA : ST_TRAILER_LINE_START;
			} else {
				return malformed(r, E_CHUNK_BYTE);
			}
			i++;
			break;
		}
		case ST_CHUNK_EXTENSION:
			if (c == '\r')
				r->state = ST_CHUNK_SIZE_LF;
			else if (c == '\n')
				r->state = r->left ? ST_CHUNK_DATA : ST_TRAILER_LINE_START;
			i++;
			break;
		case ST_CHUNK_SIZE_LF:
			if (c != '\n') /* Go: the CR is then inside the size: parseHexUint fails on it */
				return malformed(r, E_CHUNK_BYTE);
			r->state = r->left ? ST_CHUNK_DATA : ST_TRAILER_LINE_START;
			i++;
			break;
		case ST_CHUNK_DATA:
			n = len - i < r->left ? len - i : (size_t)r->left;
			deliver(r, data + i, n);
			i += n;
			r->left -= n;
			if (r->left == 0)
				r->state = ST_CHUNK_DATA_CR;
			break;
		case ST_CHUNK_DATA_CR:
		case ST_CHUNK_DATA_LF:
			if (c == '\r' && r->state == ST_CHUNK_DATA_CR) {
				r->state = ST_CHUNK_DATA_LF;
			} else if (c == '\n') {
				r->state = ST_CHUNK_SIZE;
				r->chunk_size_digits = 0;
			} else {
				return malformed(r, E_CHUNKED);
			}
			i++;
			break;
		case ST_TRAILER_LINE_START:
			if (c == '\n')
				r->state = ST_DONE;
			else if (c != '\r')
				r->state = ST_TRAILER_LINE;
			i++;
			break;
		case ST_TRAILER_LINE:
			if (c == '\n')
				r->state = ST_TRAILER_LINE_START;
			i++;
			break;
		case ST_DONE:
			return HTTP_DONE;
		default:
			return HTTP_ERROR;
		}
	}
	if (r->state == ST_DONE)
		return HTTP_DONE;
	return r->state == ST_FAILED ? HTTP_ERROR : HTTP_MORE;
}

enum http_progress http_response_eof(struct http_response *r)
{
	switch (r->state) {
	case ST_BODY_UNTIL_CLOSE:
		r->state = ST_DONE;
		return HTTP_DONE;
	case ST_DONE:
		return HTTP_DONE;
	case ST_FAILED:
		return HTTP_ERROR;
	default:
		return fail(r, HTTP_UNEXPECTED_EOF);
	}
}
