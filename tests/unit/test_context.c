/* test_context.c: the context tree: propagation, first cause wins, the done
 * fd waking an epoll wait from another thread, timers that fire on their
 * own, and freeing in either order. Every wait is bounded and short. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "lib/context.h"

/* Is fd readable within ms milliseconds? */
static bool readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0)
		;
}

static void test_background(void **state)
{
	struct context *bg = context_background();

	(void)state;
	assert_int_equal(context_err(bg), CONTEXT_ALIVE);
	assert_int_equal(context_done_fd(bg), -1);
	context_cancel(bg); /* ignored: the background is never done */
	context_free(bg);   /* ignored: static */
	assert_int_equal(context_err(bg), CONTEXT_ALIVE);
	assert_null(context_err_text(CONTEXT_ALIVE));
	assert_string_equal(context_err_text(CONTEXT_CANCELED), "context canceled");
	assert_string_equal(context_err_text(CONTEXT_DEADLINE_EXCEEDED), "context deadline exceeded");
}

static void test_live_context(void **state)
{
	struct context *ctx = context_with_cancel(context_background());
	struct deadline d;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(context_err(ctx), CONTEXT_ALIVE);
	assert_true(context_done_fd(ctx) >= 0);
	assert_false(readable_within(context_done_fd(ctx), 0));
	assert_false(context_deadline(ctx, &d));
	context_free(ctx);
}

static void test_propagation_three_levels(void **state)
{
	struct context *root = context_with_cancel(context_background());
	struct context *child = context_with_cancel(root);
	struct context *grandchild = context_with_cancel(child);

	(void)state;
	context_cancel(child);
	assert_true(readable_within(context_done_fd(grandchild), 0));
	assert_int_equal(context_err(grandchild), CONTEXT_CANCELED);
	assert_int_equal(context_err(child), CONTEXT_CANCELED);
	/* Nothing upward. */
	assert_int_equal(context_err(root), CONTEXT_ALIVE);
	assert_false(readable_within(context_done_fd(root), 0));
	/* A child of a done context is born done. */
	struct context *late = context_with_cancel(grandchild);
	assert_int_equal(context_err(late), CONTEXT_CANCELED);
	assert_true(readable_within(context_done_fd(late), 0));
	context_free(late);
	context_free(grandchild);
	context_free(child);
	context_free(root);
}

static void *cancel_after_20ms(void *ctx)
{
	sleep_ms(20);
	context_cancel(ctx);
	return NULL;
}

static void test_cancel_from_thread_wakes_epoll(void **state)
{
	struct context *ctx = context_with_cancel(context_background());
	struct epoll_event interest = { .events = EPOLLIN }, ready;
	struct timespec start = monotonic_now();
	int epfd = epoll_create1(EPOLL_CLOEXEC), n;
	pthread_t canceller;

	(void)state;
	assert_true(epfd >= 0);
	interest.data.fd = context_done_fd(ctx);
	assert_int_equal(epoll_ctl(epfd, EPOLL_CTL_ADD, context_done_fd(ctx), &interest), 0);
	assert_int_equal(pthread_create(&canceller, NULL, cancel_after_20ms, ctx), 0);
	n = epoll_wait(epfd, &ready, 1, 2000);
	double waited = timespec_diff_ms(monotonic_now(), start);
	assert_int_equal(pthread_join(canceller, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ready.data.fd, context_done_fd(ctx));
	assert_int_equal(context_err(ctx), CONTEXT_CANCELED);
	if (waited < 19 || waited > 500)
		fail_msg("epoll_wait woke after %.1f ms, want about 20", waited);
	close(epfd);
	context_free(ctx);
}

static void test_timeout_first_wins(void **state)
{
	struct context *ctx = context_with_timeout(context_background(), 10);
	struct context *child = context_with_cancel(ctx);

	(void)state;
	assert_true(readable_within(context_done_fd(child), 1000));
	assert_int_equal(context_err(ctx), CONTEXT_DEADLINE_EXCEEDED);
	assert_int_equal(context_err(child), CONTEXT_DEADLINE_EXCEEDED);
	context_cancel(ctx);
	context_cancel(child);
	assert_int_equal(context_err(ctx), CONTEXT_DEADLINE_EXCEEDED);
	assert_int_equal(context_err(child), CONTEXT_DEADLINE_EXCEEDED);
	context_free(child);
	context_free(ctx);
}

static void test_cancel_first_wins(void **state)
{
	struct context *ctx = context_with_timeout(context_background(), 20);

	(void)state;
	context_cancel(ctx);
	sleep_ms(40); /* past the deadline: the stopped timer must not speak */
	assert_int_equal(context_err(ctx), CONTEXT_CANCELED);
	context_free(ctx);
}

static void test_double_cancel(void **state)
{
	struct context *ctx = context_with_cancel(context_background());
	uint64_t writes = 0;

	(void)state;
	context_cancel(ctx);
	context_cancel(ctx);
	assert_int_equal(context_err(ctx), CONTEXT_CANCELED);
	/* Written once: the eventfd's counter is 1. (Reading it is the test's
	 * business only; the client never does.) */
	assert_int_equal(read(context_done_fd(ctx), &writes, sizeof(writes)), sizeof(writes));
	assert_int_equal(writes, 1);
	context_free(ctx);
}

static void test_timeout_fires_unpolled(void **state)
{
	struct timespec start = monotonic_now();
	struct context *ctx = context_with_timeout(context_background(), 20);
	struct context *child = context_with_cancel(ctx);
	struct context *grandchild = context_with_cancel(child);
	struct deadline d;

	(void)state;
	assert_true(context_deadline(grandchild, &d)); /* inherited */
	assert_false(deadline_passed(&d, start));
	sleep_ms(60); /* nobody asks meanwhile */
	assert_int_equal(context_err(grandchild), CONTEXT_DEADLINE_EXCEEDED);
	assert_true(readable_within(context_done_fd(grandchild), 0));
	assert_true(readable_within(context_done_fd(ctx), 0));
	context_free(grandchild);
	context_free(child);
	context_free(ctx);
}

static void test_deadline_inherited(void **state)
{
	struct context *parent = context_with_timeout(context_background(), 1000);
	struct context *later = context_with_timeout(parent, 5000);
	struct context *sooner = context_with_timeout(parent, 10);
	struct deadline p, l, s;

	(void)state;
	assert_true(context_deadline(parent, &p));
	assert_true(context_deadline(later, &l));
	assert_true(context_deadline(sooner, &s));
	assert_true(p.at.tv_sec == l.at.tv_sec && p.at.tv_nsec == l.at.tv_nsec);
	assert_true(timespec_diff_ns(p.at, s.at) > 0);
	assert_true(readable_within(context_done_fd(sooner), 1000));
	assert_int_equal(context_err(sooner), CONTEXT_DEADLINE_EXCEEDED);
	assert_int_equal(context_err(parent), CONTEXT_ALIVE);
	context_free(sooner);
	context_free(later);
	context_free(parent); /* stops its timer long before 1 s */
}

static void test_free_child_then_parent(void **state)
{
	struct context *parent = context_with_cancel(context_background());
	struct context *a = context_with_cancel(parent);
	struct context *b = context_with_cancel(parent);
	struct context *c = context_with_cancel(parent);

	(void)state;
	context_free(b); /* the middle of the sibling list */
	context_free(c);
	assert_int_equal(context_err(parent), CONTEXT_ALIVE); /* nothing upward */
	context_cancel(parent);
	assert_int_equal(context_err(a), CONTEXT_CANCELED);
	context_free(a);
	context_free(parent);
}

static void test_free_parent_then_child(void **state)
{
	struct context *parent = context_with_timeout(context_background(), 1000);
	struct context *child = context_with_cancel(parent);
	struct deadline d;

	(void)state;
	context_free(parent); /* cancels the live child, as Go's defer cancel() */
	assert_int_equal(context_err(child), CONTEXT_CANCELED);
	assert_true(readable_within(context_done_fd(child), 0));
	assert_true(context_deadline(child, &d));
	context_cancel(child); /* the orphan still works */
	context_free(child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_live_context),
		cmocka_unit_test(test_propagation_three_levels),
		cmocka_unit_test(test_cancel_from_thread_wakes_epoll),
		cmocka_unit_test(test_timeout_first_wins),
		cmocka_unit_test(test_cancel_first_wins),
		cmocka_unit_test(test_double_cancel),
		cmocka_unit_test(test_timeout_fires_unpolled),
		cmocka_unit_test(test_deadline_inherited),
		cmocka_unit_test(test_free_child_then_parent),
		cmocka_unit_test(test_free_parent_then_child),
	};

	return cmocka_run_group_tests_name("context", tests, NULL, NULL);
}
