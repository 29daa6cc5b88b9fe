/* story_io.h: stories as text.
 *
 * The format `tracediff normalize` prints, one line per story line:
 *   # ctxlab story: NAME (tracediff normalize)
 *   create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK
 *   read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)  xN
 * The phase is left-justified in a 14-character column and followed by one
 * space; a line that stands for several calls ends in "  xN" (the real
 * count with --counts). Comment lines start with "# ": the runtime poller
 * note comes last. A file whose first line starts "# ctxlab story: " is a
 * saved story, read back as it was printed. */
#ifndef TRACEDIFF_STORY_IO_H
#define TRACEDIFF_STORY_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "story.h"
#include "util.h"

#define STORY_HEADER "# ctxlab story: "
#define STORY_HEADER_END " (tracediff normalize)"

/* The text of a line as printed after the phase column: text and suffix. */
char *story_line_shown(const struct story_line *l, bool counts);
/* The note about hidden polls, or NULL when there is none. */
char *story_poll_note(const struct story *s, bool counts);

void story_format(const struct story *s, bool counts, struct sbuf *out);

bool story_is_saved(const char *text, size_t len);
void story_parse_saved(const char *text, size_t len, struct story *out);

/* A raw trace or a saved story, as the lines `normalize` prints (suffixes
 * part of the text, count 1) and its notes. name is used for raw traces. */
void story_load(const char *text, size_t len, const char *name, struct story *out);

#endif
