/* html.h: the side-by-side table as one self-contained HTML page: inline
 * CSS, no script, nothing fetched. One <tr> per aligned row, in <tbody>:
 * the phase (coloured, one colour per phase, with a legend), the two
 * stories, and the row's kind as its class (same, diff, left, right) and
 * marker cell. Every text is HTML-escaped. */
#ifndef TRACEDIFF_HTML_H
#define TRACEDIFF_HTML_H

#include "align.h"
#include "story.h"
#include "util.h"

void html_escape(struct sbuf *out, const char *s);

void side_by_side_html(const struct story *left, const struct story *right, const struct alignment *al,
		       const char *left_title, const char *right_title, struct sbuf *out);

#endif
