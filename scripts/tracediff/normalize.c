/* normalize.c: the pipeline, from text to story text (see tracediff.h). */
#include "tracediff.h"

/* Every call that matters, one line each. */
static void calls_of_trace(const char *text, size_t len, const char *name, bool show_all, struct story *out)
{
	struct trace t = { 0 };

	trace_parse(text, len, &t);
	story_from_trace(&t, name, show_all, out);
	trace_free(&t);
}

static void story_read(const char *text, size_t len, const char *name, bool show_all, struct story *out)
{
	if (story_is_saved(text, len)) {
		story_parse_saved(text, len, out);
		return;
	}
	calls_of_trace(text, len, name, show_all, out);
	story_collapse(out);
}

void normalize_text(const char *text, size_t len, const char *name, bool counts, bool show_all, struct sbuf *out)
{
	struct story s;

	story_read(text, len, name, show_all, &s);
	story_format(&s, counts, out);
	story_free(&s);
}

void story_load(const char *text, size_t len, const char *name, struct story *out)
{
	story_read(text, len, name, false, out);
	story_flatten(out);
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
