/* context.h: a small C counterpart of Go's context package, enough to show
 * how a request is cancelled: a tree of contexts, each done at most once, for
 * one cause, and each done context's descendants done with it.
 *
 *   Go                                  here
 *   context.Background()                context_background()
 *   context.WithCancel(parent)          context_with_cancel(parent)
 *   context.WithTimeout(parent, d)      context_with_timeout(parent, ms)
 *   context.WithDeadline(parent, t)     context_with_deadline(parent, d)
 *   cancel()  (cancelCtx.cancel)        context_cancel(ctx)
 *   ctx.Err()                           context_err(ctx)
 *   <-ctx.Done()                        context_done_fd(ctx), an eventfd
 *   ctx.Deadline()                      context_deadline(ctx, &d)
 *   (the garbage collector)             context_free(ctx)
 *
 * Go's Done() is a channel closed once; here it is an eventfd written once,
 * so an epoll loop can wait for "done" in the same set as its sockets and a
 * cancel from another thread wakes it at once. Nobody ever reads the eventfd:
 * once written it stays readable, as a closed channel stays ready.
 *
 * A deadline fires on its own, like the time.AfterFunc Go's WithDeadline
 * starts: a timer thread per deadline context sleeps until the deadline
 * (CLOCK_MONOTONIC) and then cancels, so the context is done and its fd
 * readable even if nobody looks at the clock.
 *
 * All functions are thread-safe: one mutex guards every tree, so cancelling a
 * subtree and detaching a node never need a lock order. Using a context after
 * context_free is the caller's error, as with any free. */
#ifndef CTXLAB_CONTEXT_H
#define CTXLAB_CONTEXT_H

#include <stdbool.h>

#include "deadline.h"

/* ctx.Err(): nil while alive, then the first cause for good. */
enum context_err {
	CONTEXT_ALIVE = 0,
	CONTEXT_CANCELED,          /* context.Canceled */
	CONTEXT_DEADLINE_EXCEEDED, /* context.DeadlineExceeded */
};

struct context;

/* The root: never done, no deadline, done fd -1 (Go's Done() is nil), never
 * freed (context_free ignores it). */
struct context *context_background(void);

/* A child that is done when cancelled or when any ancestor is done. Born
 * done (with the parent's cause) if the parent already is. NULL and errno on
 * failure. */
struct context *context_with_cancel(struct context *parent);

/* A child that also cancels itself with CONTEXT_DEADLINE_EXCEEDED at d, or
 * at the parent's deadline if that comes first (then no timer is needed: the
 * parent's will fire). */
struct context *context_with_deadline(struct context *parent, struct deadline d);

/* context_with_deadline(parent, now + ms). */
struct context *context_with_timeout(struct context *parent, long ms);

/* Go's cancelCtx.cancel: marks ctx and every descendant done and writes
 * their eventfds. The cause is "canceled", or "deadline exceeded" when ctx's
 * own timer is the caller; the first cause wins and later cancels are
 * no-ops. The one function that cancels anything, so a uprobe on it sees
 * every cancel, whoever asked. */
void context_cancel(struct context *ctx);

enum context_err context_err(struct context *ctx);

/* Go's words for err: "context canceled", "context deadline exceeded", or
 * NULL while alive. */
const char *context_err_text(enum context_err err);

/* An eventfd (EFD_CLOEXEC|EFD_NONBLOCK) that becomes readable, for good,
 * once ctx is done. Owned by ctx: do not read or close it. */
int context_done_fd(struct context *ctx);

/* True, with the deadline in *d, when ctx or an ancestor has one. */
bool context_deadline(struct context *ctx, struct deadline *d);

/* Releases ctx: cancels it first if still alive (Go's `defer cancel()`, so
 * its timer stops and its descendants see done), detaches it from its parent
 * (nothing upward is cancelled) and orphans its children. Children may be
 * freed before or after their parent: an orphan keeps its error, fd and
 * deadline and is freed by its owner as usual. NULL and the background are
 * ignored. */
void context_free(struct context *ctx);

#endif
