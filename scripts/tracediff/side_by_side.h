/* side_by_side.h: two aligned stories as text columns.
 *
 *   phase          LEFT-TITLE                       RIGHT-TITLE
 *   -------------- -------------------------------- ------------------
 *   create         socket(...) = SOCK               socket(...) = SOCK
 *   connect        connect(SOCK, {sa_family=AF_INET, | connect(SOCK,
 *                  sin_port=htons(PORT)}, 16)          {sa_family=AF_INET,
 *                  = -1 EINPROGRESS                    sin_port=htons(PORT)},
 *                                                      16) = 0
 *   arm-deadline   timerfd_settime(TIMER, ...) <
 *   wake                                          > write(WAKE_W, ...)
 * The phase sits in a 14-column margin; between the columns ` | ` marks
 * lines that differ, `   ` identical ones, ` < ` / ` > ` a line on one side
 * only. A call wider than its column wraps onto continuation lines, blank
 * in the phase and marker columns (wrap_text()); a row is as tall as its
 * taller cell; nothing is cut but a phase name wider than 14 columns
 * (tracediff's own never are). No line exceeds the width. Notes of either
 * story follow the table, wrapped the same way, continuation lines
 * starting "#   ". Colour (ANSI) only when asked, opened and reset on the
 * same line. */
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

/* How many columns s takes (UTF-8 sequences count as one). */
size_t text_width(const char *s);
/* s cut to at most width columns; a cut ends in "…". */
char *fit_text(const char *s, size_t width);
/* s split into pieces of at most width columns (a width of 0 counts as 1),
 * appended to pieces; at least one piece, "" for an empty s. A piece ends
 * at a run of spaces, preferably after ", " or before a result's "=", and
 * that run is dropped; a piece ends elsewhere only when a single token is
 * wider than width, then at a word's edge (not inside SOCK or EPFD) when
 * one is in the second half of the line, else at exactly width columns.
 * So s == p0 g0 p1 g1 ... pN gN, where p are the pieces in order and each
 * g a run of zero or more spaces (empty inside a cut token), and only the
 * first piece can start with a space. */
void wrap_text(const char *s, size_t width, struct strvec *pieces);

#endif
