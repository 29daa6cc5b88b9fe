/* collapse.c: runs and repeated blocks (see collapse.h). */
#include "collapse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_line(const struct story_line *a, const struct story_line *b)
{
	return a->block == 0 && b->block == 0 && (a->count > 1) == (b->count > 1) && strcmp(a->phase, b->phase) == 0 &&
	       strcmp(a->text, b->text) == 0;
}

static bool same_block(const struct story *s, size_t a, size_t b, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (!same_line(&s->lines[a + k], &s->lines[b + k]))
			return false;
	return true;
}

static void move_line(struct story *to, struct story_line *l)
{
	void *p = to->lines;

	grow_array(&p, &to->cap, to->n + 1, sizeof(*to->lines));
	to->lines = p;
	to->lines[to->n++] = *l;
	l->phase = l->text = NULL;
}

static void collapse_runs(struct story *s)
{
	size_t w = 0;

	for (size_t r = 0; r < s->n; r++) {
		struct story_line *l = &s->lines[r];

		if (w > 0 && s->lines[w - 1].block == 0 && l->block == 0 &&
		    strcmp(s->lines[w - 1].phase, l->phase) == 0 && strcmp(s->lines[w - 1].text, l->text) == 0) {
			s->lines[w - 1].count += l->count;
			free(l->phase);
			free(l->text);
			continue;
		}
		s->lines[w++] = *l;
	}
	s->n = w;
}

static void collapse_blocks(struct story *s)
{
	struct story out = { 0 };
	size_t i = 0;

	while (i < s->n) {
		size_t best_len = 0, best_reps = 0;

		for (size_t len = 2; len <= 4; len++) {
			size_t reps = 1;

			while (i + (reps + 1) * len <= s->n && same_block(s, i, i + reps * len, len))
				reps++;
			if (reps >= 2 && reps * len > best_reps * best_len) {
				best_len = len;
				best_reps = reps;
			}
		}
		if (best_len == 0) {
			move_line(&out, &s->lines[i]);
			i++;
			continue;
		}
		{
			char text[64];
			struct story_line marker = { 0 };

			snprintf(text, sizeof(text), "[the next %zu lines repeat]", best_len);
			marker.phase = xstrdup(REPEAT_PHASE);
			marker.text = xstrdup(text);
			marker.count = best_reps;
			marker.block = (unsigned)best_len;
			marker.tid = STORY_NO_TID; /* a marker is no call */
			move_line(&out, &marker);
		}
		for (size_t k = 0; k < best_len; k++) {
			struct story_line *first = &s->lines[i + k];

			for (size_t r = 1; r < best_reps; r++) {
				struct story_line *again = &s->lines[i + r * best_len + k];

				if (first->count > 1)
					first->count += again->count;
				free(again->phase);
				free(again->text);
				again->phase = again->text = NULL;
			}
			move_line(&out, first);
		}
		i += best_len * best_reps;
	}
	free(s->lines);
	s->lines = out.lines;
	s->n = out.n;
	s->cap = out.cap;
}

void story_collapse(struct story *s)
{
	collapse_runs(s);
	collapse_blocks(s);
}
