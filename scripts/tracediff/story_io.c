/* story_io.c: printing and reading back stories (see tracediff.h). */
#include "tracediff.h"

#include <stdlib.h>
#include <string.h>

#define STORY_HEADER "# ctxlab story: "
#define STORY_HEADER_END " (tracediff normalize)"

/* The text of a line as printed after the phase column. */
static char *line_shown(const struct story_line *l, bool counts)
{
	if (l->count <= 1 && !l->block)
		return xstrdup(l->text);
	return counts ? xasprintf("%s  x%lu", l->text, l->count) : xasprintf("%s  xN", l->text);
}

/* The note about what the runtime poller's calls left out, or NULL. */
static char *poll_note(const struct story *s, bool counts)
{
	const unsigned long n[] = { s->hidden_polls, s->hidden_rewaits, s->hidden_idle, s->hidden_wakes };
	static const char *const what[] = { " empty polls (timeout 0), ", " repeated timeouts, ",
					     " waits idle at exit, ", " wake-pipe calls" };
	struct sbuf b = { 0 };

	if (!n[0] && !n[1] && !n[2] && !n[3])
		return NULL;
	sb_puts(&b, "runtime poller, not shown: ");
	for (size_t i = 0; i < 4; i++) {
		if (counts)
			sb_printf(&b, "%lu", n[i]);
		else
			sb_puts(&b, "N");
		sb_puts(&b, what[i]);
	}
	return sb_take(&b);
}

void story_format(const struct story *s, bool counts, struct sbuf *out)
{
	char *note = poll_note(s, counts);

	sb_printf(out, "%s%s%s\n", STORY_HEADER, s->name, STORY_HEADER_END);
	for (size_t i = 0; i < s->n; i++) {
		char *shown = line_shown(&s->lines[i], counts);

		sb_printf(out, "%-*s %s\n", PHASE_WIDTH, phase_name(s->lines[i].phase), shown);
		free(shown);
	}
	if (note)
		sb_printf(out, "# %s\n", note);
	free(note);
	for (size_t i = 0; i < s->notes.n; i++)
		sb_printf(out, "# %s\n", s->notes.v[i]);
}

void story_flatten(struct story *s)
{
	char *note = poll_note(s, false);

	for (size_t i = 0; i < s->n; i++) {
		char *shown = line_shown(&s->lines[i], false);

		free(s->lines[i].text);
		s->lines[i] = (struct story_line){ s->lines[i].phase, shown, 1, 0, STORY_NO_TID };
	}
	s->hidden_polls = s->hidden_rewaits = s->hidden_idle = s->hidden_wakes = 0;
	if (note)
		sv_push(&s->notes, note);
}

bool story_is_saved(const char *text, size_t len)
{
	return len >= strlen(STORY_HEADER) && memcmp(text, STORY_HEADER, strlen(STORY_HEADER)) == 0;
}

void story_parse_saved(const char *text, size_t len, struct story *out)
{
	size_t hl = strlen(STORY_HEADER), el = strlen(STORY_HEADER_END);

	memset(out, 0, sizeof(*out));
	for (size_t pos = 0, line = 0; pos < len; line++) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, p = 0, t;

		pos = nl ? pos + n + 1 : len;
		while (n > 0 && s[n - 1] == '\r')
			n--;
		if (line == 0) {
			size_t b = n >= hl + el && memcmp(s + n - el, STORY_HEADER_END, el) == 0 ? n - el : n;

			out->name = printable_copy(s + hl, b > hl ? b - hl : 0);
			continue;
		}
		if (n > 0 && s[0] == '#') {
			p = n > 1 && s[1] == ' ' ? 2 : 1;
			sv_push(&out->notes, printable_copy(s + p, n - p));
			continue;
		}
		while (p < n && s[p] != ' ')
			p++;
		for (t = p; t < n && s[t] == ' '; t++)
			;
		if (p > 0 || t < n) {
			char *phase = printable_copy(s, p), *body = printable_copy(s + t, n - t);

			story_add(out, p ? phase_parse(phase) : PHASE_OTHER, body, 1, 0);
			free(phase);
			free(body);
		}
	}
	if (!out->name)
		out->name = xstrdup("");
}
