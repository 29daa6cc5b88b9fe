/* collapse.c: runs and repeated blocks (see tracediff.h). */
#include "tracediff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_call(const struct story_line *a, const struct story_line *b)
{
	return a->block == 0 && b->block == 0 && a->phase == b->phase && strcmp(a->text, b->text) == 0;
}

static bool same_block(const struct story_line *l, size_t a, size_t b, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		const struct story_line *x = &l[a + k], *y = &l[b + k];

		if (!same_call(x, y) || (x->count > 1) != (y->count > 1))
			return false;
	}
	return true;
}

static void collapse_runs(struct story *s)
{
	size_t w = 0;

	for (size_t r = 0; r < s->n; r++) {
		if (w > 0 && same_call(&s->lines[w - 1], &s->lines[r])) {
			s->lines[w - 1].count += s->lines[r].count;
			free(s->lines[r].text);
			continue;
		}
		s->lines[w++] = s->lines[r];
	}
	s->n = w;
}

/* The block length that covers most lines from i, 0 when none repeats. */
static size_t best_block(const struct story_line *l, size_t n, size_t i, size_t *reps)
{
	size_t best_len = 0;

	*reps = 0;
	for (size_t len = 2; len <= 4; len++) {
		size_t r = 1;

		while (i + (r + 1) * len <= n && same_block(l, i, i + r * len, len))
			r++;
		if (r >= 2 && r * len > *reps * best_len) {
			best_len = len;
			*reps = r;
		}
	}
	return best_len;
}

static void collapse_blocks(struct story *s)
{
	struct story_line *lines = s->lines;
	size_t n = s->n, i = 0;

	s->lines = NULL;
	s->n = s->cap = 0;
	while (i < n) {
		size_t reps, len = best_block(lines, n, i, &reps);
		char text[64];

		if (len == 0) {
			story_add(s, lines[i].phase, lines[i].text, lines[i].count, 0)->tid = lines[i].tid;
			free(lines[i++].text);
			continue;
		}
		snprintf(text, sizeof(text), "[the next %zu lines repeat]", len);
		story_add(s, PHASE_REPEAT, text, reps, (unsigned)len); /* a marker is no call: no tid */
		for (size_t k = 0; k < len; k++) {
			struct story_line *first = &lines[i + k];

			for (size_t r = 1; r < reps; r++) {
				if (first->count > 1)
					first->count += lines[i + r * len + k].count;
				free(lines[i + r * len + k].text);
			}
			story_add(s, first->phase, first->text, first->count, 0)->tid = first->tid;
			free(first->text);
		}
		i += len * reps;
	}
	free(lines);
}

void story_collapse(struct story *s)
{
	collapse_runs(s);
	collapse_blocks(s);
}
