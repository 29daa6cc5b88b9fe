/* test_http_response.c: the incremental HTTP/1.1 response parser, which must
 * give the same answer whatever the read boundaries are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"

/* ---- body sink: collects what the body callback delivers ---- */

struct sink {
	char *data;
	size_t len, cap;
	size_t calls;
};

static struct sink sink;
static struct http_response *parser; /* on the heap: ASan watches its ends */
static char where[256];              /* what the current check is doing, for failure messages */

static void sink_reset(void)
{
	sink.len = 0;
	sink.calls = 0;
}

static void sink_append(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;

	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 256;

		while (cap < s->len + len)
			cap *= 2;
		s->data = realloc(s->data, cap);
		if (s->data == NULL)
			fail_msg("out of memory");
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, len);
	s->len += len;
	s->calls++;
}

static void parser_init(void)
{
	sink_reset();
	http_response_init(parser, sink_append, &sink);
}

static int group_setup(void **state)
{
	(void)state;
	parser = malloc(sizeof(*parser));
	return parser ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(parser);
	free(sink.data);
	sink.data = NULL;
	sink.cap = 0;
	return 0;
}

static const char *progress_name(enum http_progress p)
{
	switch (p) {
	case HTTP_MORE:
		return "HTTP_MORE";
	case HTTP_DONE:
		return "HTTP_DONE";
	case HTTP_ERROR:
		return "HTTP_ERROR";
	}
	return "?";
}

static const char *error_name(enum http_error e)
{
	switch (e) {
	case HTTP_OK:
		return "HTTP_OK";
	case HTTP_MALFORMED:
		return "HTTP_MALFORMED";
	case HTTP_HEAD_TOO_LARGE:
		return "HTTP_HEAD_TOO_LARGE";
	case HTTP_UNEXPECTED_EOF:
		return "HTTP_UNEXPECTED_EOF";
	}
	return "?";
}

static void expect_progress(enum http_progress got, enum http_progress want, const char *step)
{
	if (got != want)
		fail_msg("%s: %s: got %s, want %s (parser error %s)", where, step, progress_name(got),
			 progress_name(want), error_name(parser->error));
}

static void expect_error(enum http_error want)
{
	if (parser->error != want)
		fail_msg("%s: error is %s, want %s", where, error_name(parser->error), error_name(want));
}

static void expect_body(const char *body, size_t body_len)
{
	if (parser->body_bytes != body_len)
		fail_msg("%s: body_bytes is %llu, want %zu", where, (unsigned long long)parser->body_bytes, body_len);
	if (sink.len != body_len)
		fail_msg("%s: the callback got %zu bytes, want %zu", where, sink.len, body_len);
	if (body_len && memcmp(sink.data, body, body_len) != 0)
		fail_msg("%s: the callback got \"%.*s\", want \"%.*s\"", where, (int)sink.len, sink.data, (int)body_len,
			 body);
}

/* ---- complete responses ---- */

struct resp_case {
	const char *name;
	const char *wire;
	size_t wire_len;
	bool until_close; /* the body ends at EOF */
	int status;
	const char *body;
	size_t body_len;
};

#define BYTES(s) s, sizeof(s) - 1

static const struct resp_case responses[] = {
	{ "content_length",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"), false, 200,
	  BYTES("hello world") },
	{ "content_length_zero", BYTES("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), false, 200, BYTES("") },
	{ "content_length_framing_bytes_in_body",
	  BYTES("HTTP/1.1 404 Not Found\r\nContent-Length: 25\r\n\r\n\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\0\n"), false, 404,
	  BYTES("\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\0\n") },
	{ "content_length_whitespace_and_repeat",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Length: \t 7 \t\r\nContent-Length: 7\r\n\r\nsevenXY"), false, 200,
	  BYTES("sevenXY") },
	{ "chunked",
	  BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5\r\nhello\r\n"
		"1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
		"1b;name=value\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n"
		"010\r\n0123456789abcdef\r\n"
		"3 ; q=\"1\"\r\nxyz\r\n"
		"0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n"),
	  false, 200,
	  BYTES("hello"
		"abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ!"
		"0123456789abcdef"
		"xyz") },
	{ "chunked_framing_bytes_in_data",
	  BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"D\r\n\r\n0\r\n\r\n\0abcde\r\n"
		"0;last\r\n\r\n"),
	  false, 200, BYTES("\r\n0\r\n\r\n\0abcde") },
	{ "chunked_no_trailer", BYTES("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
	  false, 201, BYTES("ok") },
	{ "chunked_empty", BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), false, 200,
	  BYTES("") },
	{ "until_close", BYTES("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end\r\n\r\nof the line"), true,
	  200, BYTES("until the end\r\n\r\nof the line") },
	{ "until_close_http10", BYTES("HTTP/1.0 200 OK\r\n\r\nbye"), true, 200, BYTES("bye") },
	{ "until_close_empty", BYTES("HTTP/1.1 200 OK\r\n\r\n"), true, 200, BYTES("") },
	{ "status_204", BYTES("HTTP/1.1 204 No Content\r\nX-Why: nothing\r\n\r\n"), false, 204, BYTES("") },
	{ "status_304_with_content_length",
	  BYTES("HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\nContent-Length: 42\r\n\r\n"), false, 304, BYTES("") },
	{ "status_100_then_200",
	  BYTES("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), false, 200,
	  BYTES("abc") },
	{ "status_100_103_then_chunked",
	  BYTES("HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Length: 9\r\n\r\n"
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\n"),
	  false, 200, BYTES("wiki") },
	{ "chunked_wins_over_content_length",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"),
	  false, 200, BYTES("wikipedia") },
	{ "chunked_wins_over_content_length_after",
	  BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
		"4\r\nwiki\r\n0\r\n\r\n"),
	  false, 200, BYTES("wiki") },
	{ "bare_lf_content_length", BYTES("HTTP/1.1 200 OK\nServer: x\nContent-Length: 5\n\nhello"), false, 200,
	  BYTES("hello") },
	{ "bare_lf_chunked",
	  BYTES("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\na;x\n0123456789\n0\nT: 1\n\n"), false, 200,
	  BYTES("abc0123456789") },
	{ "no_reason_phrase", BYTES("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok"), false, 200, BYTES("ok") },
	{ "empty_reason_phrase", BYTES("HTTP/1.1 503 \r\nContent-Length: 4\r\n\r\nbusy"), false, 503, BYTES("busy") },
	{ "header_names_odd_case",
	  BYTES("HTTP/1.1 200 OK\r\ncontent-length: 4\r\nX-MiXeD: v\r\n\r\nbody"), false, 200, BYTES("body") },
	/* leading zeros count for nothing (net/http/transfer.go parseContentLength:
	 * strconv.ParseUint(cl, 10, 63), any number of digits) */
	{ "content_length_leading_zeros",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000005\r\n\r\nhello"), false, 200, BYTES("hello") },
	{ "content_length_many_zeros",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Length: 000000000000000000000000000000000000000000000000000000000000002\r\n\r\nok"),
	  false, 200, BYTES("ok") },
	{ "content_length_repeat_leading_zeros",
	  BYTES("HTTP/1.1 200 OK\r\nContent-Length: 05\r\nContent-Length:05 \r\n\r\nhello"), false, 200,
	  BYTES("hello") },
	/* 16 hex digits, leading zeros included, are what Go takes
	 * (net/http/internal/chunked.go parseHexUint) */
	{ "chunk_size_16_digits",
	  BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000005\r\nhello\r\n"
		"000000000000000A;x=y\r\n0123456789\r\n0000000000000000\r\n\r\n"),
	  false, 200, BYTES("hello0123456789") },
	/* up to 5 interim responses, as Go (net/http/transport.go
	 * (*persistConn).readResponse, max1xxResponses); 101 is final */
	{ "five_interim_then_200",
	  BYTES("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
	  false, 200, BYTES("ok") },
	{ "five_interim_then_101",
	  BYTES("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"),
	  false, 101, BYTES("") },
	{ "header_names_odd_case_chunked",
	  BYTES("HTTP/1.1 200 OK\r\ntRANSFER-eNCODING: Chunked\r\nCONTENT-LENGTH: 99\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), false,
	  200, BYTES("hi") },
};

#define N_RESPONSES (sizeof(responses) / sizeof(responses[0]))

static const char junk[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nJUNK!garbage\r\n";

/* Feeds wire[from, to) and checks the progress: HTTP_DONE once the
 * response (end bytes long) is all in, HTTP_MORE before, and always
 * HTTP_MORE for a body delimited by EOF. */
static void feed_piece(const struct resp_case *c, const char *wire, size_t from, size_t to, size_t end)
{
	char step[96];
	enum http_progress want = (!c->until_close && to >= end) ? HTTP_DONE : HTTP_MORE;

	snprintf(step, sizeof(step), "feeding bytes [%zu, %zu)", from, to);
	expect_progress(http_response_feed(parser, wire + from, to - from), want, step);
}

/* After the last byte: EOF when the body needs it, then the results; then
 * the parser must stay done. */
static void finish(const struct resp_case *c)
{
	uint64_t bytes;

	if (c->until_close)
		expect_progress(http_response_eof(parser), HTTP_DONE, "eof");
	expect_error(HTTP_OK);
	if (parser->status != c->status)
		fail_msg("%s: status %d, want %d", where, parser->status, c->status);
	expect_body(c->body, c->body_len);

	bytes = parser->body_bytes;
	expect_progress(http_response_feed(parser, "more", 4), HTTP_DONE, "feeding after the end");
	expect_progress(http_response_feed(parser, "", 0), HTTP_DONE, "feeding 0 bytes after the end");
	expect_progress(http_response_eof(parser), HTTP_DONE, "eof after the end");
	expect_error(HTTP_OK);
	if (parser->body_bytes != bytes || sink.len != c->body_len)
		fail_msg("%s: bytes after the end reached the body", where);
}

/* Feeds wire (the response, then maybe bytes after it) in one piece, split
 * in two at every byte, and one byte at a time. */
static void feed_every_way(const struct resp_case *c, const char *wire, size_t len, size_t end, const char *label)
{
	snprintf(where, sizeof(where), "%s%s, one piece", c->name, label);
	parser_init();
	feed_piece(c, wire, 0, len, end);
	finish(c);

	for (size_t k = 0; k <= len; k++) {
		snprintf(where, sizeof(where), "%s%s, split at %zu of %zu", c->name, label, k, len);
		parser_init();
		feed_piece(c, wire, 0, k, end);
		feed_piece(c, wire, k, len, end);
		finish(c);
	}

	snprintf(where, sizeof(where), "%s%s, byte by byte", c->name, label);
	parser_init();
	for (size_t i = 0; i < len; i++)
		feed_piece(c, wire, i, i + 1, end);
	finish(c);
}

/* EOF after every proper prefix: an error, except inside a body that ends
 * at EOF, which then is complete with the bytes seen so far. */
static void eof_after_every_prefix(const struct resp_case *c)
{
	size_t head_len = c->until_close ? c->wire_len - c->body_len : c->wire_len;

	for (size_t k = 0; k < c->wire_len; k++) {
		snprintf(where, sizeof(where), "%s, eof after %zu of %zu bytes", c->name, k, c->wire_len);
		parser_init();
		expect_progress(http_response_feed(parser, c->wire, k), HTTP_MORE, "feeding the prefix");
		if (c->until_close && k >= head_len) {
			expect_progress(http_response_eof(parser), HTTP_DONE, "eof");
			expect_error(HTTP_OK);
			expect_body(c->body, k - head_len);
			continue;
		}
		expect_progress(http_response_eof(parser), HTTP_ERROR, "eof");
		expect_error(HTTP_UNEXPECTED_EOF);
		expect_progress(http_response_eof(parser), HTTP_ERROR, "eof again");
		expect_progress(http_response_feed(parser, c->wire + k, c->wire_len - k), HTTP_ERROR,
				"feeding the rest after the error");
		expect_error(HTTP_UNEXPECTED_EOF);
	}
}

static void test_response(void **state)
{
	const struct resp_case *c = *state;

	feed_every_way(c, c->wire, c->wire_len, c->wire_len, "");
	if (!c->until_close) {
		/* bytes after the end of the response are ignored */
		size_t len = c->wire_len + sizeof(junk) - 1;
		char *wire = malloc(len);

		assert_non_null(wire);
		memcpy(wire, c->wire, c->wire_len);
		memcpy(wire + c->wire_len, junk, sizeof(junk) - 1);
		feed_every_way(c, wire, len, c->wire_len, " + bytes after it");
		free(wire);
	}
	eof_after_every_prefix(c);
}

/* ---- EOF too early, by name ---- */

struct eof_case {
	const char *name;
	const char *wire;
};

static const struct eof_case early_eofs[] = {
	{ "nothing_fed", "" },
	{ "before_the_head", "HTT" },
	{ "inside_the_status_line", "HTTP/1.1 200 O" },
	{ "inside_the_head", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" },
	{ "before_the_last_lf", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r" },
	{ "content_length_no_body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" },
	{ "inside_content_length_body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel" },
	{ "in_chunk_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1" },
	{ "in_chunk_extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b" },
	{ "inside_a_chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe" },
	{ "after_chunk_data", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello" },
	{ "between_chunks", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n" },
	{ "after_last_chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" },
	{ "in_the_trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1" },
	{ "after_a_trailer_line", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n" },
	{ "after_interim_response", "HTTP/1.1 100 Continue\r\n\r\n" },
};

#define N_EARLY_EOFS (sizeof(early_eofs) / sizeof(early_eofs[0]))

static void test_early_eof(void **state)
{
	const struct eof_case *c = *state;
	size_t len = strlen(c->wire);

	/* in one piece, and byte by byte */
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		snprintf(where, sizeof(where), "eof %s, %s", c->name, bytewise ? "byte by byte" : "one piece");
		parser_init();
		if (bytewise) {
			for (size_t i = 0; i < len; i++)
				expect_progress(http_response_feed(parser, c->wire + i, 1), HTTP_MORE, "feeding");
		} else {
			expect_progress(http_response_feed(parser, c->wire, len), HTTP_MORE, "feeding");
		}
		expect_progress(http_response_eof(parser), HTTP_ERROR, "eof");
		expect_error(HTTP_UNEXPECTED_EOF);
		expect_progress(http_response_eof(parser), HTTP_ERROR, "eof again");
		expect_progress(http_response_feed(parser, "HTTP/1.1 200 OK\r\n\r\n", 19), HTTP_ERROR,
				"feeding after the error");
		expect_error(HTTP_UNEXPECTED_EOF);
	}
}

/* ---- malformed responses ---- */

/* The parser must fail on the last byte of upto, not before; rest follows. */
struct bad_case {
	const char *name;
	const char *upto;
	const char *rest;
};

#define HEAD_CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static const struct bad_case malformed[] = {
	{ "garbage", "t", "his is not HTTP\r\n\r\n" },
	{ "lower_case_http", "h", "ttp/1.1 200 OK\r\n\r\n" },
	{ "no_version", "HTTP ", "200 OK\r\n\r\n" },
	{ "http2", "HTTP/2 200\r\nContent-Length: 2\r\n\r\n", "ok" },
	{ "http_1_x", "HTTP/1.x 200 OK\r\n\r\n", "" },
	{ "status_two_digits", "HTTP/1.1 20 OK\r\n\r\n", "" },
	{ "status_four_digits", "HTTP/1.1 2000 OK\r\n\r\n", "" },
	{ "status_below_100", "HTTP/1.1 099 x\r\n\r\n", "" },
	{ "status_not_digits", "HTTP/1.1 2x0 OK\r\n\r\n", "" },
	{ "status_no_space", "HTTP/1.1 200OK\r\n\r\n", "" },
	{ "status_two_spaces", "HTTP/1.1  200 OK\r\n\r\n", "" },
	{ "status_line_only_version", "HTTP/1.1\r\n\r\n", "" },
	{ "header_without_colon", "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", "" },
	{ "header_name_with_space", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "" },
	{ "space_before_colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n", "ok" },
	{ "empty_header_name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "" },
	{ "obsolete_folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n", "" },
	{ "obsolete_folding_tab", "HTTP/1.1 200 OK\r\nX-A: 1\r\n\tX-B: 2\r\n\r\n", "" },
	{ "content_length_12a", "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "hello world!" },
	{ "content_length_negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "x" },
	{ "content_length_plus", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "hello" },
	{ "content_length_empty", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", "" },
	{ "content_length_two_numbers", "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n", "hello" },
	{ "content_length_list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", "hello" },
	{ "content_length_conflict", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "hello!" },
	{ "content_length_2_63", "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n", "x" },
	{ "content_length_2_64", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", "x" },
	{ "content_length_2_63_leading_zeros",
	  "HTTP/1.1 200 OK\r\nContent-Length: 0000009223372036854775808\r\n\r\n", "x" },
	{ "content_length_repeat_differs_as_text", /* Go compares the trimmed texts */
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", "hello" },
	{ "content_length_overflow",
	  "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551621\r\n\r\n", "hello" }, /* 2^64 + 5 */
	{ "transfer_encoding_gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "" },
	{ "transfer_encoding_gzip_chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	  "0\r\n\r\n" },
	{ "chunk_size_zz", HEAD_CHUNKED "z", "z\r\nhello\r\n0\r\n\r\n" },
	{ "chunk_size_17_digits", HEAD_CHUNKED "10000000000000000", "\r\nx\r\n0\r\n\r\n" },
	{ "chunk_size_17_digits_leading_zeros", HEAD_CHUNKED "00000000000000005", "\r\nhello\r\n0\r\n\r\n" },
	{ "chunk_size_17_zeros", HEAD_CHUNKED "00000000000000000", "\r\n\r\n" },
	{ "chunk_size_junk", HEAD_CHUNKED "5x", "\r\nhello\r\n0\r\n\r\n" },
	{ "chunk_size_leading_space", HEAD_CHUNKED " ", "5\r\nhello\r\n0\r\n\r\n" },
	{ "chunk_size_empty_line", HEAD_CHUNKED "\r", "\n5\r\nhello\r\n0\r\n\r\n" },
	{ "chunk_size_cr_without_lf", HEAD_CHUNKED "5\rX", "hello\r\n0\r\n\r\n" },
	{ "chunk_data_no_crlf", HEAD_CHUNKED "5\r\nhelloX", "\r\n0\r\n\r\n" },
	{ "chunk_data_cr_then_junk", HEAD_CHUNKED "5\r\nhello\rX", "\n0\r\n\r\n" },
	{ "chunk_data_cr_cr", HEAD_CHUNKED "5\r\nhello\r\r", "\n0\r\n\r\n" },
	{ "chunk_data_too_long", HEAD_CHUNKED "3\r\nabc\r\n2\r\nxyz", "\r\n0\r\n\r\n" },
	{ "second_chunk_size_bad", HEAD_CHUNKED "3\r\nabc\r\nq", "\r\n0\r\n\r\n" },
	{ "garbage_after_interim", "HTTP/1.1 100 Continue\r\n\r\nG", "ARBAGE\r\n\r\n" },
	{ "six_interim",
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
	  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" },
	{ "bad_status_after_interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 20 OK\r\n\r\n", "" },
};

#define N_MALFORMED (sizeof(malformed) / sizeof(malformed[0]))

static const char valid_after[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/* Once failed, the parser stays failed with the same error. */
static void expect_stays_failed(enum http_error error)
{
	expect_progress(http_response_feed(parser, valid_after, sizeof(valid_after) - 1), HTTP_ERROR,
			"feeding a valid response after the error");
	expect_progress(http_response_feed(parser, "x", 1), HTTP_ERROR, "feeding 1 byte after the error");
	expect_progress(http_response_feed(parser, "", 0), HTTP_ERROR, "feeding 0 bytes after the error");
	expect_progress(http_response_eof(parser), HTTP_ERROR, "eof after the error");
	expect_error(error);
}

static void test_malformed(void **state)
{
	const struct bad_case *c = *state;
	size_t fail_at = strlen(c->upto) - 1; /* index of the byte that must fail */
	size_t len = strlen(c->upto) + strlen(c->rest);
	char *wire = malloc(len + 1);
	size_t body_bytes;

	assert_non_null(wire);
	snprintf(wire, len + 1, "%s%s", c->upto, c->rest);

	/* one piece */
	snprintf(where, sizeof(where), "%s, one piece", c->name);
	parser_init();
	expect_progress(http_response_feed(parser, wire, len), HTTP_ERROR, "feeding");
	expect_error(HTTP_MALFORMED);
	body_bytes = parser->body_bytes;
	expect_stays_failed(HTTP_MALFORMED);
	if (parser->body_bytes != body_bytes)
		fail_msg("%s: body bytes delivered after the error", where);

	/* byte by byte: HTTP_MORE up to the bad byte, HTTP_ERROR from it on */
	snprintf(where, sizeof(where), "%s, byte by byte", c->name);
	parser_init();
	for (size_t i = 0; i < len; i++) {
		char step[64];

		snprintf(step, sizeof(step), "feeding byte %zu", i);
		expect_progress(http_response_feed(parser, wire + i, 1), i < fail_at ? HTTP_MORE : HTTP_ERROR, step);
	}
	expect_error(HTTP_MALFORMED);
	expect_stays_failed(HTTP_MALFORMED);

	/* two pieces, split at every byte */
	for (size_t k = 0; k <= len; k++) {
		snprintf(where, sizeof(where), "%s, split at %zu of %zu", c->name, k, len);
		parser_init();
		expect_progress(http_response_feed(parser, wire, k), k > fail_at ? HTTP_ERROR : HTTP_MORE, "first piece");
		expect_progress(http_response_feed(parser, wire + k, len - k), HTTP_ERROR, "second piece");
		expect_error(HTTP_MALFORMED);
	}

	/* EOF before the bad byte is an unexpected EOF, not malformed */
	snprintf(where, sizeof(where), "%s, eof before the bad byte", c->name);
	parser_init();
	expect_progress(http_response_feed(parser, wire, fail_at), HTTP_MORE, "feeding up to the bad byte");
	expect_progress(http_response_eof(parser), HTTP_ERROR, "eof");
	expect_error(HTTP_UNEXPECTED_EOF);

	/* http_response_init makes a failed parser new again */
	snprintf(where, sizeof(where), "%s, reused after init", c->name);
	parser_init();
	expect_progress(http_response_feed(parser, valid_after, sizeof(valid_after) - 1), HTTP_DONE, "feeding");
	expect_error(HTTP_OK);
	assert_int_equal(parser->status, 200);
	expect_body("ok", 2);
	free(wire);
}

/* The garbage case of the brief, spelled out: no waiting for a blank line. */
static void test_garbage_fails_on_first_byte(void **state)
{
	(void)state;
	snprintf(where, sizeof(where), "garbage, first byte");
	parser_init();
	expect_progress(http_response_feed(parser, "t", 1), HTTP_ERROR, "feeding 't'");
	expect_error(HTTP_MALFORMED);
	parser_init();
	expect_progress(http_response_feed(parser, "this is not HTTP\r\n\r\n", 20), HTTP_ERROR, "feeding it all");
	expect_error(HTTP_MALFORMED);
	assert_int_equal(parser->status, 0);
	assert_int_equal(parser->body_bytes, 0);
	assert_int_equal(sink.calls, 0);
}

/* ---- head size limit ---- */

/* A head ("HTTP/1.1 200 OK" ... blank line) of exactly head_len bytes,
 * padded with an X-Pad header, then "ok" as its Content-Length body.
 * eol is "\r\n" or "\n". Returns the whole response's length. */
static char *make_big_head(size_t head_len, const char *eol, size_t *len)
{
	char start[64], end[64];
	size_t start_len, end_len, pad;
	char *wire;

	start_len = (size_t)snprintf(start, sizeof(start), "HTTP/1.1 200 OK%sX-Pad: ", eol);
	end_len = (size_t)snprintf(end, sizeof(end), "%sContent-Length: 2%s%s", eol, eol, eol);
	assert_true(head_len > start_len + end_len);
	pad = head_len - start_len - end_len;
	*len = head_len + 2;
	wire = malloc(*len);
	assert_non_null(wire);
	memcpy(wire, start, start_len);
	for (size_t i = 0; i < pad; i++)
		wire[start_len + i] = (char)('a' + i % 26);
	memcpy(wire + start_len + pad, end, end_len);
	memcpy(wire + head_len, "ok", 2);
	return wire;
}

static void check_big_head_accepted(size_t head_len, const char *eol, const char *label)
{
	size_t len;
	char *wire = make_big_head(head_len, eol, &len);

	snprintf(where, sizeof(where), "head of %zu bytes (%s), one piece", head_len, label);
	parser_init();
	expect_progress(http_response_feed(parser, wire, len), HTTP_DONE, "feeding");
	expect_error(HTTP_OK);
	assert_int_equal(parser->status, 200);
	expect_body("ok", 2);

	snprintf(where, sizeof(where), "head of %zu bytes (%s), byte by byte", head_len, label);
	parser_init();
	for (size_t i = 0; i < len; i++)
		expect_progress(http_response_feed(parser, wire + i, 1), i + 1 == len ? HTTP_DONE : HTTP_MORE, "feeding");
	expect_error(HTTP_OK);
	expect_body("ok", 2);

	/* head alone, then body */
	snprintf(where, sizeof(where), "head of %zu bytes (%s), head then body", head_len, label);
	parser_init();
	expect_progress(http_response_feed(parser, wire, head_len), HTTP_MORE, "feeding the head");
	expect_progress(http_response_feed(parser, wire + head_len, 2), HTTP_DONE, "feeding the body");
	expect_body("ok", 2);
	free(wire);
}

static void test_head_exactly_max(void **state)
{
	(void)state;
	check_big_head_accepted(HTTP_HEAD_MAX, "\r\n", "CRLF");
	check_big_head_accepted(HTTP_HEAD_MAX, "\n", "LF");
	check_big_head_accepted(HTTP_HEAD_MAX - 1, "\r\n", "CRLF");
}

static void check_big_head_rejected(size_t head_len, const char *eol)
{
	size_t len;
	char *wire = make_big_head(head_len, eol, &len);
	size_t failed_at = len;

	snprintf(where, sizeof(where), "head of %zu bytes, one piece", head_len);
	parser_init();
	expect_progress(http_response_feed(parser, wire, len), HTTP_ERROR, "feeding");
	expect_error(HTTP_HEAD_TOO_LARGE);
	expect_stays_failed(HTTP_HEAD_TOO_LARGE);

	snprintf(where, sizeof(where), "head of %zu bytes, byte by byte", head_len);
	parser_init();
	for (size_t i = 0; i < len; i++) {
		enum http_progress p = http_response_feed(parser, wire + i, 1);

		if (p == HTTP_ERROR) {
			failed_at = i;
			break;
		}
		expect_progress(p, HTTP_MORE, "feeding");
	}
	/* it fails once the head has more bytes than HTTP_HEAD_MAX can hold:
	 * at byte HTTP_HEAD_MAX - 1 (the head is then full and unfinished) or
	 * at byte HTTP_HEAD_MAX at the latest */
	if (failed_at != HTTP_HEAD_MAX - 1 && failed_at != HTTP_HEAD_MAX)
		fail_msg("%s: failed at byte %zu, want %d or %d", where, failed_at, HTTP_HEAD_MAX - 1, HTTP_HEAD_MAX);
	expect_error(HTTP_HEAD_TOO_LARGE);
	expect_stays_failed(HTTP_HEAD_TOO_LARGE);

	/* a few two-piece splits around the limit */
	for (size_t k = HTTP_HEAD_MAX - 2; k <= HTTP_HEAD_MAX + 2 && k <= len; k++) {
		enum http_progress p;

		snprintf(where, sizeof(where), "head of %zu bytes, split at %zu", head_len, k);
		parser_init();
		p = http_response_feed(parser, wire, k);
		if (p == HTTP_MORE)
			p = http_response_feed(parser, wire + k, len - k);
		expect_progress(p, HTTP_ERROR, "feeding");
		expect_error(HTTP_HEAD_TOO_LARGE);
	}
	free(wire);
}

static void test_head_too_large(void **state)
{
	(void)state;
	check_big_head_rejected(HTTP_HEAD_MAX + 1, "\r\n");
	check_big_head_rejected(HTTP_HEAD_MAX + 1, "\n");
	check_big_head_rejected(HTTP_HEAD_MAX + 2, "\r\n");
	check_big_head_rejected(3 * HTTP_HEAD_MAX, "\r\n");
}

/* A head that never ends (no blank line at all) is cut off at the limit. */
static void test_endless_head(void **state)
{
	char *wire = malloc(2 * HTTP_HEAD_MAX);

	(void)state;
	assert_non_null(wire);
	memcpy(wire, "HTTP/1.1 200 ", 13);
	memset(wire + 13, 'r', 2 * HTTP_HEAD_MAX - 13);
	snprintf(where, sizeof(where), "endless status line");
	parser_init();
	expect_progress(http_response_feed(parser, wire, HTTP_HEAD_MAX - 1), HTTP_MORE, "feeding HTTP_HEAD_MAX - 1 bytes");
	expect_progress(http_response_feed(parser, wire + HTTP_HEAD_MAX - 1, HTTP_HEAD_MAX + 1), HTTP_ERROR,
			"feeding the rest");
	expect_error(HTTP_HEAD_TOO_LARGE);
	free(wire);
}

/* ---- odds and ends ---- */

static void test_more_while_incomplete(void **state)
{
	static const char wire[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";

	(void)state;
	snprintf(where, sizeof(where), "incomplete");
	parser_init();
	expect_progress(http_response_feed(parser, "", 0), HTTP_MORE, "feeding 0 bytes");
	expect_progress(http_response_feed(parser, wire, 17), HTTP_MORE, "status line");
	assert_int_equal(parser->status, 0); /* not parsed before the head is whole */
	expect_progress(http_response_feed(parser, wire + 17, 21), HTTP_MORE, "headers");
	assert_int_equal(parser->status, 200);
	assert_int_equal(parser->body_bytes, 0);
	expect_progress(http_response_feed(parser, "", 0), HTTP_MORE, "feeding 0 bytes");
	expect_progress(http_response_feed(parser, wire + 38, 2), HTTP_MORE, "two body bytes");
	assert_int_equal(parser->body_bytes, 2);
	expect_progress(http_response_feed(parser, wire + 40, 1), HTTP_DONE, "last body byte");
	expect_body("abc", 3);
}

static void test_null_callback(void **state)
{
	static const char wire[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";

	(void)state;
	snprintf(where, sizeof(where), "no callback");
	sink_reset();
	http_response_init(parser, NULL, NULL);
	expect_progress(http_response_feed(parser, wire, sizeof(wire) - 1), HTTP_DONE, "feeding");
	assert_int_equal(parser->body_bytes, 3);
	assert_int_equal(sink.calls, 0);
}

static void test_callback_arg_passed(void **state)
{
	static const char wire[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata";
	struct sink mine = { 0 };

	(void)state;
	snprintf(where, sizeof(where), "own sink");
	http_response_init(parser, sink_append, &mine);
	expect_progress(http_response_feed(parser, wire, sizeof(wire) - 1), HTTP_DONE, "feeding");
	assert_int_equal(mine.len, 4);
	assert_memory_equal(mine.data, "data", 4);
	free(mine.data);
}

/* ---- limits as Go's ---- */

/* The largest Content-Length Go takes is 2^63 - 1 (strconv.ParseUint(cl,
 * 10, 63)); the head is then done and the body awaited. */
static void test_content_length_max(void **state)
{
	static const char *const heads[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 00000000009223372036854775807\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		snprintf(where, sizeof(where), "Content-Length 2^63 - 1, head %zu", i);
		parser_init();
		expect_progress(http_response_feed(parser, heads[i], strlen(heads[i])), HTTP_MORE, "feeding the head");
		expect_error(HTTP_OK);
		assert_int_equal(parser->left, UINT64_C(9223372036854775807));
		expect_progress(http_response_feed(parser, "abc", 3), HTTP_MORE, "feeding some body");
		expect_body("abc", 3);
	}
}

/* 16 hex digits of f: the largest chunk size Go's parseHexUint takes. */
static void test_chunk_size_max(void **state)
{
	static const char wire[] = HEAD_CHUNKED "ffffffffffffffff\r\nabc";

	(void)state;
	snprintf(where, sizeof(where), "chunk size 2^64 - 1");
	parser_init();
	expect_progress(http_response_feed(parser, wire, sizeof(wire) - 1), HTTP_MORE, "feeding");
	expect_error(HTTP_OK);
	assert_int_equal(parser->left, UINT64_MAX - 3);
	expect_body("abc", 3);
}

/* An endless stream of 100 Continue ends at the sixth, with Go's words. */
static void test_endless_interim(void **state)
{
	static const char one[] = "HTTP/1.1 100 Continue\r\n\r\n";
	enum http_progress p = HTTP_MORE;
	int fed = 0;

	(void)state;
	snprintf(where, sizeof(where), "endless 100 Continue");
	parser_init();
	while (p == HTTP_MORE && fed < 1000) {
		p = http_response_feed(parser, one, sizeof(one) - 1);
		fed++;
	}
	expect_progress(p, HTTP_ERROR, "feeding 100 Continue again and again");
	assert_int_equal(fed, 6);
	expect_error(HTTP_MALFORMED);
	assert_string_equal(http_error_detail(parser), "net/http: too many 1xx informational responses");

	/* init starts the count again */
	parser_init();
	for (int i = 0; i < 5; i++)
		expect_progress(http_response_feed(parser, one, sizeof(one) - 1), HTTP_MORE, "feeding 100 Continue");
	expect_progress(http_response_feed(parser, valid_after, sizeof(valid_after) - 1), HTTP_DONE, "feeding the 200");
	expect_body("ok", 2);
	assert_null(http_error_detail(parser));
}

/* Go's words for the fault, where Go has some. */
static void test_error_detail(void **state)
{
	static const struct {
		const char *wire;
		const char *detail;
	} cases[] = {
		{ "this is not HTTP", "malformed HTTP response" },
		{ "HTTP/1.1 2x0 OK\r\n\r\n", "malformed HTTP response" },
		{ "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "malformed MIME header line" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "bad Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n", "bad Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		  "http: message cannot contain multiple Content-Length headers" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported transfer encoding" },
		{ HEAD_CHUNKED "5x\r\n", "invalid byte in chunk length" },
		{ HEAD_CHUNKED "z", "invalid byte in chunk length" },
		{ HEAD_CHUNKED "10000000000000000", "http chunk length too large" },
		{ HEAD_CHUNKED "5\r\nhelloX", "malformed chunked encoding" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(where, sizeof(where), "detail of case %zu", i);
		parser_init();
		assert_null(http_error_detail(parser));
		expect_progress(http_response_feed(parser, cases[i].wire, strlen(cases[i].wire)), HTTP_ERROR, "feeding");
		expect_error(HTTP_MALFORMED);
		assert_non_null(http_error_detail(parser));
		assert_string_equal(http_error_detail(parser), cases[i].detail);
		/* init forgets it */
		parser_init();
		assert_null(http_error_detail(parser));
	}
}

/* ---- a large body, streamed ---- */

#define BIG_BODY 11000000u
#define PIECE 128

static const char pattern[] = "hello world";

struct stream_check {
	uint64_t seen;
	size_t calls;
	uint64_t first_bad; /* offset of the first wrong byte, or UINT64_MAX */
};

static void check_pattern(void *arg, const char *data, size_t len)
{
	struct stream_check *s = arg;

	for (size_t i = 0; i < len; i++) {
		if (data[i] != pattern[(s->seen + i) % (sizeof(pattern) - 1)] && s->first_bad == UINT64_MAX)
			s->first_bad = s->seen + i;
	}
	s->seen += len;
	s->calls++;
}

/* Feeds head + body_len pattern bytes (+ framing from frame_body) in PIECE
 * byte reads, as a client with -r 128 would. */
static void stream_big(const char *head, bool chunked)
{
	struct stream_check check = { .first_bad = UINT64_MAX };
	size_t head_len = strlen(head);
	char piece[PIECE + 64];
	uint64_t body_sent = 0;
	size_t pos = 0, fill;
	enum http_progress p = HTTP_MORE;
	size_t chunk_left = 0;
	int trailer_sent = 0;

	http_response_init(parser, check_pattern, &check);
	/* make the wire on the fly: head, then the body (in chunks of up to
	 * 100000 bytes when chunked), each piece PIECE bytes */
	for (;;) {
		fill = 0;
		while (fill < PIECE) {
			if (pos < head_len) {
				piece[fill++] = head[pos++];
			} else if (!chunked) {
				if (body_sent == BIG_BODY)
					break;
				piece[fill++] = pattern[body_sent++ % (sizeof(pattern) - 1)];
			} else if (chunk_left > 0) {
				piece[fill++] = pattern[body_sent++ % (sizeof(pattern) - 1)];
				if (--chunk_left == 0) {
					piece[fill++] = '\r';
					piece[fill++] = '\n';
				}
			} else if (body_sent < BIG_BODY) {
				chunk_left = BIG_BODY - body_sent < 100000 ? BIG_BODY - body_sent : 100000;
				fill += (size_t)snprintf(piece + fill, sizeof(piece) - fill, "%zx\r\n", chunk_left);
			} else if (!trailer_sent) {
				memcpy(piece + fill, "0\r\n\r\n", 5);
				fill += 5;
				trailer_sent = 1;
			} else {
				break;
			}
		}
		if (fill == 0)
			break;
		if (p == HTTP_DONE)
			fail_msg("big body: done before the last piece");
		p = http_response_feed(parser, piece, fill);
		if (p == HTTP_ERROR)
			fail_msg("big body: HTTP_ERROR (%s) at body byte %llu", error_name(parser->error),
				 (unsigned long long)body_sent);
	}
	expect_progress(p, HTTP_DONE, "the last piece");
	assert_int_equal(parser->status, 200);
	assert_int_equal(parser->body_bytes, BIG_BODY);
	assert_int_equal(check.seen, BIG_BODY);
	if (check.first_bad != UINT64_MAX)
		fail_msg("big body: byte %llu is wrong", (unsigned long long)check.first_bad);
	assert_true(check.calls >= BIG_BODY / PIECE);
}

static void test_big_content_length_body(void **state)
{
	(void)state;
	snprintf(where, sizeof(where), "big Content-Length body");
	stream_big("HTTP/1.1 200 OK\r\nContent-Length: 11000000\r\n\r\n", false);
}

static void test_big_chunked_body(void **state)
{
	(void)state;
	snprintf(where, sizeof(where), "big chunked body");
	stream_big("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true);
}

/* ---- the group ---- */

static const struct CMUnitTest fixed_tests[] = {
	cmocka_unit_test(test_garbage_fails_on_first_byte),
	cmocka_unit_test(test_head_exactly_max),
	cmocka_unit_test(test_head_too_large),
	cmocka_unit_test(test_endless_head),
	cmocka_unit_test(test_more_while_incomplete),
	cmocka_unit_test(test_null_callback),
	cmocka_unit_test(test_callback_arg_passed),
	cmocka_unit_test(test_content_length_max),
	cmocka_unit_test(test_chunk_size_max),
	cmocka_unit_test(test_endless_interim),
	cmocka_unit_test(test_error_detail),
	cmocka_unit_test(test_big_content_length_body),
	cmocka_unit_test(test_big_chunked_body),
};

#define N_FIXED (sizeof(fixed_tests) / sizeof(fixed_tests[0]))

static char names[N_RESPONSES + N_EARLY_EOFS + N_MALFORMED][80];

int main(void)
{
	struct CMUnitTest tests[N_RESPONSES + N_EARLY_EOFS + N_MALFORMED + N_FIXED];
	size_t n = 0;

	for (size_t i = 0; i < N_RESPONSES; i++, n++) {
		snprintf(names[n], sizeof(names[n]), "response_%s", responses[i].name);
		tests[n] = (struct CMUnitTest){ names[n], test_response, NULL, NULL, (void *)&responses[i] };
	}
	for (size_t i = 0; i < N_EARLY_EOFS; i++, n++) {
		snprintf(names[n], sizeof(names[n]), "early_eof_%s", early_eofs[i].name);
		tests[n] = (struct CMUnitTest){ names[n], test_early_eof, NULL, NULL, (void *)&early_eofs[i] };
	}
	for (size_t i = 0; i < N_MALFORMED; i++, n++) {
		snprintf(names[n], sizeof(names[n]), "malformed_%s", malformed[i].name);
		tests[n] = (struct CMUnitTest){ names[n], test_malformed, NULL, NULL, (void *)&malformed[i] };
	}
	for (size_t i = 0; i < N_FIXED; i++, n++)
		tests[n] = fixed_tests[i];

	return cmocka_run_group_tests_name("http_response", tests, group_setup, group_teardown);
}
