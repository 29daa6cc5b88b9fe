/* normalize.h: a trace file's text to its story, the whole pipeline:
 * strace lines to calls, unfinished and resumed halves merged (trace.h);
 * fd roles (fds.h); a phase and placeholders per call (story.h); repeats
 * collapsed (collapse.h); printed (story_io.h). A saved story (story_io.h)
 * is read back instead. */
#ifndef TRACEDIFF_NORMALIZE_H
#define TRACEDIFF_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "story.h"
#include "util.h"

/* The story of text[0..len), a raw trace (titled name) or a saved story,
 * collapsed; show_all keeps the runtime poller's own calls. */
void story_read(const char *text, size_t len, const char *name, bool show_all, struct story *out);
/* The same as lines are printed without --counts (story_flatten()), for
 * the side by side. */
void story_load(const char *text, size_t len, const char *name, struct story *out);

/* `normalize`: the story printed, appended to out. */
void normalize_text(const char *text, size_t len, const char *name, bool counts, struct sbuf *out);
void normalize_text_all(const char *text, size_t len, const char *name, bool counts, bool show_all,
			struct sbuf *out);
/* The story of the file at path, titled with its base name; NULL with
 * errno set when it cannot be read. */
char *normalize_file(const char *path, bool counts);

/* `normalize --calls`: each call of the story, nothing collapsed, as "TID
 * PHASE CALL" (the thread, "-" without pid prefixes; the phase padded as in
 * a story), no header, no notes: lines a lab counts and filters by thread.
 * false, appending nothing, for a saved story: its "  xN" lines cannot be
 * expanded back into calls. */
bool normalize_calls(const char *text, size_t len, bool show_all, struct sbuf *out);

#endif
