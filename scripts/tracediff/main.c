/* main.c: the tracediff command line (see README.md).
 * Exit status: 0 done; 1 a file could not be read or written; 2 bad usage.
 * Every failure is one line on stderr. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "align.h"
#include "html.h"
#include "normalize.h"
#include "side_by_side.h"
#include "syscalls.h"

static const char USAGE_LINE[] =
	"usage: tracediff normalize [--counts | --calls] [--all] TRACE | tracediff side-by-side [--width N] "
	"[--html FILE] [--left-title T] [--right-title T] LEFT RIGHT | tracediff syscalls";

static const char HELP[] =
	"usage: tracediff normalize [--counts | --calls] [--all] TRACE\n"
	"       tracediff side-by-side [--width N] [--html FILE] [--left-title T] [--right-title T] LEFT RIGHT\n"
	"       tracediff syscalls\n"
	"       tracediff -h\n"
	"\n"
	"normalize     prints the story of a connection from an `strace -f` file: only\n"
	"              the connection's calls, one per line, each with its phase, fds\n"
	"              named by role (SOCK, EPFD, TIMER, WAKE_R/WAKE_W) and what varies\n"
	"              between runs replaced (PTR, PORT, N, T, TIME, BUF). Runs of the\n"
	"              same line end in \"  xN\"; --counts prints the real counts.\n"
	"              The Go runtime poller's own calls (its wake-ups, empty polls,\n"
	"              repeated timeouts) are counted in a note; --all shows them.\n"
	"              --calls prints every call instead, nothing collapsed, as\n"
	"              \"TID PHASE CALL\": the thread that made it (- when the trace\n"
	"              has no pid prefixes), the phase, the call. TRACE must be a\n"
	"              raw strace file then, not a saved story.\n"
	"side-by-side  aligns two stories phase by phase. LEFT and RIGHT are strace\n"
	"              files or saved `normalize` output. ` | ` marks lines that\n"
	"              differ, ` < ` and ` > ` lines on one side only. A long call\n"
	"              wraps onto continuation lines in its own column.\n"
	"  --width N        columns (else $COLUMNS, else the terminal's, else 100)\n"
	"  --html FILE      also write the table as a self-contained HTML page\n"
	"  --left-title T   titles (default: the file names)\n"
	"  --right-title T\n"
	"syscalls      prints the calls a story can keep as the connection's, one\n"
	"              comma-separated line: strace -e trace=$(tracediff syscalls)\n"
	"Colour only on a terminal, and not when NO_COLOR is set.\n";

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tracediff: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; %s\n", USAGE_LINE);
	return 2;
}

static int help(void)
{
	return fputs(HELP, stdout) == EOF;
}

static int write_stdout(const struct sbuf *b)
{
	if (fwrite(sb_str(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0) {
		fprintf(stderr, "tracediff: cannot write the standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static char *read_or_complain(const char *path, size_t *len)
{
	char *text = read_whole_file(path, len);

	if (!text)
		fprintf(stderr, "tracediff: cannot read %s: %s\n", path, strerror(errno));
	return text;
}

/* A command's options, by their val, and its operands. */
struct parsed {
	const char *value[128]; /* "" for a flag given */
	const char *operand[2];
	int noperands;
};

/* Is arg, the element getopt_long took option ch from, the option spelt
 * out? getopt_long would take "--count" for "--counts". */
static bool spelt_out(int ch, const char *arg, const struct option *opts)
{
	if (ch == 'h' && strcmp(arg, "-h") == 0)
		return true;
	for (; opts->name; opts++) {
		size_t n = strlen(opts->name);

		if (opts->val == ch && strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, opts->name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '='))
			return true;
	}
	return false;
}

static int add_operand(struct parsed *p, int max, const char *too_many, const char *arg)
{
	if (p->noperands == max)
		return usage_error(too_many, arg);
	p->operand[p->noperands++] = arg;
	return 0;
}

/* 0, -1 when help was asked for, or a usage error's status. getopt_long in
 * "-" mode hands operands over in order, as option 1, so each option's
 * element is argv[optind] before the call. */
static int parse(int argc, char **argv, const char *cmd, const struct option *opts, int max, const char *too_many,
		 struct parsed *p)
{
	int rc = 0;

	opterr = 0;
	while (!rc) {
		const char *arg = optind < argc ? argv[optind] : "";
		int ch = getopt_long(argc, argv, "-:h", opts, NULL);

		if (ch == -1)
			break;
		if (ch == 1)
			rc = add_operand(p, max, too_many, optarg);
		else if (ch == '?' || !spelt_out(ch == ':' ? optopt : ch, arg, opts))
			rc = usage_error("%s: unknown option %s", cmd, arg);
		else if (ch == ':')
			rc = usage_error("%s: %s needs a value", cmd, arg);
		else if (ch == 'h')
			rc = -1;
		else
			p->value[ch] = optarg ? optarg : "";
	}
	for (; !rc && optind < argc; optind++)
		rc = add_operand(p, max, too_many, argv[optind]);
	return rc;
}

static int cmd_normalize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "counts", no_argument, NULL, 'c' }, { "all", no_argument, NULL, 'a' },
		{ "calls", no_argument, NULL, 'C' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct parsed p = { 0 };
	int rc = parse(argc, argv, "normalize", opts, 1, "normalize takes one TRACE, got another: %s", &p);
	struct sbuf out = { 0 };
	bool raw = true;
	const char *path = p.operand[0];
	size_t len;
	char *text;

	if (rc)
		return rc < 0 ? help() : rc;
	if (!path)
		return usage_error("normalize: no TRACE given");
	if (p.value['C'] && p.value['c'])
		return usage_error("normalize: --counts has nothing to count with --calls, which prints every call");
	text = read_or_complain(path, &len);
	if (!text)
		return 1;
	if (p.value['C'])
		raw = normalize_calls(text, len, p.value['a'], &out);
	else
		normalize_text_all(text, len, path_basename(path), p.value['c'], p.value['a'], &out);
	free(text);
	if (!raw) {
		fputs("tracediff: normalize --calls needs a raw strace file, not a saved story\n", stderr);
		return 2;
	}
	rc = write_stdout(&out);
	sb_free(&out);
	return rc;
}

/* A width of SBS_MIN_WIDTH to SBS_MAX_WIDTH columns, or 0. */
static int parse_width(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < SBS_MIN_WIDTH || v > SBS_MAX_WIDTH)
		return 0;
	return (int)v;
}

static int output_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (cols && parse_width(cols))
		return parse_width(cols);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		if (ws.ws_col < SBS_MIN_WIDTH)
			return SBS_MIN_WIDTH;
		return ws.ws_col > SBS_MAX_WIDTH ? SBS_MAX_WIDTH : ws.ws_col;
	}
	return SBS_DEFAULT_WIDTH;
}

static bool load(const char *path, struct story *s)
{
	size_t len;
	char *text = read_or_complain(path, &len);

	if (!text)
		return false;
	story_load(text, len, path_basename(path), s);
	free(text);
	return true;
}

static int write_html(const char *path, const struct sbuf *html)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(sb_str(html), 1, html->len, f) != html->len || fclose(f) != 0) {
		fprintf(stderr, "tracediff: cannot write %s: %s\n", path, strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

static int side_by_side(const char *const paths[2], const char *html_path, const struct sbs_opts *opts)
{
	struct story left, right;
	struct alignment al;
	struct sbuf out = { 0 }, html = { 0 };
	int rc = 0;

	if (!load(paths[0], &left))
		return 1;
	if (!load(paths[1], &right)) {
		story_free(&left);
		return 1;
	}
	align_stories(&left, &right, &al);
	if (html_path) {
		side_by_side_html(&left, &right, &al, opts->left_title, opts->right_title, &html);
		rc = write_html(html_path, &html);
	}
	if (rc == 0) {
		side_by_side_text(&left, &right, &al, opts, &out);
		rc = write_stdout(&out);
	}
	sb_free(&html);
	sb_free(&out);
	alignment_free(&al);
	story_free(&left);
	story_free(&right);
	return rc;
}

static int cmd_side_by_side(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "width", required_argument, NULL, 'w' },	{ "html", required_argument, NULL, 'H' },
		{ "left-title", required_argument, NULL, 'l' }, { "right-title", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },		{ NULL, 0, NULL, 0 },
	};
	struct parsed p = { 0 };
	int rc = parse(argc, argv, "side-by-side", opts, 2, "side-by-side takes LEFT and RIGHT, got a third: %s", &p);
	const char *width = p.value['w'], *html = p.value['H'];
	struct sbs_opts o = { .left_title = p.value['l'], .right_title = p.value['r'] };

	if (rc)
		return rc < 0 ? help() : rc;
	if (p.noperands < 2)
		return usage_error("side-by-side needs LEFT and RIGHT");
	o.width = width ? parse_width(width) : output_width();
	if (!o.width)
		return usage_error("side-by-side: --width wants a number of columns from 30 to 10000, not %s", width);
	if (html && html[0] == '\0')
		return usage_error("side-by-side: --html needs a file name");
	o.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	return side_by_side(p.operand, html, &o);
}

static int cmd_syscalls(int argc, char **argv)
{
	struct sbuf out = { 0 };
	int rc;

	if (argc > 1)
		return usage_error("syscalls takes no argument, got %s", argv[1]);
	syscalls_trace_list(&out);
	sb_putc(&out, '\n');
	rc = write_stdout(&out);
	sb_free(&out);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return help();
	if (strcmp(argv[1], "normalize") == 0)
		return cmd_normalize(argc - 1, argv + 1);
	if (strcmp(argv[1], "side-by-side") == 0)
		return cmd_side_by_side(argc - 1, argv + 1);
	if (strcmp(argv[1], "syscalls") == 0)
		return cmd_syscalls(argc - 1, argv + 1);
	return usage_error("unknown command %s", argv[1]);
}
