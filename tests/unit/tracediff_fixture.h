/* tracediff_fixture.h: the fixture traces of the tracediff tests, where to
 * find them and how to read one. Tests run from the repository root
 * (tests/run.sh); TRACEDIFF_FIXTURES overrides the folder. Include it after
 * cmocka.h. */
#ifndef TRACEDIFF_FIXTURE_H
#define TRACEDIFF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracediff/tracediff.h"

static inline const char *fixture_path(const char *name, char *buf, size_t n)
{
	const char *dir = getenv("TRACEDIFF_FIXTURES");

	snprintf(buf, n, "%s/%s", dir ? dir : "tests/fixtures/traces", name);
	return buf;
}

/* Every *.trace of the folder (test_tracediff_robust checks that the list
 * and the folder agree), for the tests that run over all of them. */
static inline const char *const *trace_fixtures(size_t *n)
{
	static const char *const names[] = {
		"c-blocking-ok.trace",	      "c-blocking-stall-killed.trace", "c-deadline-stall.trace",
		"c-epoll-ok.trace",	      "c-epoll-stall-killed.trace",    "c-epoll-trickle.trace",
		"c-epoll-trickle-n5.trace",   "c-nonblock-stall.trace",	       "curl-ok.trace",
		"edge-binary.trace",	      "edge-empty.trace",	       "edge-garbage.trace",
		"edge-huge-line.trace",	      "edge-truncated.trace",	       "go-hello-cancel.trace",
		"go-stall-pid.trace",	      "go-stall-signals.trace",	       "go-stall-ttTy.trace",
		"go-stall.trace",
	};

	*n = sizeof(names) / sizeof(names[0]);
	return names;
}

/* The fixture's text (malloc'd, *len bytes); the test fails if it cannot. */
static inline char *read_fixture(const char *name, size_t *len)
{
	char path[1024];
	char *text = read_whole_file(fixture_path(name, path, sizeof(path)), len);

	if (!text)
		fail_msg("cannot read %s (run from the repository root)", path);
	return text;
}

/* The story lines (no title) of an inline trace; show_all keeps the
 * runtime poller's own calls. */
static inline char *story_with(const char *trace, bool counts, bool show_all)
{
	struct sbuf out = { 0 };
	char *nl, *all;

	normalize_text(trace, strlen(trace), "t", counts, show_all, &out);
	all = sb_take(&out);
	nl = strchr(all, '\n');
	assert_non_null(nl);
	memmove(all, nl + 1, strlen(nl + 1) + 1);
	return all;
}

static inline char *story(const char *trace, bool counts)
{
	return story_with(trace, counts, false);
}

#define EXPECT_STORY(trace, counts, want)              \
	do {                                           \
		char *got_ = story((trace), (counts)); \
		assert_string_equal(got_, (want));     \
		free(got_);                            \
	} while (0)

/* The same with the runtime poller's own calls (--all) */
#define EXPECT_STORY_ALL(trace, want)                          \
	do {                                                   \
		char *got_ = story_with((trace), false, true); \
		assert_string_equal(got_, (want));             \
		free(got_);                                    \
	} while (0)

#endif
