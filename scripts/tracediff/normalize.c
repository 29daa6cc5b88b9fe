/* normalize.c: trace text to story text. */
#include "normalize.h"

#include <stdlib.h>

#include "collapse.h"
#include "story.h"
#include "story_io.h"
#include "trace.h"

void normalize_text(const char *text, size_t len, const char *name, bool counts, struct sbuf *out)
{
	normalize_text_all(text, len, name, counts, false, out);
}

void normalize_text_all(const char *text, size_t len, const char *name, bool counts, bool show_all,
			struct sbuf *out)
{
	struct story_opts opts = { .show_runtime_polls = show_all };
	struct story s;

	if (story_is_saved(text, len)) {
		story_parse_saved(text, len, &s);
	} else {
		struct trace t = { 0 };

		trace_parse(text, len, &t);
		story_from_trace(&t, name, &opts, &s);
		trace_free(&t);
		story_collapse(&s);
	}
	story_format(&s, counts, out);
	story_free(&s);
}

bool normalize_calls(const char *text, size_t len, bool show_all, struct sbuf *out)
{
	struct story_opts opts = { .show_runtime_polls = show_all };
	struct trace t = { 0 };
	struct story s;

	if (story_is_saved(text, len))
		return false;
	trace_parse(text, len, &t);
	story_from_trace(&t, "", &opts, &s);
	trace_free(&t);
	/* no story_collapse(): a lab counts these lines */
	for (size_t i = 0; i < s.n; i++) {
		const struct story_line *l = &s.lines[i];

		if (l->tid == STORY_NO_TID)
			sb_puts(out, "-");
		else
			sb_printf(out, "%ld", l->tid);
		sb_printf(out, " %-*s %s\n", PHASE_WIDTH, l->phase, l->text);
	}
	story_free(&s);
	return true;
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
