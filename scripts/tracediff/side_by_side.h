/* side_by_side.h: two aligned stories as text columns, the phase in a
 * 14-column margin, a marker between the columns (README.md, "Side by
 * side"). A call wider than its column wraps onto continuation lines
 * (wrap_text()); nothing is cut but a phase name wider than the margin,
 * and no line is wider than the width. Colour, when asked, is opened and
 * reset on each line, so that any line reads right alone. */
#ifndef TRACEDIFF_SIDE_BY_SIDE_H
#define TRACEDIFF_SIDE_BY_SIDE_H

#include <stdbool.h>

#include "align.h"
#include "story.h"
#include "util.h"

#define SBS_MIN_WIDTH 30
#define SBS_MAX_WIDTH 10000
#define SBS_DEFAULT_WIDTH 100

struct sbs_opts {
	int width;
	bool colour;
	const char *left_title, *right_title;
};

void side_by_side_text(const struct story *left, const struct story *right, const struct alignment *al,
		       const struct sbs_opts *opts, struct sbuf *out);

/* Columns, a UTF-8 sequence counting one. */
size_t text_width(const char *s);
/* s cut to width columns, a cut ending in "…". */
char *fit_text(const char *s, size_t width);
/* s in pieces of at most width columns (0 counts as 1), appended; at least
 * one. A piece ends at a run of spaces, which is dropped, preferably after
 * ", " or before a result's "="; elsewhere only inside a token wider than
 * width, at a word's edge in the second half of the line (not inside SOCK
 * or EPFD), else at width. So s is p0 g0 p1 g1 ... pN gN, the p the pieces
 * and each g zero or more spaces. */
void wrap_text(const char *s, size_t width, struct strvec *pieces);

#endif
