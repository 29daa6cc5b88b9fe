/* scenarios.c: which response, or misbehaviour, each request path gets.
 *
 * Every HTTP response carries "Content-Type: text/plain" and
 * "Connection: close"; the connection closes after it (see conn.c).
 *
 * /ok          200, body "ok\n" (3 bytes).
 * /hello?n=N   200, Content-Length 11*N, body "hello world" N times with no
 *              separator (N defaults to 1000000: 11,000,000 bytes; 0..1e8).
 * /stall       no answer at all; the connection stays open until the peer
 *              closes it.
 * /stall-body  200 with Content-Length 1100, then only the first 110 bytes
 *              of the repeated "hello world", then stalls like /stall.
 * /trickle?ms=M&n=N
 *              200 with Content-Length N at once, then one byte of the
 *              repeated "hello world" every M ms (defaults 100 and 11, so
 *              "hello world" over 1.1 s; M 1..60000, N 1..100000).
 * /chunked     200 with Transfer-Encoding: chunked. The bytes on the wire
 *              (CRLF written as \r\n) are exactly
 *                8\r\nchunked \r\n
 *                18;piece=two\r\nbodies arrive in pieces\n\r\n
 *                12c\r\n<300 x>\r\n
 *                1\r\n\n\r\n
 *                0\r\n\r\n
 *              and the decoded body, 333 bytes, is exactly
 *                "chunked bodies arrive in pieces\n" + 300 'x' + "\n"
 *              (LABSERVER_CHUNKED_BODY in scenarios.h). The 300-byte chunk
 *              has a three-digit size, the second chunk an extension.
 * /reset       no answer; close with SO_LINGER 0, so the peer gets an RST
 *              ("connection reset by peer").
 * /close       no answer; a plain FIN, so the peer sees an unexpected EOF.
 * /garbage     the bytes "this is not HTTP, just bytes\r\n\r\n", then close.
 * otherwise    404, with a body listing the paths above.
 * A bad request line, a header block over 8 KiB or a bad query value gets
 * 400 with a one-line explanation as its body.
 *
 * HEAD gets the same status and headers with no body, since a body after a
 * HEAD response would be read as the start of the next response.
 */
#include "scenarios.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATTERN_LEN (sizeof(LABSERVER_HELLO_PATTERN) - 1)
#define CHUNKED_BODY_LEN (sizeof(LABSERVER_CHUNKED_BODY) - 1)

_Static_assert(CHUNKED_BODY_LEN == 333, "the comment above promises 333");

/* About 64 KiB of whole repetitions, so any offset into the body maps to a
 * run of at least 64 KiB - 11 contiguous bytes: one send() each. */
static char pattern_buf[PATTERN_LEN * 5958];

static const struct {
	size_t len;
	const char *extension;
} chunk_layout[] = {
	{ 8, "" },
	{ 24, ";piece=two" },
	{ 300, "" },
	{ 1, "" },
};

static char chunked_wire[512];
static size_t chunked_wire_len;

void scenarios_init(void)
{
	for (size_t i = 0; i < sizeof(pattern_buf); i += PATTERN_LEN)
		memcpy(pattern_buf + i, LABSERVER_HELLO_PATTERN, PATTERN_LEN);

	const char *body = LABSERVER_CHUNKED_BODY;
	size_t used = 0, at = 0;
	for (size_t i = 0; i < sizeof(chunk_layout) / sizeof(chunk_layout[0]); i++) {
		size_t len = chunk_layout[i].len;
		used += (size_t)snprintf(chunked_wire + used, sizeof(chunked_wire) - used,
					 "%zx%s\r\n%.*s\r\n", len,
					 chunk_layout[i].extension, (int)len, body + at);
		at += len;
	}
	used += (size_t)snprintf(chunked_wire + used, sizeof(chunked_wire) - used,
				 "0\r\n\r\n");
	/* A layout that does not add up to the documented body is a bug here,
	 * not something to serve. */
	if (at != CHUNKED_BODY_LEN || used >= sizeof(chunked_wire))
		abort();
	chunked_wire_len = used;
}

const char *scenario_pattern_at(uint64_t offset, size_t *avail)
{
	size_t start = (size_t)(offset % PATTERN_LEN);

	*avail = sizeof(pattern_buf) - start;
	return pattern_buf + start;
}

/* Status line and headers, then `body_len` bytes of `body` unless the
 * request was HEAD. `framing` is the Content-Length or Transfer-Encoding
 * header line without its CRLF. */
static int put_response(struct plan *plan, bool head_only, int status,
			const char *reason, const char *framing,
			const char *body, size_t body_len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\n"
			 "Content-Type: text/plain\r\n"
			 "%s\r\n"
			 "Connection: close\r\n"
			 "\r\n",
			 status, reason, framing);
	if (n < 0 || (size_t)n >= sizeof(head))
		abort();
	if (head_only)
		body_len = 0;

	char *out = malloc((size_t)n + body_len);
	if (!out)
		return -1;
	memcpy(out, head, (size_t)n);
	if (body_len)
		memcpy(out + n, body, body_len);
	plan->status = status;
	plan->out = out;
	plan->out_len = (size_t)n + body_len;
	return 0;
}

static int put_sized(struct plan *plan, bool head_only, int status,
		     const char *reason, const char *body, size_t body_len)
{
	char framing[64];

	snprintf(framing, sizeof(framing), "Content-Length: %zu", body_len);
	return put_response(plan, head_only, status, reason, framing, body, body_len);
}

/* Sends the head; the body comes from the pattern buffer as it drains. */
static int put_pattern(struct plan *plan, bool head_only, uint64_t promised,
		       uint64_t sent)
{
	char framing[64];

	snprintf(framing, sizeof(framing), "Content-Length: %llu",
		 (unsigned long long)promised);
	plan->pattern_len = head_only ? 0 : sent;
	return put_response(plan, head_only, 200, "OK", framing, NULL, 0);
}

int scenario_plan_bad_request(const char *why, struct plan *plan)
{
	char body[160];
	int n = snprintf(body, sizeof(body), "bad request: %s\n", why);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1;

	memset(plan, 0, sizeof(*plan));
	plan->scenario = "bad-request";
	plan->finish = FINISH_LINGER;
	return put_sized(plan, false, 400, "Bad Request", body, len);
}

/* Decimal digits only, min..max inclusive; no sign, no spaces, no 0x. */
static bool parse_bounded(const char *text, size_t len, uint64_t min,
			  uint64_t max, uint64_t *out)
{
	uint64_t value = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (uint64_t)(text[i] - '0');
		if (value > max)
			return false;
	}
	if (value < min)
		return false;
	*out = value;
	return true;
}

/* 1 when the parameter is absent (value stays the default), 0 when present
 * and valid, -1 when present and invalid. */
static int query_number(const struct request *req, const char *name,
			uint64_t min, uint64_t max, uint64_t *value)
{
	const char *text;
	size_t len;

	if (!request_query_param(req, name, &text, &len))
		return 1;
	return parse_bounded(text, len, min, max, value) ? 0 : -1;
}

static bool is_head(const struct request *req)
{
	return request_is_method(req, "HEAD");
}

static int plan_ok(const struct request *req, struct plan *plan)
{
	return put_sized(plan, is_head(req), 200, "OK", LABSERVER_OK_BODY,
			 sizeof(LABSERVER_OK_BODY) - 1);
}

static int plan_hello(const struct request *req, struct plan *plan)
{
	uint64_t n = LABSERVER_HELLO_DEFAULT_N;

	if (query_number(req, "n", 0, LABSERVER_HELLO_MAX_N, &n) < 0)
		return scenario_plan_bad_request(
			"n must be a whole number from 0 to 100000000", plan);
	return put_pattern(plan, is_head(req), n * PATTERN_LEN, n * PATTERN_LEN);
}

static int plan_stall(const struct request *req, struct plan *plan)
{
	(void)req;
	plan->finish = FINISH_STALL;
	return 0;
}

static int plan_stall_body(const struct request *req, struct plan *plan)
{
	plan->finish = FINISH_STALL;
	return put_pattern(plan, is_head(req), LABSERVER_STALL_BODY_PROMISED,
			   LABSERVER_STALL_BODY_SENT);
}

static int plan_trickle(const struct request *req, struct plan *plan)
{
	uint64_t ms = LABSERVER_TRICKLE_DEFAULT_MS;
	uint64_t n = LABSERVER_TRICKLE_DEFAULT_N;

	if (query_number(req, "ms", 1, LABSERVER_TRICKLE_MAX_MS, &ms) < 0)
		return scenario_plan_bad_request(
			"ms must be a whole number from 1 to 60000", plan);
	if (query_number(req, "n", 1, LABSERVER_TRICKLE_MAX_N, &n) < 0)
		return scenario_plan_bad_request(
			"n must be a whole number from 1 to 100000", plan);
	plan->trickle_ms = (unsigned)ms;
	return put_pattern(plan, is_head(req), n, n);
}

static int plan_chunked(const struct request *req, struct plan *plan)
{
	return put_response(plan, is_head(req), 200, "OK",
			    "Transfer-Encoding: chunked", chunked_wire,
			    chunked_wire_len);
}

static int plan_reset(const struct request *req, struct plan *plan)
{
	(void)req;
	plan->finish = FINISH_RESET;
	return 0;
}

static int plan_close(const struct request *req, struct plan *plan)
{
	/* Nothing to send: the lingering close alone gives the peer its FIN. */
	(void)req;
	plan->finish = FINISH_LINGER;
	return 0;
}

static int plan_garbage(const struct request *req, struct plan *plan)
{
	(void)req;
	plan->out_len = sizeof(LABSERVER_GARBAGE) - 1;
	plan->out = malloc(plan->out_len);
	if (!plan->out)
		return -1;
	memcpy(plan->out, LABSERVER_GARBAGE, plan->out_len);
	return 0;
}

static int plan_not_found(const struct request *req, struct plan *plan)
{
	static const char body[] =
		"not found; try /ok /hello?n=N /stall /stall-body "
		"/trickle?ms=M&n=N /chunked /reset /close /garbage\n";

	plan->scenario = "not-found";
	return put_sized(plan, is_head(req), 404, "Not Found", body,
			 sizeof(body) - 1);
}

static const struct route {
	const char *path;
	int (*plan)(const struct request *req, struct plan *plan);
} routes[] = {
	{ "/ok", plan_ok },
	{ "/hello", plan_hello },
	{ "/stall", plan_stall },
	{ "/stall-body", plan_stall_body },
	{ "/trickle", plan_trickle },
	{ "/chunked", plan_chunked },
	{ "/reset", plan_reset },
	{ "/close", plan_close },
	{ "/garbage", plan_garbage },
};

int scenario_plan(const struct request *req, struct plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->finish = FINISH_LINGER;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *path = routes[i].path;
		size_t len = strlen(path);

		if (req->path_len == len && memcmp(req->path, path, len) == 0) {
			plan->scenario = path + 1;
			return routes[i].plan(req, plan);
		}
	}
	return plan_not_found(req, plan);
}
