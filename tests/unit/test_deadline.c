/* test_deadline.c: CLOCK_MONOTONIC deadline arithmetic, driven with made-up
 * times (the functions taking `now` are pure) and, for monotonic_now, the
 * real clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <time.h>

#include "lib/deadline.h"

static struct timespec ts(time_t sec, long nsec)
{
	struct timespec t = { .tv_sec = sec, .tv_nsec = nsec };

	return t;
}

static void check_ts(struct timespec got, time_t sec, long nsec, int line)
{
	if (got.tv_sec != sec || got.tv_nsec != nsec)
		fail_msg("line %d: got {%lld, %ld}, want {%lld, %ld}", line, (long long)got.tv_sec, got.tv_nsec,
			 (long long)sec, nsec);
}

#define CHECK_TS(got, sec, nsec) check_ts((got), (sec), (nsec), __LINE__)

/* ---- timespec_add_ns ---- */

static void test_add_no_carry(void **state)
{
	(void)state;
	CHECK_TS(timespec_add_ns(ts(0, 0), 0), 0, 0);
	CHECK_TS(timespec_add_ns(ts(7, 123), 0), 7, 123);
	CHECK_TS(timespec_add_ns(ts(1, 100), 200), 1, 300);
	CHECK_TS(timespec_add_ns(ts(1, 500000000), 499999999), 1, 999999999);
	CHECK_TS(timespec_add_ns(ts(5, 300), -200), 5, 100);
	CHECK_TS(timespec_add_ns(ts(5, 300), -300), 5, 0);
}

static void test_add_carry(void **state)
{
	(void)state;
	CHECK_TS(timespec_add_ns(ts(1, 500000000), 600000000), 2, 100000000);
	CHECK_TS(timespec_add_ns(ts(1, 999999999), 1), 2, 0);
	CHECK_TS(timespec_add_ns(ts(1, 500000000), 500000000), 2, 0);
	/* whole seconds and a carry together */
	CHECK_TS(timespec_add_ns(ts(5, 100), 3000000005LL), 8, 105);
	CHECK_TS(timespec_add_ns(ts(5, 999999999), 1999999999LL), 7, 999999998);
	CHECK_TS(timespec_add_ns(ts(5, 999999999), 2000000001LL), 8, 0);
	CHECK_TS(timespec_add_ns(ts(0, 0), 1000000000LL), 1, 0);
	/* a day */
	CHECK_TS(timespec_add_ns(ts(100, 1), 86400LL * 1000000000LL), 86500, 1);
}

static void test_add_borrow(void **state)
{
	(void)state;
	CHECK_TS(timespec_add_ns(ts(1, 0), -1), 0, 999999999);
	CHECK_TS(timespec_add_ns(ts(5, 100), -200), 4, 999999900);
	CHECK_TS(timespec_add_ns(ts(5, 100), -1000000000LL), 4, 100);
	CHECK_TS(timespec_add_ns(ts(5, 100), -3000000200LL), 1, 999999900);
	CHECK_TS(timespec_add_ns(ts(5, 999999999), -999999999), 5, 0);
	CHECK_TS(timespec_add_ns(ts(5, 0), -5000000000LL), 0, 0);
	CHECK_TS(timespec_add_ns(ts(10, 5), -5), 10, 0);
	CHECK_TS(timespec_add_ns(ts(10, 5), -6), 9, 999999999);
	CHECK_TS(timespec_add_ns(ts(2, 1), -1999999999LL), 0, 2);
}

/* The result is always normalised, whatever the sign and size of ns. */
static void test_add_normalised_and_inverse(void **state)
{
	static const long long steps[] = {
		0, 1, -1, 999999999, -999999999, 1000000000LL, -1000000000LL, 1000000001LL, -1000000001LL,
		123456789012LL, -12345678901LL, 2500000000LL, -2500000000LL,
	};
	static const long starts_nsec[] = { 0, 1, 499999999, 500000000, 999999999 };

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		for (size_t j = 0; j < sizeof(starts_nsec) / sizeof(starts_nsec[0]); j++) {
			struct timespec start = ts(1000, starts_nsec[j]);
			struct timespec moved = timespec_add_ns(start, steps[i]);

			assert_in_range(moved.tv_nsec, 0, NSEC_PER_SEC - 1);
			assert_int_equal(timespec_diff_ns(moved, start), steps[i]);
			CHECK_TS(timespec_add_ns(moved, -steps[i]), start.tv_sec, start.tv_nsec);
		}
	}
}

/* ---- timespec_diff_ns / timespec_diff_ms ---- */

static void test_diff_ns(void **state)
{
	(void)state;
	assert_int_equal(timespec_diff_ns(ts(2, 100), ts(1, 200)), 999999900);
	assert_true(timespec_diff_ns(ts(1, 200), ts(2, 100)) == -999999900LL);
	assert_int_equal(timespec_diff_ns(ts(5, 5), ts(5, 5)), 0);
	assert_int_equal(timespec_diff_ns(ts(5, 6), ts(5, 5)), 1);
	assert_true(timespec_diff_ns(ts(5, 5), ts(5, 6)) == -1);
	assert_int_equal(timespec_diff_ns(ts(10, 0), ts(0, 999999999)), 9000000001LL);
	assert_true(timespec_diff_ns(ts(0, 0), ts(86400, 0)) == -86400000000000LL);
}

static void test_diff_ms(void **state)
{
	(void)state;
	/* values exactly representable as doubles, so == is exact */
	assert_true(timespec_diff_ms(ts(3, 500000000), ts(1, 250000000)) == 2250.0);
	assert_true(timespec_diff_ms(ts(1, 250000000), ts(3, 500000000)) == -2250.0);
	assert_true(timespec_diff_ms(ts(0, 1500000), ts(0, 0)) == 1.5);
	assert_true(timespec_diff_ms(ts(1, 0), ts(0, 997500000)) == 2.5);
	assert_true(timespec_diff_ms(ts(0, 0), ts(0, 2500000)) == -2.5);
	assert_true(timespec_diff_ms(ts(4, 4), ts(4, 4)) == 0.0);
	/* sub-millisecond precision is kept, not rounded */
	assert_true(timespec_diff_ms(ts(0, 250000), ts(0, 0)) == 0.25);
	assert_true(timespec_diff_ms(ts(0, 1), ts(0, 0)) > 0.0);
	assert_true(timespec_diff_ms(ts(0, 1), ts(0, 0)) < 0.000002);
}

/* ---- deadlines ---- */

static void test_deadline_after_ms(void **state)
{
	struct deadline d;

	(void)state;
	d = deadline_after_ms(ts(100, 900000000), 200);
	CHECK_TS(d.at, 101, 100000000);
	d = deadline_after_ms(ts(100, 900000000), 0);
	CHECK_TS(d.at, 100, 900000000);
	d = deadline_after_ms(ts(100, 900000000), 1500);
	CHECK_TS(d.at, 102, 400000000);
	d = deadline_after_ms(ts(100, 0), 1);
	CHECK_TS(d.at, 100, 1000000);
	d = deadline_after_ms(ts(100, 123456789), 999);
	CHECK_TS(d.at, 101, 122456789);
	/* the largest -t the clients accept: a day */
	d = deadline_after_ms(ts(100, 900000000), 24L * 3600 * 1000);
	CHECK_TS(d.at, 86500, 900000000);
}

static void test_deadline_passed(void **state)
{
	struct deadline d = deadline_after_ms(ts(100, 900000000), 200); /* at {101, 100000000} */

	(void)state;
	assert_true(deadline_passed(&d, ts(101, 100000000)));   /* exactly at */
	assert_false(deadline_passed(&d, ts(101, 99999999)));   /* 1 ns before */
	assert_true(deadline_passed(&d, ts(101, 100000001)));   /* 1 ns after */
	assert_false(deadline_passed(&d, ts(100, 900000000)));  /* at the start */
	assert_false(deadline_passed(&d, ts(0, 0)));
	assert_true(deadline_passed(&d, ts(102, 0)));
	assert_true(deadline_passed(&d, ts(1000000, 0)));

	/* on a second boundary */
	d = deadline_after_ms(ts(9, 0), 1000);
	assert_true(deadline_passed(&d, ts(10, 0)));
	assert_false(deadline_passed(&d, ts(9, 999999999)));
	assert_true(deadline_passed(&d, ts(10, 1)));
}

static void test_deadline_time_left(void **state)
{
	struct deadline d = deadline_after_ms(ts(100, 900000000), 200); /* at {101, 100000000} */

	(void)state;
	CHECK_TS(deadline_time_left(&d, ts(100, 900000000)), 0, 200000000);
	CHECK_TS(deadline_time_left(&d, ts(100, 900000001)), 0, 199999999);
	CHECK_TS(deadline_time_left(&d, ts(101, 0)), 0, 100000000);
	CHECK_TS(deadline_time_left(&d, ts(101, 99999999)), 0, 1);   /* 1 ns before */
	CHECK_TS(deadline_time_left(&d, ts(101, 100000000)), 0, 0);   /* exactly at */
	CHECK_TS(deadline_time_left(&d, ts(101, 100000001)), 0, 0);   /* 1 ns after: zero, not negative */
	CHECK_TS(deadline_time_left(&d, ts(102, 0)), 0, 0);
	CHECK_TS(deadline_time_left(&d, ts(5000, 999999999)), 0, 0);

	/* more than a second left: normalised */
	d.at = ts(105, 0);
	CHECK_TS(deadline_time_left(&d, ts(100, 1)), 4, 999999999);
	CHECK_TS(deadline_time_left(&d, ts(100, 0)), 5, 0);
	CHECK_TS(deadline_time_left(&d, ts(0, 0)), 105, 0);

	/* time left and passed agree */
	for (long ns = -3; ns <= 3; ns++) {
		struct timespec now = timespec_add_ns(d.at, ns);
		struct timespec left = deadline_time_left(&d, now);
		bool zero = left.tv_sec == 0 && left.tv_nsec == 0;

		assert_true(zero == deadline_passed(&d, now));
		assert_true(left.tv_sec >= 0 && left.tv_nsec >= 0 && left.tv_nsec < NSEC_PER_SEC);
		if (!zero)
			assert_int_equal(left.tv_nsec, -ns);
	}
}

/* ---- the real clock ---- */

static void test_monotonic_now(void **state)
{
	struct timespec before, now, after, later;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &before), 0);
	now = monotonic_now();
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &after), 0);
	later = monotonic_now();

	assert_in_range(now.tv_nsec, 0, NSEC_PER_SEC - 1);
	assert_true(timespec_diff_ns(now, before) >= 0);
	assert_true(timespec_diff_ns(after, now) >= 0);
	assert_true(timespec_diff_ns(later, now) >= 0);
	/* the same clock: back to back calls are far closer than a second */
	assert_true(timespec_diff_ns(after, before) < NSEC_PER_SEC);
}

static void test_monotonic_now_advances(void **state)
{
	struct timespec start, end, nap = { .tv_sec = 0, .tv_nsec = 2 * NSEC_PER_MSEC };
	int rc;

	(void)state;
	start = monotonic_now();
	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, &nap)) == EINTR)
		;
	assert_int_equal(rc, 0);
	end = monotonic_now();
	assert_true(timespec_diff_ns(end, start) >= 2 * NSEC_PER_MSEC);
	assert_true(timespec_diff_ms(end, start) >= 2.0);
	assert_true(timespec_diff_ms(end, start) < 2000.0);

	/* a 2 ms deadline from start has passed, and no time is left */
	{
		struct deadline d = deadline_after_ms(start, 2);
		struct timespec left = deadline_time_left(&d, end);

		assert_true(deadline_passed(&d, end));
		assert_int_equal(left.tv_sec, 0);
		assert_int_equal(left.tv_nsec, 0);
	}
	/* while one a minute away has not */
	{
		struct deadline d = deadline_after_ms(start, 60000);

		assert_false(deadline_passed(&d, monotonic_now()));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_no_carry),
		cmocka_unit_test(test_add_carry),
		cmocka_unit_test(test_add_borrow),
		cmocka_unit_test(test_add_normalised_and_inverse),
		cmocka_unit_test(test_diff_ns),
		cmocka_unit_test(test_diff_ms),
		cmocka_unit_test(test_deadline_after_ms),
		cmocka_unit_test(test_deadline_passed),
		cmocka_unit_test(test_deadline_time_left),
		cmocka_unit_test(test_monotonic_now),
		cmocka_unit_test(test_monotonic_now_advances),
	};

	return cmocka_run_group_tests_name("deadline", tests, NULL, NULL);
}
