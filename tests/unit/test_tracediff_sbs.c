/* test_tracediff_sbs.c: two stories side by side (align.h,
 * side_by_side.h, html.h): rows aligned by phase, one-sided phases,
 * markers, widths, colour only when asked, the HTML page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracediff/align.h"
#include "tracediff/html.h"
#include "tracediff/side_by_side.h"
#include "tracediff/story_io.h"
#include "tracediff_fixture.h"

static const char LEFT[] = "# ctxlab story: left.trace (tracediff normalize)\n"
			   "create         socket(AF_INET) = SOCK\n"
			   "connect        connect(SOCK, 16) = -1 EINPROGRESS\n"
			   "arm-deadline   timerfd_settime(TIMER, TIME) = 0\n"
			   "read           read(SOCK, BUF, 128) = -1 EAGAIN\n"
			   "deadline       epoll_wait(EPFD, [{events=EPOLLIN, data=TIMER}], 1, -1) = 1\n"
			   "close          close(SOCK) = 0\n"
			   "close          close(TIMER) = 0\n";

static const char RIGHT[] = "# ctxlab story: right.trace (tracediff normalize)\n"
			    "create         epoll_create1(EPOLL_CLOEXEC) = EPFD\n"
			    "create         socket(AF_INET6) = SOCK\n"
			    "connect        connect(SOCK, 16) = -1 EINPROGRESS\n"
			    "wake           write(WAKE_W, \"...\", N) = N\n"
			    "read           read(SOCK, BUF, 4096) = -1 EAGAIN\n"
			    "deadline       epoll_pwait(EPFD, [], 128, T, NULL, 0) = 0\n"
			    "close          close(SOCK) = 0\n"
			    "# runtime poller, not shown: N empty polls\n";

static void load(const char *text, struct story *s)
{
	story_load(text, strlen(text), "unused", s);
}

static char *render(const struct story *l, const struct story *r, int width, bool colour)
{
	struct alignment al;
	struct sbs_opts o = { .width = width, .colour = colour };
	struct sbuf out = { 0 };

	align_stories(l, r, &al);
	side_by_side_text(l, r, &al, &o, &out);
	alignment_free(&al);
	return sb_take(&out);
}

static void exact_text(void **state)
{
	static const char want[] =
		"phase          left.trace                        right.trace\n"
		"-------------- -------------------------------   -------------------------------\n"
		"create                                         > epoll_create1(EPOLL_CLOEXEC) =…\n"
		"create         socket(AF_INET) = SOCK          | socket(AF_INET6) = SOCK\n"
		"connect        connect(SOCK, 16) = -1 EINPROG…   connect(SOCK, 16) = -1 EINPROG…\n"
		"arm-deadline   timerfd_settime(TIMER, TIME) =… <\n"
		"wake                                           > write(WAKE_W, \"...\", N) = N\n"
		"read           read(SOCK, BUF, 128) = -1 EAGA… | read(SOCK, BUF, 4096) = -1 EAG…\n"
		"deadline       epoll_wait(EPFD, [{events=EPOL… | epoll_pwait(EPFD, [], 128, T, …\n"
		"close          close(SOCK) = 0                   close(SOCK) = 0\n"
		"close          close(TIMER) = 0                <\n"
		"# right.trace: runtime poller, not shown: N empty polls\n";
	struct story l, r;
	char *out;

	(void)state;
	load(LEFT, &l);
	load(RIGHT, &r);
	out = render(&l, &r, 80, false);
	assert_string_equal(out, want);
	free(out);
	story_free(&l);
	story_free(&r);
}

static void alignment_rows(void **state)
{
	struct story l, r;
	struct alignment al;
	size_t left_only = 0, right_only = 0;

	(void)state;
	load(LEFT, &l);
	load(RIGHT, &r);
	align_stories(&l, &r, &al);
	assert_int_equal(al.n, 9);
	for (size_t i = 0; i < al.n; i++) {
		const struct align_row *row = &al.rows[i];

		if (row->left >= 0 && row->right >= 0) {
			/* the same phase on both sides of a row */
			assert_string_equal(l.lines[row->left].phase, r.lines[row->right].phase);
			assert_int_equal(row->kind, strcmp(l.lines[row->left].text, r.lines[row->right].text) == 0
							    ? ROW_SAME
							    : ROW_DIFF);
		}
		left_only += row->kind == ROW_LEFT;
		right_only += row->kind == ROW_RIGHT;
	}
	/* every line shows up exactly once */
	assert_int_equal(al.n * 2 - left_only - right_only, l.n + r.n);
	/* arm-deadline and wake are one-sided */
	assert_int_equal(al.rows[3].kind, ROW_LEFT);
	assert_string_equal(al.rows[3].phase, "arm-deadline");
	assert_int_equal(al.rows[4].kind, ROW_RIGHT);
	assert_string_equal(al.rows[4].phase, "wake");
	alignment_free(&al);
	story_free(&l);
	story_free(&r);
}

static void lcs(void **state)
{
	static const char *const a[] = { "create", "connect", "create", "register", "close" };
	static const char *const b[] = { "create", "register", "create", "connect", "register", "close" };
	size_t pairs[5][2];
	size_t n;

	(void)state;
	n = lcs_pairs(a, 5, b, 6, pairs);
	assert_int_equal(n, 4);
	/* the first of the equally long answers: left-only rows first */
	assert_int_equal(pairs[0][0], 0);
	assert_int_equal(pairs[0][1], 0);
	assert_int_equal(pairs[3][0], 4);
	assert_int_equal(pairs[3][1], 5);
	assert_int_equal(lcs_pairs(a, 0, b, 6, pairs), 0);
	assert_int_equal(line_similarity("close(SOCK) = 0", "close(SOCK) = 0"), SIMILAR_SAME);
	assert_int_equal(line_similarity("epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, x) = 0",
					 "epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, y) = 0"),
			 4);
	assert_int_equal(line_similarity("epoll_ctl(EPFD, EPOLL_CTL_ADD, TIMER, x) = 0",
					 "epoll_ctl(EPFD, EPOLL_CTL_ADD, SOCK, x) = 0"),
			 3);
	assert_int_equal(line_similarity("read(SOCK) = 0", "write(SOCK) = 0"), 0);
}


static void load_fixture(const char *name, struct story *s)
{
	char path[1024];
	size_t len;
	char *text = read_whole_file(fixture_path(name, path, sizeof(path)), &len);

	if (!text)
		fail_msg("cannot read %s (run from the repository root)", path);
	story_load(text, len, name, s);
	free(text);
}

/* Every line of out fits in width columns; no escape codes. */
static void check_width(const char *out, size_t width)
{
	char *copy = strdup(out), *save = NULL;
	size_t lines = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (text_width(line) > width)
			fail_msg("%zu columns > %zu: %s", text_width(line), width, line);
		assert_null(strchr(line, '\033'));
		lines++;
	}
	assert_true(lines > 10);
	free(copy);
}

static void widths(void **state)
{
	static const int W[] = { 30, 60, 100, 160, 400 };
	struct story l, r;

	(void)state;
	load_fixture("c-deadline-stall.trace", &l);
	load_fixture("go-stall.trace", &r);
	for (size_t i = 0; i < sizeof(W) / sizeof(W[0]); i++) {
		char *out = render(&l, &r, W[i], false);

		check_width(out, (size_t)W[i]);
		free(out);
	}
	{
		/* at 100 columns, the rows a lab looks at */
		char *out = render(&l, &r, 100, false);

		assert_non_null(strstr(out, "\nclose          close(SOCK) = 0                             close(SOCK) = 0\n"));
		assert_non_null(strstr(out, "\nconfigure                                                > getpeername(SOCK, "
					    "{sa_family=AF_INET, si…\n"));
		assert_non_null(strstr(out, "\narm-deadline   timerfd_settime(TIMER, TFD_TIMER_ABSTIME… <\n"));
		assert_non_null(strstr(out, "\nderegister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, NUL… | "
					    "epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, PTR…\n"));
		free(out);
	}
	story_free(&l);
	story_free(&r);
}

static void colour_only_when_asked(void **state)
{
	struct story l, r;
	char *out;

	(void)state;
	load(LEFT, &l);
	load(RIGHT, &r);
	out = render(&l, &r, 100, true);
	assert_non_null(strstr(out, "\033["));
	/* escape codes do not count as columns: the plain text is the same */
	{
		char *plain = render(&l, &r, 100, false), *strip = strdup(out), *w = strip;

		for (const char *p = out; *p;) {
			if (*p == '\033') {
				while (*p && *p != 'm')
					p++;
				if (*p)
					p++;
				continue;
			}
			*w++ = *p++;
		}
		*w = '\0';
		assert_string_equal(strip, plain);
		free(plain);
		free(strip);
	}
	free(out);
	story_free(&l);
	story_free(&r);
}

static void fitting(void **state)
{
	char *s;

	(void)state;
	s = fit_text("abcdef", 4);
	assert_string_equal(s, "abc…");
	free(s);
	s = fit_text("abcd", 4);
	assert_string_equal(s, "abcd");
	free(s);
	s = fit_text("h\xc3\xa9llo w\xc3\xb6rld", 6);
	assert_string_equal(s, "h\xc3\xa9llo…");
	assert_int_equal(text_width(s), 6);
	free(s);
	s = fit_text("x", 0);
	assert_string_equal(s, "");
	free(s);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void html(void **state)
{
	static const char NASTY[] = "# ctxlab story: <b>&\"x\" (tracediff normalize)\n"
				    "send           write(SOCK, \"<script>alert('&')</script>\", N) = N\n"
				    "weird<phase>   x\n";
	struct story l, r;
	struct alignment al;
	struct sbuf out = { 0 };
	const char *body;

	(void)state;
	load(NASTY, &l);
	load(RIGHT, &r);
	align_stories(&l, &r, &al);
	side_by_side_html(&l, &r, &al, NULL, "right \"title\" <i>", &out);
	assert_true(strncmp(sb_str(&out), "<!DOCTYPE html>\n", 16) == 0);
	assert_non_null(strstr(sb_str(&out), "</html>\n"));
	assert_non_null(strstr(sb_str(&out), "<style>"));
	/* self-contained: no scripts, no fetched assets */
	assert_null(strstr(sb_str(&out), "<script"));
	assert_null(strstr(sb_str(&out), "src="));
	assert_null(strstr(sb_str(&out), "<link"));
	/* escaped */
	assert_non_null(strstr(sb_str(&out), "&lt;b&gt;&amp;&quot;x&quot;"));
	assert_non_null(strstr(sb_str(&out), "write(SOCK, &quot;&lt;script&gt;alert(&#39;&amp;&#39;)&lt;/script&gt;"));
	assert_non_null(strstr(sb_str(&out), "right &quot;title&quot; &lt;i&gt;"));
	assert_non_null(strstr(sb_str(&out), ">weird&lt;phase&gt;</td>"));
	/* one row per aligned line, kinds as classes, a legend entry per phase */
	body = strstr(sb_str(&out), "<tbody>");
	assert_non_null(body);
	assert_int_equal(count(body, "<tr class="), al.n);
	assert_int_equal(count(body, "<tr class=\"right\">") + count(body, "<tr class=\"left\">") +
				 count(body, "<tr class=\"same\">") + count(body, "<tr class=\"diff\">"),
			 al.n);
	assert_non_null(strstr(sb_str(&out), "<div class=\"legend\"><span style=\"background:"));
	assert_int_equal(count(sb_str(&out), "<tr"), al.n + 1); /* and the header row */
	assert_int_equal(count(sb_str(&out), "<td"), 4 * al.n);
	assert_int_equal(count(sb_str(&out), "</td>"), 4 * al.n);
	sb_free(&out);
	alignment_free(&al);
	story_free(&l);
	story_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_text),
		cmocka_unit_test(alignment_rows),
		cmocka_unit_test(lcs),
		cmocka_unit_test(widths),
		cmocka_unit_test(colour_only_when_asked),
		cmocka_unit_test(fitting),
		cmocka_unit_test(html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
