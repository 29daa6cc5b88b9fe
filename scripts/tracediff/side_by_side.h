/* side_by_side.h: two aligned stories as text columns.
 *
 *   phase          LEFT-TITLE                       RIGHT-TITLE
 *   -------------- -------------------------------- ------------------
 *   create         socket(...) = SOCK               socket(...) = SOCK
 *   connect        connect(SOCK, ...) = -1 EINP…  | connect(SOCK, ...)…
 *   arm-deadline   timerfd_settime(TIMER, ...) <
 *   wake                                          > write(WAKE_W, ...)
 * The phase sits in a 14-column margin; between the columns ` | ` marks
 * lines that differ, `   ` identical ones, ` < ` / ` > ` a line on one side
 * only. Lines never exceed the width: long cells end in "…". Notes of either
 * story follow the table. Colour (ANSI) only when asked. */
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

#endif
