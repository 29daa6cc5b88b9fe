/* align.h: two stories row by row. Each is cut into runs of same-phase
 * lines; the runs, then the lines of paired runs, are aligned by a
 * weighted LCS (README.md, "Side by side"). Ties go the same way every time
 * (left-only rows first). Past ALIGN_LCS_MAX table cells the LCS falls back
 * to a greedy in-order match. */
#ifndef TRACEDIFF_ALIGN_H
#define TRACEDIFF_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "story.h"

#define ALIGN_LCS_MAX (4u * 1024 * 1024)
/* A pair's weight looks at most ALIGN_WEIGH_LINES lines of each run. Past
 * ALIGN_WEIGH_MAX run pairs, or when weighing them all would take more than
 * ALIGN_WEIGH_BUDGET line comparisons, every same-phase pair weighs 1, plus
 * SIMILAR_SAME when the runs' first lines are identical. */
#define ALIGN_WEIGH_MAX (256u * 1024)
#define ALIGN_WEIGH_LINES 16u
#define ALIGN_WEIGH_BUDGET (8u * 1024 * 1024)

enum row_kind {
	ROW_SAME,  /* both sides, identical text */
	ROW_DIFF,  /* both sides, different text */
	ROW_LEFT,  /* left only */
	ROW_RIGHT, /* right only */
};

struct align_row {
	long left, right; /* line indices, -1 for a blank */
	enum row_kind kind;
	enum phase phase;
};

struct alignment {
	struct align_row *rows;
	size_t n, cap;
};

void align_stories(const struct story *left, const struct story *right, struct alignment *out);
void alignment_free(struct alignment *a);

/* The LCS both levels use: weight(env, i, j) is what matching a[i] with
 * b[j] is worth (0: they cannot match); pairs gets the (i, j) index pairs
 * of the best alignment, in order; returns how many. pairs must hold
 * min(n, m) pairs. */
size_t wlcs_pairs(size_t n, size_t m, unsigned (*weight)(void *env, size_t i, size_t j), void *env,
		  size_t (*pairs)[2]);
#define SIMILAR_SAME 8

/* How alike two story lines are: SIMILAR_SAME when identical; for the same
 * syscall 1 plus the number of leading arguments that are the same (at
 * most SIMILAR_SAME - 2); 0 for different syscalls. */
unsigned line_similarity(const char *a, const char *b);
/* The plain LCS of two string sequences (weight 1 when equal). */
size_t lcs_pairs(const char *const *a, size_t n, const char *const *b, size_t m, size_t (*pairs)[2]);

#endif
