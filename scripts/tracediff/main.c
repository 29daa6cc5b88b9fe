/* main.c: the tracediff command line.
 *
 *   tracediff normalize [--counts] [--all] TRACE
 *   tracediff normalize --calls [--all] TRACE
 *   tracediff side-by-side [--width N] [--html FILE] [--left-title T]
 *                          [--right-title T] LEFT RIGHT
 *   tracediff -h
 *
 * Exit status: 0 done; 1 a file could not be read or written (one line:
 * "tracediff: cannot read FILE: <strerror>"); 2 bad usage (one line). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "align.h"
#include "html.h"
#include "normalize.h"
#include "side_by_side.h"
#include "story.h"
#include "story_io.h"
#include "util.h"

static const char USAGE_LINE[] =
	"usage: tracediff normalize [--counts | --calls] [--all] TRACE | tracediff side-by-side [--width N] "
	"[--html FILE] [--left-title T] [--right-title T] LEFT RIGHT";

static const char HELP[] =
	"usage: tracediff normalize [--counts | --calls] [--all] TRACE\n"
	"       tracediff side-by-side [--width N] [--html FILE] [--left-title T] [--right-title T] LEFT RIGHT\n"
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
	"Colour only on a terminal, and not when NO_COLOR is set.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("tracediff: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "; %s\n", USAGE_LINE);
	return 2;
}

static char *read_or_complain(const char *path, size_t *len)
{
	char *text = read_whole_file(path, len);

	if (!text)
		fprintf(stderr, "tracediff: cannot read %s: %s\n", path, strerror(errno));
	return text;
}

static int write_stdout(const struct sbuf *b)
{
	if (fwrite(sb_str(b), 1, b->len, stdout) != b->len || fflush(stdout) != 0) {
		fprintf(stderr, "tracediff: cannot write the standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static bool is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static int cmd_normalize(int argc, char **argv)
{
	const char *path = NULL;
	bool counts = false, show_all = false, calls = false, options = true;
	struct sbuf out = { 0 };
	size_t len;
	char *text;
	int rc;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (options && strcmp(a, "--") == 0)
			options = false;
		else if (options && strcmp(a, "--counts") == 0)
			counts = true;
		else if (options && strcmp(a, "--all") == 0)
			show_all = true;
		else if (options && strcmp(a, "--calls") == 0)
			calls = true;
		else if (options && is_help(a))
			return fputs(HELP, stdout) == EOF;
		else if (options && a[0] == '-' && a[1] != '\0')
			return usage_error("normalize: unknown option %s", a);
		else if (path)
			return usage_error("normalize takes one TRACE, got another: %s", a);
		else
			path = a;
	}
	if (!path)
		return usage_error("normalize: no TRACE given%s", "");
	if (calls && counts)
		return usage_error("normalize: --counts has nothing to count with --calls, which prints every call%s",
				   "");
	text = read_or_complain(path, &len);
	if (!text)
		return 1;
	if (calls) {
		bool raw = normalize_calls(text, len, show_all, &out);

		free(text);
		if (!raw) {
			/* its "  xN" lines cannot be expanded back into calls */
			fputs("tracediff: normalize --calls needs a raw strace file, not a saved story\n", stderr);
			return 2;
		}
	} else {
		normalize_text_all(text, len, path_basename(path), counts, show_all, &out);
		free(text);
	}
	rc = write_stdout(&out);
	sb_free(&out);
	return rc;
}

/* A width from --width, $COLUMNS or the terminal: 0 when s is none. */
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

/* "--name VALUE" or "--name=VALUE": sets *value and returns true. */
static bool take_value(int argc, char **argv, int *i, const char *name, const char **value, int *err)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return false;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return true;
	}
	if (argv[*i][n] != '\0')
		return false;
	if (*i + 1 >= argc) {
		*err = usage_error("side-by-side: %s needs a value", name);
		return true;
	}
	*value = argv[++*i];
	return true;
}

static int cmd_side_by_side(int argc, char **argv)
{
	const char *paths[2] = { NULL, NULL }, *width_arg = NULL, *html_path = NULL;
	struct sbs_opts opts = { 0 };
	struct story left = { 0 }, right = { 0 };
	struct alignment al;
	struct sbuf out = { 0 };
	bool options = true;
	int npaths = 0, rc = 0, err = 0;
	const char *no_color = getenv("NO_COLOR");

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (options && strcmp(a, "--") == 0) {
			options = false;
		} else if (options && is_help(a)) {
			return fputs(HELP, stdout) == EOF;
		} else if (options && (take_value(argc, argv, &i, "--width", &width_arg, &err) ||
				       take_value(argc, argv, &i, "--html", &html_path, &err) ||
				       take_value(argc, argv, &i, "--left-title", &opts.left_title, &err) ||
				       take_value(argc, argv, &i, "--right-title", &opts.right_title, &err))) {
			if (err)
				return err;
		} else if (options && a[0] == '-' && a[1] != '\0') {
			return usage_error("side-by-side: unknown option %s", a);
		} else if (npaths == 2) {
			return usage_error("side-by-side takes LEFT and RIGHT, got a third: %s", a);
		} else {
			paths[npaths++] = a;
		}
	}
	if (npaths < 2)
		return usage_error("side-by-side needs LEFT and RIGHT%s", "");
	if (width_arg) {
		opts.width = parse_width(width_arg);
		if (!opts.width)
			return usage_error("side-by-side: --width wants a number of columns from 30 to 10000, not %s",
					   width_arg);
	} else {
		opts.width = output_width();
	}
	if (html_path && html_path[0] == '\0')
		return usage_error("side-by-side: --html needs a file name%s", "");
	opts.colour = isatty(STDOUT_FILENO) && no_color == NULL;
	if (!load(paths[0], &left))
		return 1;
	if (!load(paths[1], &right)) {
		story_free(&left);
		return 1;
	}
	align_stories(&left, &right, &al);
	if (html_path) {
		struct sbuf html = { 0 };

		side_by_side_html(&left, &right, &al, opts.left_title, opts.right_title, &html);
		rc = write_html(html_path, &html);
		sb_free(&html);
	}
	if (rc == 0) {
		side_by_side_text(&left, &right, &al, &opts, &out);
		rc = write_stdout(&out);
	}
	sb_free(&out);
	alignment_free(&al);
	story_free(&left);
	story_free(&right);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given%s", "");
	if (is_help(argv[1]))
		return fputs(HELP, stdout) == EOF;
	if (strcmp(argv[1], "normalize") == 0)
		return cmd_normalize(argc, argv);
	if (strcmp(argv[1], "side-by-side") == 0)
		return cmd_side_by_side(argc, argv);
	return usage_error("unknown command %s", argv[1]);
}
