/* tracediff_fixture.h: where the tracediff tests find their fixture traces.
 * Tests run from the repository root (tests/run.sh); TRACEDIFF_FIXTURES
 * overrides the folder. */
#ifndef TRACEDIFF_FIXTURE_H
#define TRACEDIFF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static inline const char *fixture_path(const char *name, char *buf, size_t n)
{
	const char *dir = getenv("TRACEDIFF_FIXTURES");

	snprintf(buf, n, "%s/%s", dir ? dir : "tests/fixtures/traces", name);
	return buf;
}

#endif
