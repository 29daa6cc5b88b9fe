/* scenarios.h: which response, or misbehaviour, each request path gets. */
#ifndef LABSERVER_SCENARIOS_H
#define LABSERVER_SCENARIOS_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"

/* The body of /hello is this, repeated n times with nothing in between;
 * /stall-body and /trickle send a prefix of the same endless repetition. */
#define LABSERVER_HELLO_PATTERN "hello world"
#define LABSERVER_HELLO_DEFAULT_N 1000000ULL
#define LABSERVER_HELLO_MAX_N 100000000ULL

/* /stall-body promises this many bytes and sends only the first tenth. */
#define LABSERVER_STALL_BODY_PROMISED 1100
#define LABSERVER_STALL_BODY_SENT 110

#define LABSERVER_TRICKLE_DEFAULT_MS 100
#define LABSERVER_TRICKLE_MAX_MS 60000
#define LABSERVER_TRICKLE_DEFAULT_N 11
#define LABSERVER_TRICKLE_MAX_N 100000

/* The decoded body of /chunked, 333 bytes: one line of text, 300 'x', '\n'.
 * Kept as one literal on one line so a test can copy or grep it as is. */
#define LABSERVER_CHUNKED_BODY "chunked bodies arrive in pieces\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"

#define LABSERVER_OK_BODY "ok\n"
#define LABSERVER_GARBAGE "this is not HTTP, just bytes\r\n\r\n"

/* What the connection does once its response bytes are all sent. */
enum plan_finish {
	FINISH_LINGER,	/* FIN, then read and discard until the peer closes */
	FINISH_STALL,	/* nothing more, ever; close when the peer does */
	FINISH_RESET,	/* close with SO_LINGER 0, which sends RST */
};

struct plan {
	const char *scenario;	/* for -v logs */
	int status;		/* 0 when the answer is not HTTP at all */
	/* Status line, headers and any small body, in one malloc'd block that
	 * the caller owns and frees; NULL when nothing is sent up front. */
	char *out;
	size_t out_len;
	/* Then this many bytes of the repeated LABSERVER_HELLO_PATTERN... */
	uint64_t pattern_len;
	/* ...one byte every trickle_ms milliseconds, or if 0 as fast as the
	 * peer reads them. */
	unsigned trickle_ms;
	enum plan_finish finish;
};

/* Fills the pattern and /chunked buffers; call once before anything else. */
void scenarios_init(void);

/* Returns 0, or -1 when out of memory. */
int scenario_plan(const struct request *req, struct plan *plan);

/* 400 Bad Request, with `why` as the body's explanation. */
int scenario_plan_bad_request(const char *why, struct plan *plan);

/* Where the pattern continues at byte `offset` of the repetition: a pointer
 * into a static buffer and how many bytes may be sent from there. */
const char *scenario_pattern_at(uint64_t offset, size_t *avail);

#endif
