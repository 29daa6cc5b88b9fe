/* normalize.c: the pipeline, from text to story text (see normalize.h). */
#include "normalize.h"

#include <stdlib.h>

#include "collapse.h"
#include "story_io.h"
#include "trace.h"

/* Every call that matters, one line each. */
static void calls_of_trace(const char *text, size_t len, const char *name, bool show_all, struct story *out)
{
	struct story_opts opts = { .show_runtime_polls = show_all };
	struct trace t = { 0 };

	trace_parse(text, len, &t);
	story_from_trace(&t, name, &opts, out);
	trace_free(&t);
}

void story_read(const char *text, size_t len, const char *name, bool show_all, struct story *out)
{
	if (story_is_saved(text, len)) {
		story_parse_saved(text, len, out);
		return;
	}
	calls_of_trace(text, len, name, show_all, out);
	story_collapse(out);
}

void story_load(const char *text, size_t len, const char *name, struct story *out)
{
	story_read(text, len, name, false, out);
	story_flatten(out);
}

void normalize_text_all(const char *text, size_t len, const char *name, bool counts, bool show_all,
			struct sbuf *out)
{
	struct story s;

	story_read(text, len, name, show_all, &s);
	story_format(&s, counts, out);
	story_free(&s);
}

void normalize_text(const char *text, size_t len, const char *name, bool counts, struct sbuf *out)
{
	normalize_text_all(text, len, name, counts, false, out);
}

char *normalize_file(const char *path, bool counts)
{
	struct sbuf out = { 0 };
	size_t len;
	char *text = read_whole_file(path, &len);

	if (!text)
		return NULL;
	normalize_text(text, len, path_basename(path), counts, &out);
	free(text);
	return sb_take(&out);
}

bool normalize_calls(const char *text, size_t len, bool show_all, struct sbuf *out)
{
	struct story s;

	if (story_is_saved(text, len))
		return false;
	calls_of_trace(text, len, "", show_all, &s);
	for (size_t i = 0; i < s.n; i++) {
		if (s.lines[i].tid == STORY_NO_TID)
			sb_puts(out, "-");
		else
			sb_printf(out, "%ld", s.lines[i].tid);
		sb_printf(out, " %-*s %s\n", PHASE_WIDTH, phase_name(s.lines[i].phase), s.lines[i].text);
	}
	story_free(&s);
	return true;
}
