/* deadline.c: monotonic time arithmetic, in whole nanoseconds so nothing is
 * rounded to milliseconds on the way to the kernel. */
#include "deadline.h"

struct timespec monotonic_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now;
}

struct timespec timespec_add_ns(struct timespec t, long long ns)
{
	long long total = (long long)t.tv_nsec + ns % NSEC_PER_SEC;

	t.tv_sec += (time_t)(ns / NSEC_PER_SEC);
	if (total >= NSEC_PER_SEC) {
		total -= NSEC_PER_SEC;
		t.tv_sec++;
	} else if (total < 0) {
		total += NSEC_PER_SEC;
		t.tv_sec--;
	}
	t.tv_nsec = (long)total;
	return t;
}

long long timespec_diff_ns(struct timespec later, struct timespec earlier)
{
	return (long long)(later.tv_sec - earlier.tv_sec) * NSEC_PER_SEC + (later.tv_nsec - earlier.tv_nsec);
}

double timespec_diff_ms(struct timespec later, struct timespec earlier)
{
	return (double)timespec_diff_ns(later, earlier) / NSEC_PER_MSEC;
}

struct deadline deadline_after_ms(struct timespec start, long ms)
{
	struct deadline d = { .at = timespec_add_ns(start, (long long)ms * NSEC_PER_MSEC) };

	return d;
}

bool deadline_passed(const struct deadline *d, struct timespec now)
{
	return timespec_diff_ns(d->at, now) <= 0;
}

struct timespec deadline_time_left(const struct deadline *d, struct timespec now)
{
	long long left = timespec_diff_ns(d->at, now);
	struct timespec zero = { 0, 0 };

	return left <= 0 ? zero : timespec_add_ns(zero, left);
}
