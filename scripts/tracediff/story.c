/* story.c: from calls to a story (see tracediff.h): one line per call, then
 * the post-pass that orders the wake-up pipe's calls causally and leaves
 * out the runtime poller's own. */
#include "tracediff.h"

#include <stdlib.h>
#include <string.h>

struct story_line *story_add(struct story *s, enum phase phase, const char *text, unsigned long count,
			     unsigned block)
{
	s->lines = grow_array(s->lines, &s->cap, s->n + 1, sizeof(*s->lines));
	s->lines[s->n] = (struct story_line){ phase, xstrdup(text), count, block, STORY_NO_TID };
	return &s->lines[s->n++];
}

void story_free(struct story *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i].text);
	free(s->lines);
	free(s->name);
	sv_free(&s->notes);
	memset(s, 0, sizeof(*s));
}

struct lines {
	struct call_line *v;
	size_t n;
};

static void move_line(struct lines *l, size_t from, size_t to)
{
	struct call_line moved = l->v[from];

	memmove(&l->v[to + 1], &l->v[to], (from - to) * sizeof(*l->v));
	l->v[to] = moved;
}

/* How far back the wake calls of another thread may sit: strace prints
 * other threads' lines between a call's start and its end. */
#define WAKE_REACH 64

/* A wait that returned the wake event after a write to the wake pipe had
 * started was woken by that write, even when strace printed the end of the
 * write after the wait's return: the write goes before the wait. */
static void writes_before_their_wake(struct lines *l)
{
	for (size_t i = 1; i < l->n; i++) {
		size_t j = i;

		if (!l->v[i].wake_write)
			continue;
		while (j > 0 && i - j < WAKE_REACH && !l->v[j - 1].wake_wait && !l->v[j - 1].wake_write)
			j--;
		if (j > 0 && l->v[j - 1].wake_wait && l->v[j - 1].end_line >= l->v[i].start_line &&
		    l->v[j - 1].pid != l->v[i].pid)
			move_line(l, i, j - 1);
	}
}

/* Go's netpoll reads its wake pipe in the call that saw the wake event:
 * that read goes right after the wait, ahead of the other threads' lines
 * strace printed between. A thread's own order never changes. */
static void reads_after_their_wake(struct lines *l)
{
	for (size_t i = 1; i < l->n; i++) {
		size_t j = i;

		if (!l->v[i].wake_read)
			continue;
		while (j > 0 && i - j < WAKE_REACH && l->v[j - 1].pid != l->v[i].pid)
			j--;
		if (j > 0 && j < i && l->v[j - 1].wake_wait)
			move_line(l, i, j);
	}
}

static bool is_eagain_read(const struct call_line *l)
{
	return l->phase == PHASE_READ && strstr(l->text, "= -1 EAGAIN");
}

/* Go starts the goroutine that reads a connection alongside the one that
 * writes the request, so the reader's first read (EAGAIN) and the request's
 * write come in either order. On a runtime poller's connection the story
 * shows the read first, whichever came first, and says so: two runs tell
 * the same story without hiding the race. A C client's order is its own. */
static void order_racing_read_and_send(struct lines *l)
{
	struct call_line *prev = NULL;

	for (size_t i = 0; i < l->n; i++) {
		struct call_line *cur = &l->v[i], swap;
		char *marked;

		if (!cur->shown)
			continue;
		if (prev && ((prev->phase == PHASE_SEND && is_eagain_read(cur)) ||
			     (is_eagain_read(prev) && cur->phase == PHASE_SEND))) {
			if (prev->phase == PHASE_SEND) {
				swap = *prev;
				*prev = *cur;
				*cur = swap;
			}
			marked = xasprintf("%s  (races the send: two goroutines)", prev->text);
			free(prev->text);
			prev->text = marked;
		}
		prev = cur;
	}
}

static void leave_out_runtime_lines(struct lines *l, struct story *out)
{
	for (size_t i = 1; i < l->n; i++) {
		if (l->v[i].runtime_timeout && l->v[i - 1].runtime_timeout && strcmp(l->v[i - 1].text, l->v[i].text) == 0) {
			out->hidden_rewaits++;
			l->v[i - 1].shown = false; /* one is kept: the last */
		}
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].shown && l->v[i].phase == PHASE_WAKE) {
			out->hidden_wakes++;
			l->v[i].shown = false;
		}
	}
}

void story_from_trace(const struct trace *t, const char *name, bool show_all, struct story *out)
{
	bool runtime_poller;
	struct lines l = { call_lines(t, show_all, &runtime_poller), 0 };

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	for (size_t i = 0; i < t->n; i++) {
		out->hidden_polls += l.v[i].hidden == HIDDEN_POLL;
		out->hidden_idle += l.v[i].hidden == HIDDEN_IDLE;
		if (l.v[i].text)
			l.v[l.n++] = l.v[i];
	}
	writes_before_their_wake(&l);
	reads_after_their_wake(&l);
	if (!show_all)
		leave_out_runtime_lines(&l, out);
	if (runtime_poller)
		order_racing_read_and_send(&l);
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].shown)
			story_add(out, l.v[i].phase, l.v[i].text, 1, 0)->tid = l.v[i].pid;
		free(l.v[i].text);
	}
	free(l.v);
}
