/* test_tracediff_sbs.c: two stories side by side (align.c,
 * side_by_side.c, html.c): rows aligned by phase, one-sided phases,
 * markers, widths, long calls wrapped (never cut) with every piece in its
 * own column, colour only when asked, the HTML page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"
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
	side_by_side_text(&al, &o, &out);
	alignment_free(&al);
	return sb_take(&out);
}

static void exact_text(void **state)
{
	/* the long calls wrap in their own column: the phase and the marker
	 * only on a row's first line */
	static const char want[] =
		"phase          left.trace                        right.trace\n"
		"-------------- -------------------------------   -------------------------------\n"
		"create                                         > epoll_create1(EPOLL_CLOEXEC)\n"
		"                                                 = EPFD\n"
		"create         socket(AF_INET) = SOCK          | socket(AF_INET6) = SOCK\n"
		"connect        connect(SOCK, 16)                 connect(SOCK, 16)\n"
		"               = -1 EINPROGRESS                  = -1 EINPROGRESS\n"
		"arm-deadline   timerfd_settime(TIMER, TIME)    <\n"
		"               = 0\n"
		"wake                                           > write(WAKE_W, \"...\", N) = N\n"
		"read           read(SOCK, BUF, 128)            | read(SOCK, BUF, 4096)\n"
		"               = -1 EAGAIN                       = -1 EAGAIN\n"
		"deadline       epoll_wait(EPFD,                | epoll_pwait(EPFD, [], 128, T,\n"
		"               [{events=EPOLLIN, data=TIMER}],   NULL, 0) = 0\n"
		"               1, -1) = 1\n"
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
			assert_int_equal(l.lines[row->left].phase, r.lines[row->right].phase);
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
	assert_int_equal(al.rows[3].phase, PHASE_ARM_DEADLINE);
	assert_int_equal(al.rows[4].kind, ROW_RIGHT);
	assert_int_equal(al.rows[4].phase, PHASE_WAKE);
	alignment_free(&al);
	story_free(&l);
	story_free(&r);
}

/* The plain LCS of two string sequences: weight 1 when equal. */
struct keys {
	const char *const *a, *const *b;
};

static unsigned same_key(void *env, size_t i, size_t j)
{
	const struct keys *k = env;

	return strcmp(k->a[i], k->b[j]) == 0;
}

static size_t lcs_pairs(const char *const *a, size_t n, const char *const *b, size_t m, size_t (*pairs)[2])
{
	struct keys k = { a, b };

	return wlcs_pairs(n, m, same_key, &k, pairs);
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
	size_t len;
	char *text = read_fixture(name, &len);

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
					    "{sa_family=AF_INET,\n"
					    "                                                           sin_port=htons(PORT),\n"
					    "                                                           "
					    "sin_addr=inet_addr(\"127.0.0.1\")},\n"
					    "                                                           [112 => 16]) = 0\n"));
		assert_non_null(strstr(out, "\narm-deadline   timerfd_settime(TIMER, TFD_TIMER_ABSTIME, <\n"
					    "               {it_interval=0, it_value=TIME}, NULL) = 0\n"));
		assert_non_null(strstr(out, "\nderegister     epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK,      | "
					    "epoll_ctl(EPFD, EPOLL_CTL_DEL, SOCK, PTR)\n"
					    "               NULL) = 0                                   = 0\n"));
		/* lab 4 is about what this wait returned: data=TIMER is shown */
		assert_non_null(strstr(out, "\ndeadline       epoll_wait(EPFD, [{events=EPOLLIN,        | "
					    "epoll_pwait(EPFD, [], 128, T, NULL,\n"
					    "               data=TIMER}], 1, -1) = 1                    IGNORED) = 0\n"));
		assert_null(strstr(out, "\xe2\x80\xa6"));
		free(out);
	}
	story_free(&l);
	story_free(&r);
}


/* wrap_text(s, width) gives exactly the pieces of want (NULL-terminated). */
static void expect_pieces(const char *s, size_t width, const char *const *want)
{
	struct strvec got = { 0 };
	size_t n = 0;

	wrap_text(s, width, &got);
	while (want[n])
		n++;
	for (size_t i = 0; i < got.n || i < n; i++) {
		if (i >= got.n || i >= n || strcmp(got.v[i], want[i]) != 0)
			fail_msg("\"%s\" at %zu: piece %zu is \"%s\", want \"%s\"", s, width, i,
				 i < got.n ? got.v[i] : "(none)", i < n ? want[i] : "(none)");
		assert_true(text_width(got.v[i]) <= (width ? width : 1));
	}
	sv_free(&got);
}

static void wrapping(void **state)
{
	(void)state;
	/* fits: one piece, as it is; nothing: one empty piece */
	expect_pieces("close(SOCK) = 0", 41, (const char *[]){ "close(SOCK) = 0", NULL });
	expect_pieces("", 10, (const char *[]){ "", NULL });
	/* lab 4's wait at 100 columns: cut after ", ", data=TIMER whole */
	expect_pieces("epoll_wait(EPFD, [{events=EPOLLIN, data=TIMER}], 1, -1) = 1", 41,
		      (const char *[]){ "epoll_wait(EPFD, [{events=EPOLLIN,", "data=TIMER}], 1, -1) = 1", NULL });
	/* the result stays whole with its "=" when that is nearly as far */
	expect_pieces("connect(SOCK, 16) = -1 EINPROGRESS", 31,
		      (const char *[]){ "connect(SOCK, 16)", "= -1 EINPROGRESS", NULL });
	/* ... but not at the price of a half-empty line */
	expect_pieces("read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)", 41,
		      (const char *[]){ "read(SOCK, BUF, 128) = -1 EAGAIN", "(Resource temporarily unavailable)",
					NULL });
	/* a run of spaces at a break goes, however long */
	expect_pieces("a    b", 3, (const char *[]){ "a", "b", NULL });
	expect_pieces("abc   ", 4, (const char *[]){ "abc", NULL });
	/* UTF-8 counts by characters */
	expect_pieces("h\xc3\xa9llo w\xc3\xb6rld", 6, (const char *[]){ "h\xc3\xa9llo", "w\xc3\xb6rld", NULL });
	/* width 0 means 1: still terminates, still every character */
	expect_pieces("ab c", 0, (const char *[]){ "a", "b", "c", NULL });
}

static void token_wider_than_the_column(void **state)
{
	(void)state;
	/* cut at a word's edge in the second half of the line: the flags
	 * stay whole */
	expect_pieces("SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP", 15,
		      (const char *[]){ "SOCK_STREAM|", "SOCK_CLOEXEC|", "SOCK_NONBLOCK,", "IPPROTO_IP", NULL });
	/* a placeholder is not split when an edge is near: "(" ends the line */
	expect_pieces("epoll_ctl(EPFD,", 12, (const char *[]){ "epoll_ctl(", "EPFD,", NULL });
	/* no edge in the second half: exactly width columns */
	expect_pieces("abcdefghijklmnopqrstuvwxyz", 10,
		      (const char *[]){ "abcdefghij", "klmnopqrst", "uvwxyz", NULL });
	/* a soft break before the long token, hard cuts only inside it */
	expect_pieces("x, EPOLLIN|EPOLLOUT|EPOLLRDHUP", 12,
		      (const char *[]){ "x,", "EPOLLIN|", "EPOLLOUT|", "EPOLLRDHUP", NULL });
	/* a line of its own for "=" is no better than a cut inside the value */
	expect_pieces("= EPOLLIN|EPOLLOUT|EPOLLRDHUP", 12,
		      (const char *[]){ "= EPOLLIN|", "EPOLLOUT|", "EPOLLRDHUP", NULL });
}

/* The columns [from, to) of a line (UTF-8 counted as text_width does),
 * without the trailing spaces the table pads with. */
static char *columns(const char *line, size_t from, size_t to)
{
	size_t i = 0, col = 0, start;

	while (line[i] && col < from) {
		i++;
		while (((unsigned char)line[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	start = i;
	while (line[i] && col < to) {
		i++;
		while (((unsigned char)line[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	while (i > start && line[i - 1] == ' ')
		i--;
	return strndup(line + start, i - start);
}

/* The property the wrapping promises: text == p0 g0 p1 g1 ... pN gN, the
 * pieces in order, every g a run of spaces, and a break without spaces
 * (g empty) only inside a token wider than the column. An empty text is
 * one empty piece. */
static void joins_back(const char *text, const struct strvec *pieces, size_t width, const char *where)
{
	size_t at = 0, len = strlen(text);

	if (pieces->n == 0)
		fail_msg("%s: no piece for \"%s\"", where, text);
	for (size_t k = 0; k < pieces->n; k++) {
		const char *p = pieces->v[k];
		size_t n = strlen(p), gap = 0;

		if (k > 0) {
			while (text[at] == ' ') {
				at++;
				gap++;
			}
			if (gap == 0) { /* a hard break: the token must be too wide */
				size_t a = at, b = at;

				while (a > 0 && text[a - 1] != ' ')
					a--;
				while (text[b] && text[b] != ' ')
					b++;
				if (b - a <= width)
					fail_msg("%s: \"%.*s\" (%zu columns) was cut at %zu columns:\n%s", where,
						 (int)(b - a), text + a, b - a, width, text);
			}
			if (n == 0)
				fail_msg("%s: an empty piece %zu in \"%s\"", where, k, text);
		}
		if (strncmp(text + at, p, n) != 0)
			fail_msg("%s: piece %zu \"%s\" is not at \"%s\" of:\n%s", where, k, p, text + at, text);
		at += n;
	}
	while (text[at] == ' ')
		at++;
	if (at != len)
		fail_msg("%s: \"%s\" lost its end \"%s\"", where, text, text + at);
}

/* The pieces of a cell, top to bottom; once a cell is done its column
 * stays blank to the end of the row. */
static void take_piece(struct strvec *cell, bool *done, char *piece)
{
	if (*done || (piece[0] == '\0' && cell->n > 0)) {
		if (piece[0] != '\0')
			fail_msg("a piece below a blank line of its cell: \"%s\"", piece);
		*done = true;
		free(piece);
		return;
	}
	sv_push(cell, piece);
}

/* Reads the table back: the titles, every row's cells and the notes must
 * join back into the whole text they show, each in its own column, the
 * phase and marker only on a row's first line. */
static void check_table(const char *out, const struct story *l, const struct story *r, int width)
{
	size_t avail = (size_t)width - 15 - 3, lw = avail / 2;
	size_t lstart = 15, mstart = 15 + lw, rstart = mstart + 3;
	char *copy = strdup(out), *save = NULL, where[256];
	struct alignment al;
	char *line = strtok_r(copy, "\n", &save);

	align_stories(l, r, &al);
	/* rows, from the title row (-1) on */
	for (long i = -1; i < (long)al.n; i++) {
		struct strvec left = { 0 }, right = { 0 };
		bool ldone = false, rdone = false;
		const char *phase = i < 0 ? "phase" : phase_name(al.rows[i].phase);
		const char *lt = i < 0 ? l->name : al.rows[i].left >= 0 ? l->lines[al.rows[i].left].text : "";
		const char *rt = i < 0 ? r->name : al.rows[i].right >= 0 ? r->lines[al.rows[i].right].text : "";

		snprintf(where, sizeof(where), "%s vs %s at %d, row %ld", l->name, r->name, width, i);
		assert_non_null(line);
		if (strncmp(line, phase, strlen(phase)) != 0 || line[strlen(phase)] != ' ')
			fail_msg("%s: \"%s\" does not start with its phase %s", where, line, phase);
		for (bool first = true; line && (first || line[0] == ' '); first = false) {
			char *mark = columns(line, mstart, rstart);

			if (text_width(line) > (size_t)width)
				fail_msg("%s: %zu columns: %s", where, text_width(line), line);
			if (!first) {
				char *blank = columns(line, 0, lstart);

				assert_string_equal(blank, ""); /* no phase on a continuation line */
				assert_string_equal(mark, "");  /* nor a marker */
				free(blank);
			}
			free(mark);
			take_piece(&left, &ldone, columns(line, lstart, mstart));
			take_piece(&right, &rdone, columns(line, rstart, (size_t)width));
			line = strtok_r(NULL, "\n", &save);
		}
		if (left.n == 0)
			sv_push(&left, strdup(""));
		if (right.n == 0)
			sv_push(&right, strdup(""));
		joins_back(lt, &left, lw, where);
		joins_back(rt, &right, avail - lw, where);
		sv_free(&left);
		sv_free(&right);
		if (i < 0) { /* the rule */
			assert_non_null(line);
			assert_true(strncmp(line, "-------------- ", 15) == 0);
			line = strtok_r(NULL, "\n", &save);
		}
	}
	/* the notes: "# TITLE: note", continued on lines starting "#   " */
	for (int side = 0; side < 2; side++) {
		const struct story *s = side ? r : l;

		for (size_t k = 0; k < s->notes.n; k++) {
			struct strvec pieces = { 0 };
			char *want;

			assert_non_null(line);
			assert_true(strncmp(line, "# ", 2) == 0);
			sv_push(&pieces, strdup(line + 2));
			for (line = strtok_r(NULL, "\n", &save); line && strncmp(line, "#   ", 4) == 0;
			     line = strtok_r(NULL, "\n", &save)) {
				assert_true(text_width(line) <= (size_t)width);
				sv_push(&pieces, strdup(line + 4));
			}
			assert_int_equal(asprintf(&want, "%s: %s", s->name, s->notes.v[k]) > 0, 1);
			joins_back(want, &pieces, (size_t)width - 4, "a note");
			free(want);
			sv_free(&pieces);
		}
	}
	assert_null(line); /* nothing else */
	alignment_free(&al);
	free(copy);
}

/* Every line of every fixture, left and right, at 30, 60 and 100 columns:
 * its pieces give the whole call back. */
static void every_call_whole(void **state)
{
	static const int W[] = { 30, 60, 100 };
	size_t n;
	const char *const *fixtures = trace_fixtures(&n);
	struct story *s = calloc(n, sizeof(*s));

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		load_fixture(fixtures[i], &s[i]);
	for (size_t w = 0; w < sizeof(W) / sizeof(W[0]); w++) {
		for (size_t i = 0; i < n; i++) {
			/* each fixture once on each side, against a different one */
			const struct story *right = &s[(i + 1) % n];
			struct alignment al;
			char *out = render(&s[i], right, W[w], false);

			check_table(out, &s[i], right, W[w]);
			align_stories(&s[i], right, &al);
			alignment_free(&al);
			free(out);
		}
	}
	for (size_t i = 0; i < n; i++)
		story_free(&s[i]);
	free(s);
}

/* One side long, the other short: the short cell's column stays blank
 * below it, the long one goes on in its own column. */
static void one_side_wraps(void **state)
{
	static const char L[] = "# ctxlab story: c (tracediff normalize)\n"
				"deadline       epoll_wait(EPFD, [{events=EPOLLIN, data=TIMER}], 1, -1) = 1\n";
	static const char R[] = "# ctxlab story: go (tracediff normalize)\n"
				"deadline       epoll_pwait(EPFD, [], 128, T) = 0\n";
	static const char want[] = "phase          c                                 go\n"
				   "-------------- -------------------------------   -------------------------------\n"
				   "deadline       epoll_wait(EPFD,                | epoll_pwait(EPFD, [], 128, T)\n"
				   "               [{events=EPOLLIN, data=TIMER}],   = 0\n"
				   "               1, -1) = 1\n";
	static const char want_right_only[] =
		"phase          go                                c\n"
		"-------------- -------------------------------   -------------------------------\n"
		"deadline       epoll_pwait(EPFD, [], 128, T)   | epoll_wait(EPFD,\n"
		"               = 0                               [{events=EPOLLIN, data=TIMER}],\n"
		"                                                 1, -1) = 1\n";
	struct story l, r;
	char *out;

	(void)state;
	load(L, &l);
	load(R, &r);
	out = render(&l, &r, 80, false);
	assert_string_equal(out, want);
	free(out);
	out = render(&r, &l, 80, false);
	assert_string_equal(out, want_right_only);
	free(out);
	story_free(&l);
	story_free(&r);
}

/* 30 columns, the least --width takes: 6-column cells, still every
 * character, a one-sided row's continuation lines blank on the other side */
static void narrowest(void **state)
{
	static const char L[] = "# ctxlab story: l (tracediff normalize)\n"
				"close          close(SOCK) = 0\n";
	static const char R[] = "# ctxlab story: r (tracediff normalize)\n"
				"wake           write(WAKE_W, \"...\", N) = N\n";
	static const char want[] = "phase          l        r\n"
				   "-------------- ------   ------\n"
				   "close          close( <\n"
				   "               SOCK)\n"
				   "               = 0\n"
				   "wake                  > write(\n"
				   "                        WAKE_W\n"
				   "                        ,\n"
				   "                        \"...\",\n"
				   "                        N) = N\n";
	struct story l, r;
	char *out;

	(void)state;
	load(L, &l);
	load(R, &r);
	out = render(&l, &r, 30, false);
	assert_string_equal(out, want);
	check_table(out, &l, &r, 30);
	free(out);
	/* narrower than 30 is drawn at 30 */
	out = render(&l, &r, 10, false);
	assert_string_equal(out, want);
	free(out);
	story_free(&l);
	story_free(&r);
}

/* A long note wraps, its continuation lines start "#   ". */
static void notes_wrap(void **state)
{
	static const char S[] = "# ctxlab story: go-stall.trace (tracediff normalize)\n"
				"close          close(SOCK) = 0\n"
				"# runtime poller, not shown: N empty polls (timeout 0), N repeated timeouts, "
				"N waits idle at exit, N wake-pipe calls\n";
	struct story s;
	char *out;

	(void)state;
	load(S, &s);
	out = render(&s, &s, 60, false);
	assert_non_null(strstr(out, "\n# go-stall.trace: runtime poller, not shown: N empty polls\n"
				    "#   (timeout 0), N repeated timeouts, N waits idle at exit,\n"
				    "#   N wake-pipe calls\n"
				    "# go-stall.trace: runtime poller,"));
	check_table(out, &s, &s, 60);
	free(out);
	story_free(&s);
}

static void colour_only_when_asked(void **state)
{
	static const int W[] = { 60, 100 };
	struct story l, r;

	(void)state;
	load(LEFT, &l);
	load(RIGHT, &r);
	for (size_t k = 0; k < sizeof(W) / sizeof(W[0]); k++) {
		char *out = render(&l, &r, W[k], true);
		char *plain = render(&l, &r, W[k], false), *strip = strdup(out), *w = strip;
		char *copy = strdup(out), *save = NULL;
		size_t continuations = 0;

		assert_non_null(strstr(out, "\033["));
		/* escape codes do not count as columns: the plain text is the same */
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
		/* every line resets what it sets, so each line of a wrapped row
		 * shows right alone (a pager, grep) and no colour runs into the
		 * next line; continuation lines are blank where colour goes (the
		 * phase and the marker), so they carry no escape at all */
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *last_escape = strrchr(line, '\033');

			if (last_escape)
				assert_true(strncmp(last_escape, "\033[0m", 4) == 0);
			if (strncmp(line, "               ", 15) == 0) {
				continuations++;
				assert_null(last_escape);
			}
		}
		assert_true(continuations >= (W[k] == 60 ? 5 : 1));
		free(copy);
		free(plain);
		free(strip);
		free(out);
	}
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
	side_by_side_html(&al, &(struct sbs_opts){ .right_title = "right \"title\" <i>" }, &out);
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
	/* the page shows every call whole, never cut */
	load(LEFT, &l);
	align_stories(&l, &r, &al);
	side_by_side_html(&al, &(struct sbs_opts){ 0 }, &out);
	assert_non_null(strstr(sb_str(&out), "<td class=\"l\">epoll_wait(EPFD, [{events=EPOLLIN, data=TIMER}], 1, -1) "
					      "= 1</td>"));
	assert_null(strstr(sb_str(&out), "\xe2\x80\xa6"));
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
		cmocka_unit_test(wrapping),
		cmocka_unit_test(token_wider_than_the_column),
		cmocka_unit_test(every_call_whole),
		cmocka_unit_test(one_side_wraps),
		cmocka_unit_test(narrowest),
		cmocka_unit_test(notes_wrap),
		cmocka_unit_test(colour_only_when_asked),
		cmocka_unit_test(fitting),
		cmocka_unit_test(html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
