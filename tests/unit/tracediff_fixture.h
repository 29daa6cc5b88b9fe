/* tracediff_fixture.h: the fixture traces of the tracediff tests, where to
 * find them and how to read one. Tests run from the repository root
 * (tests/run.sh); TRACEDIFF_FIXTURES overrides the folder. Include it after
 * cmocka.h. */
#ifndef TRACEDIFF_FIXTURE_H
#define TRACEDIFF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "tracediff/util.h"

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

#endif
