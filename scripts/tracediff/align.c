/* align.c: phase-run alignment (see tracediff.h). */
#include "tracediff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN_LCS_MAX (4u * 1024 * 1024)
/* A pair's weight looks at most ALIGN_WEIGH_LINES lines of each run. Past
 * ALIGN_WEIGH_MAX run pairs, or when weighing them all would take more than
 * ALIGN_WEIGH_BUDGET line comparisons, every same-phase pair weighs 1, plus
 * SIMILAR_SAME when the runs' first lines are identical. */
#define ALIGN_WEIGH_MAX (256u * 1024)
#define ALIGN_WEIGH_LINES 16u
#define ALIGN_WEIGH_BUDGET (8u * 1024 * 1024)

size_t wlcs_pairs(size_t n, size_t m, unsigned (*weight)(void *env, size_t i, size_t j), void *env,
		  size_t (*pairs)[2])
{
	size_t got = 0, i = 0, j = 0;
	uint32_t *t = NULL;

	if (n == 0 || m == 0)
		return 0;
	/* t[x][y]: the best score for a[x..] and b[y..]. Without it (too big),
	 * match in order, skipping the longer side. */
	if ((n + 1) <= ALIGN_LCS_MAX / (m + 1))
		t = xcalloc((n + 1) * (m + 1), sizeof(*t));
#define T(x, y) t[(x) * (m + 1) + (y)]
	for (size_t x = n; t && x-- > 0;) {
		for (size_t y = m; y-- > 0;) {
			unsigned w = weight(env, x, y);
			uint32_t best = T(x + 1, y) >= T(x, y + 1) ? T(x + 1, y) : T(x, y + 1);

			if (w && T(x + 1, y + 1) + w > best)
				best = T(x + 1, y + 1) + w;
			T(x, y) = best;
		}
	}
	while (i < n && j < m) {
		unsigned w = weight(env, i, j);

		if (t ? w && T(i, j) == T(i + 1, j + 1) + w : w != 0) {
			pairs[got][0] = i++;
			pairs[got][1] = j++;
			got++;
		} else if (t ? T(i + 1, j) >= T(i, j + 1) : n - i > m - j) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
	return got;
}

unsigned line_similarity(const char *a, const char *b)
{
	size_t i = 0;
	unsigned equal_args = 0, depth = 0;
	bool quoted = false;

	if (strcmp(a, b) == 0)
		return SIMILAR_SAME;
	/* the syscall name: up to '(' */
	while (a[i] && a[i] == b[i] && a[i] != '(')
		i++;
	if (i == 0 || a[i] != '(' || b[i] != '(')
		return 0;
	/* then how many leading arguments are the same */
	for (i++; a[i] && a[i] == b[i]; i++) {
		char c = a[i];

		if (quoted) {
			if (c == '\\' && a[i + 1] && a[i + 1] == b[i + 1])
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"')
			quoted = true;
		else if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth > 0)
			depth--;
		else if ((c == ',' || c == ')') && depth == 0)
			equal_args++;
		if (c == ')' && depth == 0)
			break;
	}
	return 1 + (equal_args < SIMILAR_SAME - 2 ? equal_args : SIMILAR_SAME - 2);
}

static void add_row(struct alignment *al, long li, long ri)
{
	struct align_row *row;

	al->rows = grow_array(al->rows, &al->cap, al->n + 1, sizeof(*al->rows));
	row = &al->rows[al->n++];
	row->left = li;
	row->right = ri;
	if (li >= 0 && ri >= 0)
		row->kind = strcmp(al->l->lines[li].text, al->r->lines[ri].text) == 0 ? ROW_SAME : ROW_DIFF;
	else
		row->kind = li >= 0 ? ROW_LEFT : ROW_RIGHT;
	row->phase = li >= 0 ? al->l->lines[li].phase : al->r->lines[ri].phase;
}

struct run {
	size_t start, len;
};

static size_t cut_runs(const struct story *s, struct run *runs)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (n > 0 && s->lines[runs[n - 1].start].phase == s->lines[i].phase) {
			runs[n - 1].len++;
			continue;
		}
		runs[n].start = i;
		runs[n].len = 1;
		n++;
	}
	return n;
}

/* What the LCS weighs: the runs a[] and b[] of the left and right story,
 * or the lines of the runs *a and *b. */
struct weigh {
	const struct story *l, *r;
	const struct run *a, *b;
	bool cheap; /* too much work to weigh every line: first lines only */
};

static unsigned line_weight(void *env, size_t i, size_t j)
{
	const struct weigh *e = env;

	return line_similarity(e->l->lines[e->a->start + i].text, e->r->lines[e->b->start + j].text);
}

/* Two runs with the same phase: the most similar lines paired, the rest
 * zipped. */
static void align_run(struct alignment *al, const struct run *a, const struct run *b)
{
	size_t(*pairs)[2] = xcalloc(a->len < b->len ? a->len : b->len, sizeof(*pairs));
	struct weigh env = { al->l, al->r, a, b, false };
	size_t np = wlcs_pairs(a->len, b->len, line_weight, &env, pairs), i = 0, j = 0;

	for (size_t p = 0; p <= np; p++) {
		size_t ei = p < np ? pairs[p][0] : a->len, ej = p < np ? pairs[p][1] : b->len;

		for (; i < ei && j < ej; i++, j++)
			add_row(al, (long)(a->start + i), (long)(b->start + j));
		for (; i < ei; i++)
			add_row(al, (long)(a->start + i), -1);
		for (; j < ej; j++)
			add_row(al, -1, (long)(b->start + j));
		if (p < np)
			add_row(al, (long)(a->start + i++), (long)(b->start + j++));
	}
	free(pairs);
}

static size_t clipped(size_t len)
{
	return len < ALIGN_WEIGH_LINES ? len : ALIGN_WEIGH_LINES;
}

/* Runs of the same phase match; each line of the left run that has a
 * similar line in the right run makes the match worth more, so that
 * "connect = EINPROGRESS" on both sides lines up rather than whichever
 * same-phase run comes first. */
static unsigned run_weight(void *env, size_t i, size_t j)
{
	const struct weigh *e = env;
	const struct run *a = &e->a[i], *b = &e->b[j];
	unsigned w = 1;

	if (e->l->lines[a->start].phase != e->r->lines[b->start].phase)
		return 0;
	if (e->cheap)
		return strcmp(e->l->lines[a->start].text, e->r->lines[b->start].text) == 0 ? 1 + SIMILAR_SAME : 1;
	for (size_t x = 0; x < clipped(a->len); x++) {
		unsigned best = 0;

		for (size_t y = 0; y < clipped(b->len) && best < SIMILAR_SAME; y++) {
			unsigned sim = line_similarity(e->l->lines[a->start + x].text, e->r->lines[b->start + y].text);

			if (sim > best)
				best = sim;
		}
		w += best;
	}
	return w;
}

/* How many line comparisons weighing every same-phase pair would take. */
static size_t weigh_work(const struct weigh *e, size_t na, size_t nb)
{
	size_t work = 0;

	for (size_t x = 0; x < na && work <= ALIGN_WEIGH_BUDGET; x++) {
		size_t right = 0;

		for (size_t y = 0; y < nb; y++)
			if (e->l->lines[e->a[x].start].phase == e->r->lines[e->b[y].start].phase)
				right += clipped(e->b[y].len);
		work += clipped(e->a[x].len) * right;
	}
	return work;
}

void align_stories(const struct story *left, const struct story *right, struct alignment *out)
{
	struct run *ra = xcalloc(left->n, sizeof(*ra)), *rb = xcalloc(right->n, sizeof(*rb));
	size_t na = cut_runs(left, ra), nb = cut_runs(right, rb);
	size_t(*pairs)[2] = xcalloc(na < nb ? na : nb, sizeof(*pairs));
	struct weigh env = { left, right, ra, rb, false };
	size_t np, i = 0, j = 0;

	*out = (struct alignment){ .l = left, .r = right };
	env.cheap = na > 0 && nb > 0 && ((na + 1) > ALIGN_WEIGH_MAX / (nb + 1) || weigh_work(&env, na, nb) > ALIGN_WEIGH_BUDGET);
	np = wlcs_pairs(na, nb, run_weight, &env, pairs);
	for (size_t p = 0; p <= np; p++) {
		size_t ei = p < np ? pairs[p][0] : na, ej = p < np ? pairs[p][1] : nb;

		for (; i < ei; i++)
			for (size_t k = 0; k < ra[i].len; k++)
				add_row(out, (long)(ra[i].start + k), -1);
		for (; j < ej; j++)
			for (size_t k = 0; k < rb[j].len; k++)
				add_row(out, -1, (long)(rb[j].start + k));
		if (p < np)
			align_run(out, &ra[i++], &rb[j++]);
	}
	free(ra);
	free(rb);
	free(pairs);
}

void alignment_free(struct alignment *a)
{
	free(a->rows);
	memset(a, 0, sizeof(*a));
}
