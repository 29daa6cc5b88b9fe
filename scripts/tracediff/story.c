/* story.c: from calls to story lines (see story.h): the loop over the
 * calls, the helpers the builder files share, and the post-pass that puts
 * the wake-up pipe's calls in causal order and merges repeated timeouts. */
#include "story.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

const char *const STORY_PHASES[] = {
	"create", "configure", "connect", "arm-deadline", "disarm", "register", "wait-writable",
	"check-error", "send", "read", "wait-readable", "deadline", "wake", "poll", "wait",
	"deregister", "close", "repeat", "-", NULL,
};

struct story_line *story_add(struct story *s, const char *phase, const char *text, unsigned long count,
			     unsigned block)
{
	void *p = s->lines;
	struct story_line *l;

	grow_array(&p, &s->cap, s->n + 1, sizeof(*s->lines));
	s->lines = p;
	l = &s->lines[s->n++];
	l->phase = xstrdup(phase);
	l->text = xstrdup(text);
	l->count = count;
	l->block = block;
	l->tid = STORY_NO_TID;
	return l;
}

void story_free(struct story *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->lines[i].phase);
		free(s->lines[i].text);
	}
	free(s->lines);
	free(s->name);
	sv_free(&s->notes);
	memset(s, 0, sizeof(*s));
}

bool call_is(const struct call *c, const char *name)
{
	return strcmp(c->name, name) == 0;
}

const char *cb_fd_role(void *ctx, long fd)
{
	struct builder *b = ctx;

	return fds_role(&b->fds, fd);
}

bool inst_live(const struct builder *b, long inst)
{
	return inst >= 0 && fds_instance(&b->fds, b->fds.inst[inst].fd) == inst;
}

long data_inst(const struct builder *b, const char *value)
{
	long fd;

	for (size_t i = b->ndata; i-- > 0;)
		if (strcmp(b->data[i].value, value) == 0)
			return inst_live(b, b->data[i].inst) ? b->data[i].inst : -1;
	/* C puts the fd itself in the data: take it even without the ADD */
	if (parse_long_prefix(value, &fd) && fd >= 0 && fd < 65536 && value[strspn(value, "0123456789")] == '\0')
		return fds_instance(&b->fds, fd);
	return -1;
}

const char *cb_data_role(void *ctx, const char *value)
{
	struct builder *b = ctx;
	long inst = data_inst(b, value);

	if (inst < 0 || b->fds.inst[inst].kind == FD_NONE)
		return NULL;
	return b->fds.inst[inst].name;
}

enum fd_kind kind_of(const struct builder *b, long fd)
{
	long inst = fds_instance(&b->fds, fd);

	return inst < 0 ? FD_NONE : b->fds.inst[inst].kind;
}

bool is_sock_kind(enum fd_kind k)
{
	return k == FD_SOCK || k == FD_USOCK || k == FD_NLSOCK;
}

const char *arg_role(const struct builder *b, const struct strvec *a, size_t k)
{
	long fd;

	if (k >= a->n || !parse_fd_arg(a->v[k], &fd))
		return NULL;
	return fds_role(&b->fds, fd);
}

enum fd_kind arg_kind(const struct builder *b, const struct strvec *a, size_t k)
{
	long fd;

	if (k >= a->n || !parse_fd_arg(a->v[k], &fd) || !fds_role(&b->fds, fd))
		return FD_NONE;
	return kind_of(b, fd);
}

static void glue_wake_reads(struct builder *b)
{
	for (size_t i = 1; i < b->nitems; i++) {
		size_t j = i;
		struct shaped moved;

		if (!b->items[i].wake_read)
			continue;
		while (j > 0 && i - j < 64 && b->items[j - 1].pid != b->items[i].pid)
			j--;
		if (j == 0 || j == i || !b->items[j - 1].wake_wait)
			continue;
		moved = b->items[i];
		memmove(&b->items[j + 1], &b->items[j], (i - j) * sizeof(*b->items));
		b->items[j] = moved;
	}
}

/* A wait that returned the wake event after a write to the wake pipe had
 * started was woken by that write, even when strace printed the end of the
 * write after the wait's return: the write goes before the wait. Only calls
 * of other threads sit between the two (the writer was inside its write). */
static void writes_before_their_wake(struct builder *b)
{
	for (size_t i = 1; i < b->nitems; i++) {
		size_t j = i;
		struct shaped moved;

		if (!b->items[i].wake_write)
			continue;
		while (j > 0 && i - j < 64 && !b->items[j - 1].wake_wait && !b->items[j - 1].wake_write)
			j--;
		if (j == 0 || !b->items[j - 1].wake_wait || b->items[j - 1].end_line < b->items[i].start_line ||
		    b->items[j - 1].pid == b->items[i].pid)
			continue;
		j--;
		moved = b->items[i];
		memmove(&b->items[j + 1], &b->items[j], (i - j) * sizeof(*b->items));
		b->items[j] = moved;
	}
}

static bool is_eagain_read(const struct shaped *sh)
{
	return sh->phase && strcmp(sh->phase, "read") == 0 && strstr(sh->text, "= -1 EAGAIN");
}

static bool is_send(const struct shaped *sh)
{
	return sh->phase && strcmp(sh->phase, "send") == 0;
}

static bool has_runtime_poller(const struct builder *b)
{
	for (size_t i = 0; i < b->fds.n; i++)
		if (b->fds.inst[i].runtime_poller)
			return true;
	return false;
}

/* Go starts the goroutine that reads a connection (net/http's readLoop)
 * alongside the one that writes the request, so the reader's first read
 * (EAGAIN) and the request's write come in either order, on one thread or
 * two. On a runtime poller's connection, whichever came first, the story
 * shows the read first and says so: two runs tell the same story without
 * hiding that they raced. A C client's write-then-read is its own order. */
static void order_racing_read_and_send(struct builder *b)
{
	static const char raced[] = "  (races the send: two goroutines)";
	size_t prev = SIZE_MAX;

	if (!has_runtime_poller(b))
		return;
	for (size_t i = 0; i < b->nitems; i++) {
		struct shaped *first, *second;

		if (!b->items[i].phase)
			continue;
		if (prev == SIZE_MAX) {
			prev = i;
			continue;
		}
		first = &b->items[prev];
		second = &b->items[i];
		if ((is_send(first) && is_eagain_read(second)) || (is_eagain_read(first) && is_send(second))) {
			struct shaped *read = is_send(first) ? second : first;
			char *marked = xmalloc(strlen(read->text) + sizeof(raced));
			struct shaped swap;

			sprintf(marked, "%s%s", read->text, raced);
			free(read->text);
			read->text = marked;
			if (is_send(first)) {
				swap = *first;
				*first = *second;
				*second = swap;
			}
		}
		prev = i;
	}
}

void story_from_trace(const struct trace *t, const char *name, const struct story_opts *opts,
		      struct story *out)
{
	static const struct story_opts defaults = { 0 };
	struct builder b = { .t = t, .opts = opts ? opts : &defaults, .out = out };

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	b.env.fd_role = cb_fd_role;
	b.env.data_role = cb_data_role;
	b.env.ctx = &b;
	fds_scan(&b.fds, t);
	for (size_t i = 0; i < t->n; i++)
		*lmap_get(&b.last_by_pid, t->calls[i].pid, 0) = (long)i;
	for (size_t i = 0; i < t->n; i++) {
		struct shaped sh;

		fds_at(&b.fds, i);
		sh = shape(&b, i);
		if (sh.hidden == HIDDEN_POLL)
			out->hidden_polls++;
		else if (sh.hidden == HIDDEN_IDLE)
			out->hidden_idle++;
		if (sh.text) {
			void *p = b.items;

			grow_array(&p, &b.cap_items, b.nitems + 1, sizeof(*b.items));
			b.items = p;
			b.items[b.nitems++] = sh;
		}
	}
	writes_before_their_wake(&b);
	glue_wake_reads(&b);
	for (size_t i = 0; i < b.nitems; i++) {
		struct shaped *sh = &b.items[i];

		if (sh->runtime_timeout && i > 0 && b.items[i - 1].runtime_timeout &&
		    strcmp(b.items[i - 1].text, sh->text) == 0 && !b.opts->show_runtime_polls) {
			/* the deadline wait again: the runtime woke early (it rounds its
			 * timeout down to whole milliseconds) and slept the rest */
			out->hidden_rewaits++;
			b.items[i - 1].phase = NULL; /* keep one: the last */
		}
	}
	for (size_t i = 0; i < b.nitems; i++) {
		if (b.items[i].phase && strcmp(b.items[i].phase, "wake") == 0 && !b.opts->show_runtime_polls) {
			out->hidden_wakes++;
			b.items[i].phase = NULL;
		}
	}
	order_racing_read_and_send(&b);
	for (size_t i = 0; i < b.nitems; i++) {
		if (b.items[i].phase)
			story_add(out, b.items[i].phase, b.items[i].text, 1, 0)->tid = b.items[i].pid;
		free(b.items[i].text);
	}
	free(b.items);
	for (size_t i = 0; i < b.ndata; i++)
		free(b.data[i].value);
	free(b.data);
	for (size_t i = 0; i < b.nin; i++)
		free(b.in[i].events);
	free(b.in);
	lmap_free(&b.last_by_pid);
	fds_free(&b.fds);
}
