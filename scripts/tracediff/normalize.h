/* normalize.h: `tracediff normalize`: a trace file's story as text. */
#ifndef TRACEDIFF_NORMALIZE_H
#define TRACEDIFF_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The story of text[0..len) (a raw trace, or a saved story printed back),
 * titled name, appended to out. */
void normalize_text(const char *text, size_t len, const char *name, bool counts, struct sbuf *out);

/* The same, with show_all keeping the runtime poller's own calls (its
 * wake-ups, empty polls, repeated timeouts) that a story leaves out. */
void normalize_text_all(const char *text, size_t len, const char *name, bool counts, bool show_all,
			struct sbuf *out);

/* The story of the file at path, titled with its base name; NULL with errno
 * set when it cannot be read. The caller frees it. */
char *normalize_file(const char *path, bool counts);

#endif
