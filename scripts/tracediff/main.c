/* main.c: the tracediff command line (see README.md).
 * Exit status: 0 done; 1 a file could not be read or written; 2 bad usage.
 * Every failure is one line on stderr. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracediff.h"

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

/* "tracediff: cannot read FILE: <strerror>", status 1. */
static int cannot(const char *what, const char *path, int err)
{
	fprintf(stderr, "tracediff: cannot %s %s: %s\n", what, path, strerror(err));
	return 1;
}

/* b on stdout, then freed. */
static int write_stdout(struct sbuf *b)
{
	bool ok = fwrite(sb_str(b), 1, b->len, stdout) == b->len && fflush(stdout) == 0;
	int rc = ok ? 0 : cannot("write", "the standard output", errno);

	sb_free(b);
	return rc;
}

/* A trace is a file strace wrote, or a pipe: a device such as /dev/zero
 * would be read until memory runs out. */
static bool readable_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISDIR(st.st_mode))
		return true; /* read_whole_file says what is wrong with it */
	fprintf(stderr, "tracediff: cannot read %s: not a regular file or a pipe\n", path);
	return false;
}

static char *read_or_complain(const char *path, size_t *len)
{
	char *text;

	if (!readable_kind(path))
		return NULL;
	text = read_whole_file(path, len);

	if (!text)
		cannot("read", path, errno);
	return text;
}

/* What a command line gave: each option's value by its getopt val (""
 * for a flag, NULL when not given), and the operands. */
struct parsed {
	const char *value[128];
	const char *operand[2];
	int noperands;
};

struct command {
	const char *name;
	const struct option *options; /* each with its letter as val; "help" is 'h' */
	int max_operands;
	const char *too_many; /* the usage error, %s the operand too many */
	int (*run)(const struct parsed *p);
};

/* Is arg, the element getopt_long took option ch from, the option spelt
 * out whole? getopt_long would take "--count" for "--counts". */
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

static int add_operand(struct parsed *p, const struct command *cmd, const char *arg)
{
	if (p->noperands == cmd->max_operands)
		return usage_error(cmd->too_many, arg);
	p->operand[p->noperands++] = arg;
	return 0;
}

/* argv[0] is the command's name. 0, -1 when help was asked for, or a usage
 * error's status. getopt_long in "-" mode hands operands over in order, as
 * option 1, so each option's element is argv[optind] before the call. */
static int parse(int argc, char **argv, const struct command *cmd, struct parsed *p)
{
	int rc = 0;

	opterr = 0;
	while (!rc) {
		const char *arg = optind < argc ? argv[optind] : "";
		int ch = getopt_long(argc, argv, "-:h", cmd->options, NULL);

		if (ch == -1)
			break;
		if (ch == 1)
			rc = add_operand(p, cmd, optarg);
		else if (ch == '?' || !spelt_out(ch == ':' ? optopt : ch, arg, cmd->options))
			rc = usage_error("%s: unknown option %s", cmd->name, arg);
		else if (ch == ':')
			rc = usage_error("%s: %s needs a value", cmd->name, arg);
		else if (ch == 'h')
			rc = -1;
		else
			p->value[ch] = optarg ? optarg : "";
	}
	for (; !rc && optind < argc; optind++)
		rc = add_operand(p, cmd, argv[optind]);
	return rc;
}

static int cmd_normalize(const struct parsed *p)
{
	const char *path = p->operand[0];
	struct sbuf out = { 0 };
	bool raw = true;
	size_t len;
	char *text;

	if (!path)
		return usage_error("normalize: no TRACE given");
	if (p->value['C'] && p->value['c'])
		return usage_error("normalize: --counts has nothing to count with --calls, which prints every call");
	text = read_or_complain(path, &len);
	if (!text)
		return 1;
	if (p->value['C'])
		raw = normalize_calls(text, len, p->value['a'], &out);
	else
		normalize_text(text, len, path_basename(path), p->value['c'], p->value['a'], &out);
	free(text);
	if (!raw) {
		fputs("tracediff: normalize --calls needs a raw strace file, not a saved story\n", stderr);
		return 2;
	}
	return write_stdout(&out);
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

static int cmd_side_by_side(const struct parsed *p)
{
	const char *width = p->value['w'], *html_path = p->value['H'];
	struct sbs_opts o = { .left_title = p->value['l'], .right_title = p->value['r'] };
	struct story left, right;
	struct alignment al;
	struct sbuf out = { 0 };
	FILE *html;
	int rc = 0;

	if (p->noperands < 2)
		return usage_error("side-by-side needs LEFT and RIGHT");
	o.width = width ? parse_width(width) : output_width();
	if (!o.width)
		return usage_error("side-by-side: --width wants a number of columns from 30 to 10000, not %s", width);
	if (html_path && html_path[0] == '\0')
		return usage_error("side-by-side: --html needs a file name");
	o.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	if (!load(p->operand[0], &left))
		return 1;
	if (!load(p->operand[1], &right)) {
		story_free(&left);
		return 1;
	}
	align_stories(&left, &right, &al);
	if (html_path) {
		side_by_side_html(&al, &o, &out);
		html = fopen(html_path, "w");
		if (!html || fwrite(sb_str(&out), 1, out.len, html) != out.len || fclose(html) != 0)
			rc = cannot("write", html_path, errno ? errno : EIO);
		sb_free(&out);
	}
	if (rc == 0) {
		side_by_side_text(&al, &o, &out);
		rc = write_stdout(&out);
	}
	alignment_free(&al);
	story_free(&left);
	story_free(&right);
	return rc;
}

static const struct option NORMALIZE_OPTIONS[] = {
	{ "counts", no_argument, NULL, 'c' }, { "all", no_argument, NULL, 'a' },
	{ "calls", no_argument, NULL, 'C' },  { "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option SIDE_BY_SIDE_OPTIONS[] = {
	{ "width", required_argument, NULL, 'w' },	{ "html", required_argument, NULL, 'H' },
	{ "left-title", required_argument, NULL, 'l' }, { "right-title", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },		{ NULL, 0, NULL, 0 },
};

static const struct command COMMANDS[] = {
	{ "normalize", NORMALIZE_OPTIONS, 1, "normalize takes one TRACE, got another: %s", cmd_normalize },
	{ "side-by-side", SIDE_BY_SIDE_OPTIONS, 2, "side-by-side takes LEFT and RIGHT, got a third: %s",
	  cmd_side_by_side },
};

int main(int argc, char **argv)
{
	struct sbuf out = { 0 };

	if (argc < 2)
		return usage_error("no command given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return fputs(HELP, stdout) == EOF;
	for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++) {
		struct parsed p = { 0 };
		int rc;

		if (strcmp(argv[1], COMMANDS[i].name) != 0)
			continue;
		rc = parse(argc - 1, argv + 1, &COMMANDS[i], &p);
		if (rc < 0)
			return fputs(HELP, stdout) == EOF;
		return rc ? rc : COMMANDS[i].run(&p);
	}
	if (strcmp(argv[1], "syscalls") != 0)
		return usage_error("unknown command %s", argv[1]);
	/* no -h either: it only prints the list, for $(tracediff syscalls) */
	if (argc > 2)
		return usage_error("syscalls takes no argument, got %s", argv[2]);
	syscalls_trace_list(&out);
	sb_putc(&out, '\n');
	return write_stdout(&out);
}
