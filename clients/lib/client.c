/* client.c: the common command line and the result line. */
#include "client.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_SPIN 1000

static void print_usage(FILE *out, const struct client_stage *stage)
{
	fprintf(out, "usage: %s%s%s%s [-r BYTES] [-q] URL\n", stage->name,
		stage->features & FEATURE_DEADLINE ? " [-t MS]" : "",
		stage->features & FEATURE_CANCEL ? " [-c MS]" : "",
		stage->features & FEATURE_SPIN ? " [--spin]" : "");
	if (stage->features & FEATURE_DEADLINE)
		fprintf(out, "  -t MS      deadline for the whole request, connect included\n");
	if (stage->features & FEATURE_CANCEL)
		fprintf(out, "  -c MS      cancel MS after the first body byte\n");
	if (stage->features & FEATURE_SPIN)
		fprintf(out, "  --spin     retry at once after EAGAIN instead of sleeping between tries\n");
	fprintf(out, "  -r BYTES   bytes asked per read (default %d)\n"
		     "  -q         do not print the body\n"
		     "URL: http://HOST[:PORT]/PATH, HOST an IP literal or localhost\n"
		     "The last line on stderr is `result: ok ...` or `result: error=\"...\" ...`;\n"
		     "exit status 0 on a response, 1 when the request failed, 2 on a usage error.\n",
		READ_SIZE_DEFAULT);
}

/* One line on stderr, control characters from argv made visible as '?'. */
__attribute__((noreturn, format(printf, 2, 3))) static void usage_error(const struct client_stage *stage, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	for (char *c = message; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "%s: %s (%s -h for usage)\n", stage->name, message, stage->name);
	exit(2);
}

static long parse_number(const struct client_stage *stage, char flag, const char *text, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || errno || *end != '\0' || value < 1 || value > max)
		usage_error(stage, "-%c '%.40s': want a whole number from 1 to %ld", flag, text, max);
	return value;
}

void client_parse_args(const struct client_stage *stage, int argc, char **argv, struct client_opts *opts)
{
	static const struct option long_options[] = {
		{ "spin", no_argument, NULL, OPT_SPIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char why[512];
	int opt;

	memset(opts, 0, sizeof(*opts));
	opts->read_size = READ_SIZE_DEFAULT;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:c:r:qh", long_options, NULL)) != -1) {
		switch (opt) {
		case 't':
			if (!(stage->features & FEATURE_DEADLINE))
				usage_error(stage, "-t: %s", stage->why_no_deadline);
			opts->deadline_ms = parse_number(stage, 't', optarg, TIME_MS_MAX);
			break;
		case 'c':
			if (!(stage->features & FEATURE_CANCEL))
				usage_error(stage, "-c: cancelling needs a context to cancel, the idea of stage 5 "
						   "(c-cancel); this stage has none");
			opts->cancel_ms = parse_number(stage, 'c', optarg, TIME_MS_MAX);
			break;
		case 'r':
			opts->read_size = (size_t)parse_number(stage, 'r', optarg, READ_SIZE_MAX);
			break;
		case 'q':
			opts->quiet = true;
			break;
		case OPT_SPIN:
			if (!(stage->features & FEATURE_SPIN))
				usage_error(stage, "--spin: only c-nonblock retries in a loop; this stage waits in the kernel");
			opts->spin = true;
			break;
		case 'h':
			print_usage(stdout, stage);
			exit(0);
		case ':':
			usage_error(stage, "-%c needs a value", optopt);
		default: /* a long flag given a value sets optopt too: name it as typed */
			if (optopt && strncmp(argv[optind - 1], "--", 2) != 0)
				usage_error(stage, "unknown flag -%c", optopt);
			usage_error(stage, "unknown flag %.40s", argv[optind - 1]);
		}
	}
	if (optind == argc)
		usage_error(stage, "no URL given; want http://127.0.0.1:PORT/PATH");
	if (optind + 1 < argc)
		usage_error(stage, "unexpected argument '%.40s' after the URL", argv[optind + 1]);
	if (url_parse(argv[optind], &opts->url, why, sizeof(why)) != 0)
		usage_error(stage, "%s", why);
	signal(SIGPIPE, SIG_IGN);
}

/* Go's syscall.Errno texts are the C library's with a lower-case first
 * letter: "connection refused", "connection reset by peer". */
static const char *errno_text(int sys_errno)
{
	static __thread char lowered[128];
	const char *text = strerrordesc_np(sys_errno);

	if (text == NULL)
		return "unknown error";
	snprintf(lowered, sizeof(lowered), "%s", text);
	if (lowered[0] >= 'A' && lowered[0] <= 'Z' && !(lowered[1] >= 'A' && lowered[1] <= 'Z'))
		lowered[0] = (char)(lowered[0] - 'A' + 'a');
	return lowered;
}

const char *client_error_text(enum client_error error, int sys_errno)
{
	static __thread char write_failed[160];

	switch (error) {
	case CLIENT_OK:
		return "ok";
	case CLIENT_DEADLINE_EXCEEDED:
		return "context deadline exceeded";
	case CLIENT_CANCELED:
		return "context canceled";
	case CLIENT_UNEXPECTED_EOF:
		return "unexpected EOF";
	case CLIENT_MALFORMED_RESPONSE:
		return "malformed HTTP response";
	case CLIENT_HEAD_TOO_LARGE:
		return "server response headers exceeded 32768 bytes; aborted";
	case CLIENT_WRITE_STDOUT:
		/* Go's *fs.PathError from os.Stdout.Write, word for word */
		snprintf(write_failed, sizeof(write_failed), "write /dev/stdout: %s", errno_text(sys_errno));
		return write_failed;
	case CLIENT_SYSCALL:
		break;
	}
	return errno_text(sys_errno);
}

void client_fail_errno(struct client_result *res, int err)
{
	res->error = CLIENT_SYSCALL;
	res->sys_errno = err;
}

void client_fail_http(struct client_result *res, const struct http_response *r)
{
	static const enum client_error from_http[] = {
		[HTTP_OK] = CLIENT_OK,
		[HTTP_MALFORMED] = CLIENT_MALFORMED_RESPONSE,
		[HTTP_HEAD_TOO_LARGE] = CLIENT_HEAD_TOO_LARGE,
		[HTTP_UNEXPECTED_EOF] = CLIENT_UNEXPECTED_EOF,
	};

	res->error = from_http[r->error];
	res->detail = http_error_detail(r);
}

/* How writing the body to stdout went: once it fails, nothing more is
 * written. EPIPE (the reader has gone away) is no failure of the request;
 * any other errno is, and is kept here until client_take_read reports it. */
static bool stdout_done;
static int stdout_errno;

static void write_body(void *arg, const char *data, size_t len)
{
	const struct client_opts *opts = arg;

	if (opts->quiet || stdout_done)
		return;
	errno = 0;
	if (fwrite(data, 1, len, stdout) < len) {
		stdout_done = true;
		if (errno != EPIPE)
			stdout_errno = errno ? errno : EIO;
	}
}

void client_response_init(struct http_response *r, const struct client_opts *opts)
{
	stdout_done = false;
	stdout_errno = 0;
	http_response_init(r, write_body, (void *)opts);
}

bool client_take_read(struct client_result *res, struct http_response *r, const char *buf, size_t n)
{
	enum http_progress progress = n ? http_response_feed(r, buf, n) : http_response_eof(r);

	res->status = r->status;
	res->bytes = r->body_bytes;
	if (progress == HTTP_ERROR)
		client_fail_http(res, r);
	if (stdout_errno && res->error == CLIENT_OK) {
		res->error = CLIENT_WRITE_STDOUT;
		res->sys_errno = stdout_errno;
		return true; /* a body that cannot be delivered is not worth reading */
	}
	return progress != HTTP_MORE;
}

int client_report(const struct client_result *result)
{
	struct client_result copy = *result, *res = &copy;
	double elapsed_ms = timespec_diff_ms(monotonic_now(), res->started);
	const char *sep = res->extra[0] ? " " : "";

	/* The last of the body may still be in stdio's buffer: its write can
	 * fail too (a 3-byte body to /dev/full fails only here). */
	errno = 0;
	if (!stdout_done && fflush(stdout) != 0 && errno != EPIPE && res->error == CLIENT_OK) {
		res->error = CLIENT_WRITE_STDOUT;
		res->sys_errno = errno ? errno : EIO;
	}
	if (res->error == CLIENT_OK) {
		fprintf(stderr, "result: ok status=%d bytes=%llu elapsed_ms=%.1f%s%s\n", res->status,
			(unsigned long long)res->bytes, elapsed_ms, sep, res->extra);
		return 0;
	}
	fprintf(stderr, "result: error=\"%s\" bytes=%llu elapsed_ms=%.1f%s%s\n",
		res->error == CLIENT_MALFORMED_RESPONSE && res->detail ? res->detail
								 : client_error_text(res->error, res->sys_errno),
		(unsigned long long)res->bytes, elapsed_ms, sep,
		res->extra);
	return 1;
}

int client_main(const struct client_stage *stage, int argc, char **argv, client_fetch_fn fetch)
{
	struct client_opts opts;
	struct client_result res = { 0 };

	client_parse_args(stage, argc, argv, &opts);
	res.started = monotonic_now();
	fetch(&opts, &res);
	return client_report(&res);
}
