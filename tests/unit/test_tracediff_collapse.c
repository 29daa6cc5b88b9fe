/* test_tracediff_collapse.c: runs of identical lines become one "  xN" line
 * (the real count with --counts), repeated blocks of 2 to 4 lines a
 * "repeat" marker; the printed format and reading a saved story back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"

/* A story from "phase|text" items. */
static void make(struct story *s, const char *const *items)
{
	memset(s, 0, sizeof(*s));
	s->name = strdup("t");
	for (size_t i = 0; items[i]; i++) {
		const char *bar = strchr(items[i], '|');
		char *phase = strndup(items[i], (size_t)(bar - items[i]));

		story_add(s, phase_parse(phase), bar + 1, 1, 0);
		free(phase);
	}
}

static char *printed(const struct story *s, bool counts)
{
	struct sbuf b = { 0 };

	story_format(s, counts, &b);
	return sb_take(&b);
}

static void runs(void **state)
{
	static const char *const in[] = { "read|r = -1 EAGAIN", "read|r = -1 EAGAIN", "read|r = -1 EAGAIN",
					  "close|c = 0", "read|r = -1 EAGAIN", NULL };
	struct story s;
	char *out;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	out = printed(&s, false);
	assert_string_equal(out, "# ctxlab story: t (tracediff normalize)\n"
				 "read           r = -1 EAGAIN  xN\n"
				 "close          c = 0\n"
				 "read           r = -1 EAGAIN\n");
	free(out);
	out = printed(&s, true);
	assert_string_equal(out, "# ctxlab story: t (tracediff normalize)\n"
				 "read           r = -1 EAGAIN  x3\n"
				 "close          c = 0\n"
				 "read           r = -1 EAGAIN\n");
	free(out);
	story_free(&s);
}

static void same_text_other_phase_is_no_run(void **state)
{
	static const char *const in[] = { "a|x", "b|x", NULL };
	struct story s;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	assert_int_equal(s.n, 2);
	story_free(&s);
}

static void blocks(void **state)
{
	/* EAGAIN, wait, read N: three times, then something else */
	static const char *const in[] = { "send|w",	"read|EAGAIN", "wait-readable|w1", "read|N",
					  "read|EAGAIN", "wait-readable|w1", "read|N",	"read|EAGAIN",
					  "wait-readable|w1", "read|N", "close|c", NULL };
	struct story s;
	char *out;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	out = printed(&s, false);
	assert_string_equal(out, "# ctxlab story: t (tracediff normalize)\n"
				 "send           w\n"
				 "repeat         [the next 3 lines repeat]  xN\n"
				 "read           EAGAIN\n"
				 "wait-readable  w1\n"
				 "read           N\n"
				 "close          c\n");
	free(out);
	out = printed(&s, true);
	assert_non_null(strstr(out, "repeat         [the next 3 lines repeat]  x3\n"));
	free(out);
	story_free(&s);
}

static void block_with_runs_inside(void **state)
{
	/* (a, b xN) twice: a line standing for several calls counts them over
	 * all the repetitions */
	static const char *const in[] = { "p|a", "q|b", "q|b", "p|a", "q|b", "q|b", "q|b", NULL };
	struct story s;
	char *out;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	out = printed(&s, true);
	assert_string_equal(out, "# ctxlab story: t (tracediff normalize)\n"
				 "repeat         [the next 2 lines repeat]  x2\n"
				 "p              a\n"
				 "q              b  x5\n");
	free(out);
	out = printed(&s, false);
	assert_string_equal(out, "# ctxlab story: t (tracediff normalize)\n"
				 "repeat         [the next 2 lines repeat]  xN\n"
				 "p              a\n"
				 "q              b  xN\n");
	free(out);
	story_free(&s);
}

static void block_needs_the_same_shape(void **state)
{
	/* b once, then b several times: not the same block */
	static const char *const in[] = { "p|a", "q|b", "p|a", "q|b", "q|b", NULL };
	struct story s;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	assert_int_equal(s.n, 4);
	assert_string_equal(phase_name(s.lines[0].phase), "p");
	assert_int_equal(s.lines[3].count, 2);
	story_free(&s);
}

static void longest_cover_wins(void **state)
{
	/* a b a b a b: period 2 covers 6 (period 4 would cover only 0) */
	static const char *const in[] = { "p|a", "p|b", "p|a", "p|b", "p|a", "p|b", "p|c", NULL };
	struct story s;

	(void)state;
	make(&s, in);
	story_collapse(&s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.lines[0].phase, PHASE_REPEAT);
	assert_string_equal(phase_name(s.lines[0].phase), "repeat");
	assert_int_equal(s.lines[0].count, 3);
	assert_int_equal(s.lines[0].block, 2);
	assert_string_equal(s.lines[3].text, "c");
	story_free(&s);
}

static void long_phase_names_keep_a_space(void **state)
{
	static const char *const in[] = { "a-very-long-phase-name|x", NULL };
	struct story s;
	char *out;

	(void)state;
	make(&s, in);
	out = printed(&s, false);
	assert_non_null(strstr(out, "\na-very-long-phase-name x\n"));
	free(out);
	story_free(&s);
}

static void saved_story_round_trip(void **state)
{
	static const char saved[] = "# ctxlab story: c-x.trace (tracediff normalize)\n"
				    "create         socket(AF_INET) = SOCK\n"
				    "read           read(SOCK, BUF, 128) = -1 EAGAIN  xN\n"
				    "# runtime poller, not shown: N empty polls\n";
	struct story s;
	struct sbuf again = { 0 };

	(void)state;
	assert_true(story_is_saved(saved, sizeof(saved) - 1));
	assert_false(story_is_saved("socket(AF_INET) = 3\n", 20));
	story_parse_saved(saved, sizeof(saved) - 1, &s);
	assert_string_equal(s.name, "c-x.trace");
	assert_int_equal(s.n, 2);
	assert_int_equal(s.lines[1].phase, PHASE_READ);
	assert_string_equal(s.lines[1].text, "read(SOCK, BUF, 128) = -1 EAGAIN  xN");
	assert_int_equal(s.notes.n, 1);
	/* normalize prints a saved story as it was */
	normalize_text(saved, sizeof(saved) - 1, "ignored", false, false, &again);
	assert_string_equal(sb_str(&again), saved);
	sb_free(&again);
	story_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs),
		cmocka_unit_test(same_text_other_phase_is_no_run),
		cmocka_unit_test(blocks),
		cmocka_unit_test(block_with_runs_inside),
		cmocka_unit_test(block_needs_the_same_shape),
		cmocka_unit_test(longest_cover_wins),
		cmocka_unit_test(long_phase_names_keep_a_space),
		cmocka_unit_test(saved_story_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
