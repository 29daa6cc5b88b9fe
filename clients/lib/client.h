/* client.h: what every stage client shares and a learner need not reread:
 * the common command line, the body going to stdout, and the `result:` line
 * with Go's words for each failure, so C and Go runs compare mechanically. */
#ifndef CTXLAB_CLIENT_H
#define CTXLAB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deadline.h"
#include "http.h"
#include "url.h"

#define READ_SIZE_DEFAULT 128 /* as in the seed article's 128-byte Body.Read */
#define READ_SIZE_MAX (16 * 1024 * 1024)
#define TIME_MS_MAX (24L * 3600 * 1000)

/* What a stage can honour; any other flag is a usage error saying why. */
enum client_feature {
	FEATURE_DEADLINE = 1 << 0, /* -t MS */
	FEATURE_SPIN = 1 << 1,     /* --spin */
	FEATURE_CANCEL = 1 << 2,   /* -c MS */
};

struct client_stage {
	const char *name;            /* the binary's name, e.g. "c-deadline" */
	unsigned features;
	const char *why_no_deadline; /* the usage error for -t when not supported */
};

struct client_opts {
	struct url url;
	long deadline_ms; /* -t; 0 when not given */
	long cancel_ms;   /* -c; 0 when not given */
	size_t read_size; /* -r */
	bool quiet;       /* -q */
	bool spin;        /* --spin */
};

/* Parses argv; on a usage error prints one line and exits 2, on -h prints
 * the usage and exits 0. Also ignores SIGPIPE, as go-client does, so a
 * peer's reset is an error to report rather than a signal that kills, and a
 * reader of stdout that goes away (`| head -c 10`) is not fatal either. */
void client_parse_args(const struct client_stage *stage, int argc, char **argv, struct client_opts *opts);

enum client_error {
	CLIENT_OK,
	CLIENT_DEADLINE_EXCEEDED,
	CLIENT_CANCELED,
	CLIENT_UNEXPECTED_EOF,
	CLIENT_MALFORMED_RESPONSE,
	CLIENT_HEAD_TOO_LARGE,
	CLIENT_SYSCALL, /* sys_errno says which */
	CLIENT_WRITE_STDOUT, /* the body could not be written; sys_errno says why */
};

struct client_result {
	enum client_error error;
	int sys_errno;
	int status;
	uint64_t bytes; /* body bytes received, decoded */
	struct timespec started;
	char extra[96]; /* stage-specific fields for the result line, "name=value ..." */
	const char *detail; /* CLIENT_MALFORMED_RESPONSE: what was wrong, in Go's words, or NULL */
};

/* Go's text for an error: "context deadline exceeded", "connection refused"... */
const char *client_error_text(enum client_error error, int sys_errno);

/* Records the failure of a syscall that set errno to err. */
void client_fail_errno(struct client_result *res, int err);

/* Records why the response parser gave up. */
void client_fail_http(struct client_result *res, const struct http_response *r);

/* Readies a parser whose body goes to stdout, unless -q. A reader that has
 * gone away (EPIPE) is not the request's failure: the body is still read and
 * counted, no longer written. Any other write error (ENOSPC on /dev/full) is:
 * client_take_read ends the response with CLIENT_WRITE_STDOUT. */
void client_response_init(struct http_response *r, const struct client_opts *opts);

/* Feeds what read() returned to the parser: n bytes of buf, or, when n is 0,
 * the end of the stream. Keeps res's status and byte count current and
 * records a malformed or cut-short response. Returns true once the response
 * is over, complete or not. */
bool client_take_read(struct client_result *res, struct http_response *r, const char *buf, size_t n);

/* Flushes stdout (a failure other than EPIPE makes an ok result a
 * CLIENT_WRITE_STDOUT one), prints the `result:` line on stderr and returns
 * the exit status: 0 for a response, 1 for a failure. */
int client_report(const struct client_result *res);

/* Fetches opts->url, recording the outcome in res. */
typedef void (*client_fetch_fn)(const struct client_opts *opts, struct client_result *res);

/* A stage's main(): parses the command line, times fetch, prints the result
 * line and returns the exit status. */
int client_main(const struct client_stage *stage, int argc, char **argv, client_fetch_fn fetch);

#endif
