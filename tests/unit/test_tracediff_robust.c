/* test_tracediff_robust.c: no input makes tracediff crash (these tests run
 * under ASan and UBSan): empty, binary, garbage, huge and cut-off traces,
 * and thousands of seeded mutations of the fixtures pushed through
 * normalize, side-by-side and the HTML page. And the same input always
 * gives the same bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"
#include "tracediff_fixture.h"

/* Everything tracediff does with two inputs. */
static void exercise(const char *a, size_t alen, const char *b, size_t blen)
{
	struct sbuf out = { 0 };
	struct story l, r;
	struct alignment al;
	struct sbs_opts o = { .width = 60, .colour = true };

	normalize_text(a, alen, "a", false, false, &out);
	normalize_text(a, alen, "a", true, false, &out);
	story_load(a, alen, "a", &l);
	story_load(b, blen, "b", &r);
	align_stories(&l, &r, &al);
	side_by_side_text(&al, &o, &out);
	side_by_side_html(&al, &(struct sbs_opts){ .left_title = "a", .right_title = "b" }, &out);
	alignment_free(&al);
	story_free(&l);
	story_free(&r);
	sb_free(&out);
}

static void every_fixture(void **state)
{
	size_t n;
	const char *const *fixtures = trace_fixtures(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		size_t alen, blen;
		char *a = read_fixture(fixtures[i], &alen);
		char *b = read_fixture(fixtures[(i + 7) % n], &blen);

		exercise(a, alen, b, blen);
		/* and against itself, and its own story read back */
		exercise(a, alen, a, alen);
		{
			struct sbuf story = { 0 };

			normalize_text(a, alen, fixtures[i], false, false, &story);
			exercise(story.s, story.len, a, alen);
			sb_free(&story);
		}
		free(a);
		free(b);
	}
}

static void empty_and_binary(void **state)
{
	static const char *const empty_story = "# ctxlab story: x (tracediff normalize)\n";
	struct sbuf out = { 0 };
	unsigned char bin[4096];

	(void)state;
	normalize_text("", 0, "x", false, false, &out);
	assert_string_equal(sb_str(&out), empty_story);
	sb_free(&out);
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 131 + 7);
	normalize_text((const char *)bin, sizeof(bin), "x", false, false, &out);
	sb_free(&out);
	exercise((const char *)bin, sizeof(bin), "", 0);
	exercise("\n\n\n", 3, "\0\0\0", 3);
	exercise("# ctxlab story: ", 16, "# ctxlab story: x", 17);
}

static void huge_lines(void **state)
{
	size_t n = 300000;
	char *big = malloc(n + 64);

	(void)state;
	assert_non_null(big);
	/* a call whose one string is 300 KB, unterminated */
	memcpy(big, "write(3, \"", 10);
	memset(big + 10, 'A', n);
	strcpy(big + 10 + n, "\"..., 7) = 7\n");
	exercise(big, strlen(big), big, strlen(big));
	/* deep brackets, no string */
	memset(big, '[', n);
	memcpy(big, "read(3, ", 8);
	big[n] = '\0';
	exercise(big, n, "", 0);
	/* many events= and no data= in one wait */
	{
		struct sbuf b = { 0 };

		sb_puts(&b, "epoll_create1(0) = 4\nepoll_wait(4, [");
		for (int i = 0; i < 20000; i++)
			sb_puts(&b, "{events=EPOLLIN, ");
		sb_puts(&b, "data=}], 1, -1) = 1\n");
		exercise(b.s, b.len, b.s, b.len);
		sb_free(&b);
	}
	free(big);
}

/* A small deterministic PRNG (xorshift), so a failure can be replayed. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char *const TOKENS[] = {
	"<unfinished ...>", "<... read resumed>", "<... epoll_pwait resumed> <unfinished ...>) = ?",
	"(", ")", "\"", "\\", "[", "]", "{", "}", " = ", "\n", "0x7fff00001234", "data={u32=",
	"u64=", "{fd=", "3<", "<TCP:[127.0.0.1:1->", ">", "htons(", "[pid 9] ", "42 ", "--- SIGURG ---",
	"+++ exited with 0 +++", "= ?", " <0.000001>", "EPOLL_CTL_ADD, ", "events=EPOLLIN", "left {",
	"it_value=", "close(3) = 0\n", "socket(AF_INET, SOCK_STREAM, 0) = 3\n", "pipe2([4, 5], 0) = 0\n",
	"epoll_ctl(3, EPOLL_CTL_ADD, 4, {events=EPOLLIN, data={u32=4, u64=4}}) = 0\n", "\0", "\xff",
};

static char *mutate(const char *in, size_t len, size_t *out_len)
{
	struct sbuf b = { 0 };
	size_t edits = 1 + rnd() % 8;

	sb_put(&b, in, len);
	for (size_t e = 0; e < edits; e++) {
		size_t at = b.len ? rnd() % (b.len + 1) : 0;

		switch (rnd() % 5) {
		case 0: /* flip a byte */
			if (at < b.len)
				b.s[at] = (char)rnd();
			break;
		case 1: { /* insert a token */
			const char *t = TOKENS[rnd() % (sizeof(TOKENS) / sizeof(TOKENS[0]))];
			size_t tl = t[0] ? strlen(t) : 1;
			struct sbuf c = { 0 };

			sb_put(&c, b.s ? b.s : "", at);
			sb_put(&c, t, tl);
			sb_put(&c, b.s ? b.s + at : "", b.len - at);
			sb_free(&b);
			b = c;
			break;
		}
		case 2: /* cut the end off */
			b.len = at;
			if (b.s)
				b.s[b.len] = '\0';
			break;
		case 3: { /* delete a stretch */
			size_t n = rnd() % 64;

			if (at + n > b.len)
				n = b.len - at;
			if (b.s)
				memmove(b.s + at, b.s + at + n, b.len - at - n + 1);
			b.len -= n;
			break;
		}
		default: { /* duplicate a stretch */
			size_t n = rnd() % 200;
			char *copy;

			if (at + n > b.len)
				n = b.len - at;
			copy = malloc(n + 1);
			assert_non_null(copy);
			memcpy(copy, b.s ? b.s + at : "", n);
			sb_put(&b, copy, n);
			free(copy);
			break;
		}
		}
	}
	*out_len = b.len;
	return sb_take(&b);
}

static void mutations(void **state)
{
	size_t n;
	const char *const *fixtures = trace_fixtures(&n);

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = read_fixture(fixtures[i], &len);
		/* the big ones less often: this runs under ASan */
		int rounds = len > 20000 ? 15 : 120;

		for (int k = 0; k < rounds; k++) {
			size_t mlen;
			char *m = mutate(text, len, &mlen);

			exercise(m, mlen, text, len);
			free(m);
		}
		free(text);
	}
}

static void deterministic(void **state)
{
	size_t n;
	const char *const *fixtures = trace_fixtures(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = read_fixture(fixtures[i], &len);
		struct sbuf a = { 0 }, b = { 0 };

		normalize_text(text, len, "same", false, false, &a);
		normalize_text(text, len, "same", false, false, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(sb_str(&a), sb_str(&b), a.len);
		/* and a saved story read back prints the same bytes */
		sb_free(&b);
		normalize_text(a.s, a.len, "other", false, false, &b);
		assert_string_equal(sb_str(&a), sb_str(&b));
		sb_free(&a);
		sb_free(&b);
		free(text);
	}
}

/* The tests that run over every fixture see every *.trace in the folder. */
static void fixture_list_is_the_folder(void **state)
{
	size_t n, found = 0;
	const char *const *fixtures = trace_fixtures(&n);
	char dir_path[1024], *slash;
	DIR *dir;
	struct dirent *e;

	(void)state;
	fixture_path("x", dir_path, sizeof(dir_path));
	slash = strrchr(dir_path, '/');
	*slash = '\0';
	dir = opendir(dir_path);
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name), k;

		if (len < 6 || strcmp(e->d_name + len - 6, ".trace") != 0)
			continue;
		found++;
		for (k = 0; k < n && strcmp(fixtures[k], e->d_name) != 0; k++)
			;
		if (k == n)
			fail_msg("%s/%s is not in tracediff_fixture.h's trace_fixtures()", dir_path, e->d_name);
	}
	closedir(dir);
	assert_int_equal(found, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixture_list_is_the_folder),
		cmocka_unit_test(every_fixture),
		cmocka_unit_test(empty_and_binary),
		cmocka_unit_test(huge_lines),
		cmocka_unit_test(mutations),
		cmocka_unit_test(deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
