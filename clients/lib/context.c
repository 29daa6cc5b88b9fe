/* context.c: the context tree of context.h. */
#include "context.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct context {
	/* The tree, under tree_lock. Children of the background have no parent:
	 * the background is never done, so, as in Go, nobody needs to reach
	 * them from it. */
	struct context *parent, *first_child, *next_sibling, *prev_sibling;
	enum context_err err; /* under tree_lock; set once */
	int done_fd;          /* fixed at birth */
	bool has_deadline;    /* fixed at birth, with deadline */
	struct deadline deadline;
	/* The deadline's timer thread, Go's time.AfterFunc. */
	bool has_timer;
	bool timer_stop;  /* context_free wants the thread gone */
	bool timer_fired; /* the deadline passed: context_cancel's cause */
	pthread_t timer;
	pthread_cond_t timer_wake; /* signalled on cancel and on free */
};

/* One lock for every tree: contexts are few and short-lived here, and one
 * lock lets a cancel walk down and a free unlink up without a lock order. */
static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;

static struct context background = { .done_fd = -1 };

struct context *context_background(void)
{
	return &background;
}

static bool is_root(const struct context *ctx)
{
	return ctx == NULL || ctx == &background;
}

/* Marks ctx's subtree done. A done context's descendants are all done
 * already (children are born done under a done parent), so stopping at the
 * first done one is both the "first cause wins" rule and the whole walk. */
static void cancel_locked(struct context *ctx, enum context_err cause)
{
	uint64_t one = 1;

	if (ctx->err != CONTEXT_ALIVE)
		return;
	ctx->err = cause;
	/* Go closes the done channel; one write makes the eventfd readable for
	 * good. It cannot fail: the counter is far from overflowing. */
	if (write(ctx->done_fd, &one, sizeof(one)) < 0)
		abort();
	if (ctx->has_timer)
		pthread_cond_signal(&ctx->timer_wake); /* Go: c.timer.Stop() */
	for (struct context *child = ctx->first_child; child; child = child->next_sibling)
		cancel_locked(child, cause);
}

/* Non-static and never inlined (the Makefile passes -fno-inline; the
 * attribute keeps it so under other flags): the uprobe's target. */
__attribute__((noinline)) void context_cancel(struct context *ctx)
{
	if (is_root(ctx))
		return;
	pthread_mutex_lock(&tree_lock);
	cancel_locked(ctx, ctx->timer_fired ? CONTEXT_DEADLINE_EXCEEDED : CONTEXT_CANCELED);
	pthread_mutex_unlock(&tree_lock);
}

enum context_err context_err(struct context *ctx)
{
	enum context_err err;

	if (is_root(ctx))
		return CONTEXT_ALIVE;
	pthread_mutex_lock(&tree_lock);
	err = ctx->err;
	pthread_mutex_unlock(&tree_lock);
	return err;
}

const char *context_err_text(enum context_err err)
{
	switch (err) {
	case CONTEXT_CANCELED:
		return "context canceled";
	case CONTEXT_DEADLINE_EXCEEDED:
		return "context deadline exceeded";
	default:
		return NULL;
	}
}

int context_done_fd(struct context *ctx)
{
	return is_root(ctx) ? -1 : ctx->done_fd;
}

bool context_deadline(struct context *ctx, struct deadline *d)
{
	if (is_root(ctx) || !ctx->has_deadline)
		return false;
	*d = ctx->deadline;
	return true;
}

/* A new child of parent, linked into the tree, inheriting its deadline and,
 * if the parent is done already, its error. */
static struct context *new_child(struct context *parent)
{
	struct context *ctx = calloc(1, sizeof(*ctx));
	pthread_condattr_t attr;
	int err;

	if (ctx == NULL)
		return NULL;
	ctx->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctx->done_fd < 0) {
		err = errno;
		free(ctx);
		errno = err;
		return NULL;
	}
	/* The timer sleeps on CLOCK_MONOTONIC, the deadline's clock. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ctx->timer_wake, &attr);
	pthread_condattr_destroy(&attr);
	ctx->has_deadline = context_deadline(parent, &ctx->deadline);
	if (is_root(parent))
		return ctx;
	pthread_mutex_lock(&tree_lock);
	ctx->parent = parent;
	ctx->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = ctx;
	parent->first_child = ctx;
	if (parent->err != CONTEXT_ALIVE)
		cancel_locked(ctx, parent->err);
	pthread_mutex_unlock(&tree_lock);
	return ctx;
}

struct context *context_with_cancel(struct context *parent)
{
	return new_child(parent);
}

/* Sleeps until the deadline, unless cancelled or freed first, then cancels
 * through context_cancel like anyone else. */
static void *timer_main(void *arg)
{
	struct context *ctx = arg;
	bool fire;

	pthread_mutex_lock(&tree_lock);
	while (ctx->err == CONTEXT_ALIVE && !ctx->timer_stop &&
	       pthread_cond_timedwait(&ctx->timer_wake, &tree_lock, &ctx->deadline.at) != ETIMEDOUT)
		;
	fire = ctx->err == CONTEXT_ALIVE && !ctx->timer_stop;
	if (fire)
		ctx->timer_fired = true;
	pthread_mutex_unlock(&tree_lock);
	/* context_free joins this thread before freeing ctx, so ctx lives on. */
	if (fire)
		context_cancel(ctx);
	return NULL;
}

struct context *context_with_deadline(struct context *parent, struct deadline d)
{
	struct deadline inherited;
	struct context *ctx;
	int err;

	/* Go: if the parent's deadline is sooner, this is just WithCancel. */
	if (context_deadline(parent, &inherited) && !deadline_passed(&d, inherited.at))
		return context_with_cancel(parent);
	ctx = new_child(parent);
	if (ctx == NULL)
		return NULL;
	ctx->has_deadline = true;
	ctx->deadline = d;
	pthread_mutex_lock(&tree_lock);
	err = ctx->err == CONTEXT_ALIVE ? pthread_create(&ctx->timer, NULL, timer_main, ctx) : 0;
	ctx->has_timer = ctx->err == CONTEXT_ALIVE && err == 0;
	pthread_mutex_unlock(&tree_lock);
	if (err != 0) {
		context_free(ctx);
		errno = err;
		return NULL;
	}
	return ctx;
}

struct context *context_with_timeout(struct context *parent, long ms)
{
	return context_with_deadline(parent, deadline_after_ms(monotonic_now(), ms));
}

void context_free(struct context *ctx)
{
	if (is_root(ctx))
		return;
	if (context_err(ctx) == CONTEXT_ALIVE)
		context_cancel(ctx);
	pthread_mutex_lock(&tree_lock);
	ctx->timer_stop = true;
	if (ctx->has_timer)
		pthread_cond_signal(&ctx->timer_wake);
	if (ctx->parent) { /* unlink; the parent stays as it is */
		if (ctx->prev_sibling)
			ctx->prev_sibling->next_sibling = ctx->next_sibling;
		else
			ctx->parent->first_child = ctx->next_sibling;
		if (ctx->next_sibling)
			ctx->next_sibling->prev_sibling = ctx->prev_sibling;
	}
	for (struct context *child = ctx->first_child, *next; child; child = next) {
		next = child->next_sibling;
		child->parent = child->next_sibling = child->prev_sibling = NULL;
	}
	pthread_mutex_unlock(&tree_lock);
	if (ctx->has_timer)
		pthread_join(ctx->timer, NULL);
	pthread_cond_destroy(&ctx->timer_wake);
	close(ctx->done_fd);
	free(ctx);
}
