/* deadline.h: absolute deadlines on CLOCK_MONOTONIC (wall-clock jumps never
 * move them) and the time left until them. Functions that take `now` are
 * pure, so tests can drive them with made-up times. */
#ifndef CTXLAB_DEADLINE_H
#define CTXLAB_DEADLINE_H

#include <stdbool.h>
#include <time.h>

#define NSEC_PER_SEC 1000000000L
#define NSEC_PER_MSEC 1000000L

struct deadline {
	struct timespec at; /* CLOCK_MONOTONIC */
};

struct timespec monotonic_now(void);

/* start + ms */
struct deadline deadline_after_ms(struct timespec start, long ms);

bool deadline_passed(const struct deadline *d, struct timespec now);

/* Zero once the deadline has passed; never negative. */
struct timespec deadline_time_left(const struct deadline *d, struct timespec now);

struct timespec timespec_add_ns(struct timespec t, long long ns);
long long timespec_diff_ns(struct timespec later, struct timespec earlier);
double timespec_diff_ms(struct timespec later, struct timespec earlier);

#endif
