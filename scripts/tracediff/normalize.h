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

/* `normalize --calls`: every call of text's story, nothing collapsed, one
 * line each, "TID PHASE CALL" (the thread id or "-" when strace printed no
 * pid prefix, one space, the phase padded to 14 as in a story, a space, the
 * call), no header and no notes: lines a lab can count and filter by
 * thread. The story's rules otherwise (show_all as in normalize_text_all).
 * Returns false, appending nothing, when text is a saved story: its "  xN"
 * lines cannot be expanded back into calls, nor its threads recovered. */
bool normalize_calls(const char *text, size_t len, bool show_all, struct sbuf *out);

/* The story of the file at path, titled with its base name; NULL with errno
 * set when it cannot be read. The caller frees it. */
char *normalize_file(const char *path, bool counts);

#endif
