/* test_tracediff_cli.c: the command line contract, run on the built
 * build/bin/tracediff (TRACEDIFF_BIN overrides; skipped when it is not
 * built): usage, one-line errors and exit codes, widths from --width,
 * $COLUMNS and the terminal, colour only on a terminal without NO_COLOR,
 * the HTML file, `normalize --calls`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracediff/tracediff.h"
#include "tracediff_fixture.h"

extern char **environ;

static const char *bin(void)
{
	const char *b = getenv("TRACEDIFF_BIN");

	return b ? b : "build/bin/tracediff";
}

static const char *fx(const char *name)
{
	static char path[8][1024];
	static int k;
	k = (k + 1) % 8;
	return fixture_path(name, path[k], sizeof(path[k]));
}

struct run {
	int rc;
	char *out, *err;
};

static char *slurp_fd(int fd)
{
	struct sbuf b = { 0 };
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sb_put(&b, buf, (size_t)n);
	return sb_take(&b);
}

/* Runs the binary with args (NULL-terminated) and extra environment
 * settings ("NAME=value", or "NAME" to remove it). With tty, stdout is a
 * pseudo-terminal cols columns wide. */
static struct run run(const char *const *args, const char *const *env, bool tty, int cols)
{
	struct run r = { 0 };
	char errpath[] = "/tmp/tracediff-cli.XXXXXX";
	int errfd = mkstemp(errpath), out[2] = { -1, -1 }, master = -1;
	pid_t pid;
	int status;

	assert_true(errfd >= 0);
	unlink(errpath);
	if (tty) {
		struct winsize ws = { .ws_row = 40, .ws_col = (unsigned short)cols };

		master = posix_openpt(O_RDWR | O_NOCTTY);
		assert_true(master >= 0);
		assert_int_equal(grantpt(master), 0);
		assert_int_equal(unlockpt(master), 0);
		out[1] = open(ptsname(master), O_RDWR | O_NOCTTY);
		assert_true(out[1] >= 0);
		assert_int_equal(ioctl(out[1], TIOCSWINSZ, &ws), 0);
		out[0] = master;
	} else {
		assert_int_equal(pipe(out), 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[32] = { bin() };
		size_t n = 1;

		for (size_t i = 0; args[i] && n < 31; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		unsetenv("COLUMNS");
		unsetenv("NO_COLOR");
		for (size_t i = 0; env && env[i]; i++) {
			if (strchr(env[i], '='))
				putenv((char *)env[i]);
			else
				unsetenv(env[i]);
		}
		dup2(out[1], 1);
		dup2(errfd, 2);
		close(out[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	r.out = slurp_fd(out[0]); /* a pty reads EIO once the child is gone */
	close(out[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lseek(errfd, 0, SEEK_SET);
	r.err = slurp_fd(errfd);
	close(errfd);
	if (tty) { /* the terminal turns \n into \r\n */
		char *w = r.out;

		for (const char *p = r.out; *p; p++)
			if (*p != '\r')
				*w++ = *p;
		*w = '\0';
	}
	return r;
}

static void done(struct run *r)
{
	free(r->out);
	free(r->err);
}

static int setup(void **state)
{
	(void)state;
	if (access(bin(), X_OK) != 0) {
		print_message("%s is not built: `make build/bin/tracediff` first\n", bin());
		return 0;
	}
	return 0;
}

#define NEED_BINARY()                      \
	do {                               \
		if (access(bin(), X_OK) != 0) \
			skip();            \
	} while (0)

/* stderr is exactly one line, starting "tracediff: " */
static void one_line_error(const struct run *r, int rc)
{
	assert_int_equal(r->rc, rc);
	assert_string_equal(r->out, "");
	assert_true(strncmp(r->err, "tracediff: ", 11) == 0);
	assert_non_null(strchr(r->err, '\n'));
	assert_string_equal(strchr(r->err, '\n'), "\n");
}

static void usage(void **state)
{
	(void)state;
	NEED_BINARY();
	{
		struct run r = run((const char *[]){ "-h", NULL }, NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_true(strncmp(r.out, "usage: tracediff normalize [--counts | --calls] [--all] TRACE\n", 62) == 0);
		assert_non_null(strstr(r.out, "--calls prints every call"));
		assert_non_null(strstr(r.out, "\n       tracediff syscalls\n"));
		assert_string_equal(r.err, "");
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", "--help", NULL }, NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_non_null(strstr(r.out, "side-by-side [--width N] [--html FILE]"));
		done(&r);
	}
	{
		static const char *const bad[][5] = {
			{ NULL },
			{ "frobnicate", NULL },
			{ "normalize", NULL },
			{ "normalize", "a", "b", NULL },
			{ "normalize", "--count", "a", NULL },
			{ "normalize", "--calls", "--counts", "a", NULL },
			{ "normalize", "--calls", NULL },
			{ "side-by-side", "a", NULL },
			{ "side-by-side", "a", "b", "c", NULL },
			{ "side-by-side", "--width", "abc", "a", NULL },
			{ "side-by-side", "--width", "10", "a", NULL },
			{ "side-by-side", "--width=99999", "a", "b", NULL },
			{ "side-by-side", "a", "b", "--width", NULL },
			{ "side-by-side", "--html=", "a", "b", NULL },
			{ "side-by-side", "--colour", "a", "b", NULL },
			{ "syscalls", "x", NULL },
			{ "syscalls", "-h", NULL },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct run r = run(bad[i], NULL, false, 0);

			one_line_error(&r, 2);
			assert_non_null(strstr(r.err, "usage: tracediff normalize"));
			done(&r);
		}
	}
}

static void unreadable(void **state)
{
	(void)state;
	NEED_BINARY();
	{
		struct run r = run((const char *[]){ "normalize", "/nonexistent/x.trace", NULL }, NULL, false, 0);

		one_line_error(&r, 1);
		assert_string_equal(r.err, "tracediff: cannot read /nonexistent/x.trace: No such file or directory\n");
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "normalize", "/", NULL }, NULL, false, 0);

		one_line_error(&r, 1);
		assert_string_equal(r.err, "tracediff: cannot read /: Is a directory\n");
		done(&r);
	}
	{
		/* a device is refused, not read until memory runs out (/dev/zero) */
		struct run r = run((const char *[]){ "normalize", "/dev/null", NULL }, NULL, false, 0);

		one_line_error(&r, 1);
		assert_string_equal(r.err, "tracediff: cannot read /dev/null: not a regular file or a pipe\n");
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", fx("go-stall.trace"), "/nonexistent", NULL }, NULL,
				   false, 0);

		one_line_error(&r, 1);
		assert_string_equal(r.err, "tracediff: cannot read /nonexistent: No such file or directory\n");
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", "--html", "/nonexistent/dir/x.html",
						     fx("go-stall.trace"), fx("go-stall.trace"), NULL },
				   NULL, false, 0);

		one_line_error(&r, 1);
		assert_string_equal(r.err,
				    "tracediff: cannot write /nonexistent/dir/x.html: No such file or directory\n");
		done(&r);
	}
}

static void normalize_cmd(void **state)
{
	(void)state;
	NEED_BINARY();
	{
		struct run r = run((const char *[]){ "normalize", fx("c-nonblock-stall.trace"), NULL }, NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_true(strncmp(r.out, "# ctxlab story: c-nonblock-stall.trace (tracediff normalize)\n", 61) == 0);
		assert_non_null(strstr(r.out, "read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily "
					      "unavailable)  xN\n"));
		assert_string_equal(r.err, "");
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "normalize", "--counts", fx("c-nonblock-stall.trace"), NULL }, NULL,
				   false, 0);

		assert_int_equal(r.rc, 0);
		assert_null(strstr(r.out, "  xN"));
		assert_non_null(strstr(r.out, "(Resource temporarily unavailable)  x"));
		done(&r);
	}
	{
		/* garbage in, a (short) story out */
		struct run r = run((const char *[]){ "normalize", fx("edge-binary.trace"), NULL }, NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_string_equal(r.out, "# ctxlab story: edge-binary.trace (tracediff normalize)\n");
		done(&r);
	}
}

/* Writes text to a fresh file under /tmp; path gets its name. */
static void write_temp(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Every line "TID PHASE CALL": digits or "-", one space, the phase padded
 * to 14, one space, the call; no header, no notes, nothing collapsed. */
static void check_calls_format(const char *out)
{
	size_t lines = 0;

	for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
		const char *sp = strchr(line, ' '), *nl = strchr(line, '\n');

		assert_non_null(nl);
		assert_non_null(sp);
		assert_true(sp < nl);
		assert_true((sp == line + 1 && line[0] == '-') ||
			    (sp > line && strspn(line, "0123456789") == (size_t)(sp - line)));
		assert_true(nl - sp > 16);
		assert_true(sp[1] != ' ');
		assert_int_equal(sp[15], ' ');
		assert_true(sp[16] != ' ');
		lines++;
	}
	assert_true(lines > 0);
	assert_null(strstr(out, "  xN"));
	assert_null(strstr(out, "# "));
	assert_null(strstr(out, " repeat "));
}

static void calls_cmd(void **state)
{
	(void)state;
	NEED_BINARY();
	{
		/* Go: the thread that closed the socket, although strace split
		 * the close around another thread's lines */
		struct run r = run((const char *[]){ "normalize", "--calls", fx("go-stall-signals.trace"), NULL }, NULL,
				   false, 0);

		assert_int_equal(r.rc, 0);
		assert_string_equal(r.err, "");
		check_calls_format(r.out);
		assert_non_null(strstr(r.out, "\n4407 close          close(SOCK) = 0\n"));
		done(&r);
	}
	{
		/* every EAGAIN read on its own line */
		struct run r = run((const char *[]){ "normalize", "--calls", "--all", fx("c-nonblock-stall.trace"), NULL },
				   NULL, false, 0);
		size_t eagain = 0;

		assert_int_equal(r.rc, 0);
		check_calls_format(r.out);
		for (const char *p = r.out; (p = strstr(p, " read           read(SOCK, BUF, 128) = -1 EAGAIN")); p++)
			eagain++;
		assert_int_equal(eagain, 169);
		done(&r);
	}
	{
		/* no pid prefixes: "-" */
		char path[] = "/tmp/tracediff-calls.XXXXXX";
		struct run r;

		write_temp(path, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
				 "close(3)                                = 0\n");
		r = run((const char *[]){ "normalize", "--calls", path, NULL }, NULL, false, 0);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.out, "- create         socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = SOCK\n"
					   "- close          close(SOCK) = 0\n");
		done(&r);
		unlink(path);
	}
	{
		/* a saved story: its xN lines cannot be counted back */
		char path[] = "/tmp/tracediff-story.XXXXXX";
		struct run saved = run((const char *[]){ "normalize", fx("c-nonblock-stall.trace"), NULL }, NULL, false, 0);
		struct run r;

		assert_int_equal(saved.rc, 0);
		write_temp(path, saved.out);
		r = run((const char *[]){ "normalize", "--calls", path, NULL }, NULL, false, 0);
		one_line_error(&r, 2);
		assert_string_equal(r.err, "tracediff: normalize --calls needs a raw strace file, not a saved story\n");
		done(&r);
		/* without --calls it is still read back as it was */
		r = run((const char *[]){ "normalize", path, NULL }, NULL, false, 0);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.out, saved.out);
		done(&r);
		done(&saved);
		unlink(path);
	}
}

static size_t widest(const char *out)
{
	size_t w = 0, cur = 0;

	for (const char *p = out; *p; p++) {
		if (*p == '\n') {
			cur = 0;
			continue;
		}
		if (*p == '\033') { /* an escape sequence takes no column */
			while (*p && *p != 'm')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (((unsigned char)*p & 0xc0) != 0x80 && ++cur > w)
			w = cur;
	}
	return w;
}

/* The strace -e trace= list, one line: what labs trace. */
static void syscalls_cmd(void **state)
{
	struct run r;

	(void)state;
	NEED_BINARY();
	r = run((const char *[]){ "syscalls", NULL }, NULL, false, 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "socket,connect,getsockopt,setsockopt,getpeername,getsockname,fcntl,read,write,"
				   "recvfrom,sendto,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2,poll,"
				   "timerfd_create,timerfd_settime,pipe2,eventfd2,socketpair,shutdown,close\n");
	done(&r);
	r = run((const char *[]){ "syscalls", "x", NULL }, NULL, false, 0);
	one_line_error(&r, 2);
	assert_true(strncmp(r.err, "tracediff: syscalls takes no argument, got x; usage: ", 53) == 0);
	done(&r);
}

static void widths_and_colour(void **state)
{
	const char *a = fx("c-deadline-stall.trace"), *b = fx("go-stall.trace");

	(void)state;
	NEED_BINARY();
	{
		/* a pipe, no --width, no COLUMNS: 100 columns, no colour */
		struct run r = run((const char *[]){ "side-by-side", a, b, NULL }, NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_int_equal(widest(r.out), 100);
		assert_null(strchr(r.out, '\033'));
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", a, b, NULL }, (const char *[]){ "COLUMNS=60", NULL },
				   false, 0);

		assert_int_equal(widest(r.out), 60);
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", "--width", "160", a, b, NULL },
				   (const char *[]){ "COLUMNS=60", NULL }, false, 0);

		assert_true(widest(r.out) <= 160);
		assert_true(widest(r.out) > 100);
		done(&r);
	}
	{
		/* a terminal: its width, and colour */
		struct run r = run((const char *[]){ "side-by-side", a, b, NULL }, NULL, true, 77);

		assert_int_equal(r.rc, 0);
		assert_int_equal(widest(r.out), 77);
		assert_non_null(strstr(r.out, "\033["));
		done(&r);
	}
	{
		struct run r = run((const char *[]){ "side-by-side", a, b, NULL }, (const char *[]){ "NO_COLOR=1", NULL },
				   true, 90);

		assert_int_equal(widest(r.out), 90);
		assert_null(strchr(r.out, '\033'));
		done(&r);
	}
}

static void html_file(void **state)
{
	char dir[] = "/tmp/tracediff-html.XXXXXX", path[64];
	size_t len;
	char *page;

	(void)state;
	NEED_BINARY();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.html", dir);
	{
		struct run r = run((const char *[]){ "side-by-side", "--html", path, "--left-title", "C <deadline>",
						     "--right-title=Go & co", fx("c-deadline-stall.trace"),
						     fx("go-stall.trace"), NULL },
				   NULL, false, 0);

		assert_int_equal(r.rc, 0);
		assert_true(strncmp(r.out, "phase          C <deadline>", 27) == 0);
		done(&r);
	}
	page = read_whole_file(path, &len);
	assert_non_null(page);
	assert_true(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
	assert_non_null(strstr(page, "<title>C &lt;deadline&gt; vs Go &amp; co</title>"));
	free(page);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage),
		cmocka_unit_test(unreadable),
		cmocka_unit_test(normalize_cmd),
		cmocka_unit_test(calls_cmd),
		cmocka_unit_test(syscalls_cmd),
		cmocka_unit_test(widths_and_colour),
		cmocka_unit_test(html_file),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
