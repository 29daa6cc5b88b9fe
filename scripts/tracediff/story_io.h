/* story_io.h: stories as text, the format `tracediff normalize` prints:
 *   # ctxlab story: NAME (tracediff normalize)
 *   create         socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = SOCK
 *   read           read(SOCK, BUF, 128) = -1 EAGAIN (Resource temporarily unavailable)  xN
 * The phase left-justified in 14 columns and a space; "  xN" on a line that
 * stands for several calls (the real count with --counts); "# " comment
 * lines, the runtime poller's note last. A file whose first line starts
 * "# ctxlab story: " is a saved story, read back as it was printed. */
#ifndef TRACEDIFF_STORY_IO_H
#define TRACEDIFF_STORY_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "story.h"
#include "util.h"

#define STORY_HEADER "# ctxlab story: "
#define STORY_HEADER_END " (tracediff normalize)"

void story_format(const struct story *s, bool counts, struct sbuf *out);
bool story_is_saved(const char *text, size_t len);
void story_parse_saved(const char *text, size_t len, struct story *out);
/* s as printed without --counts: suffixes in the texts, every count 1, the
 * runtime poller's note among the notes. */
void story_flatten(struct story *s);

#endif
