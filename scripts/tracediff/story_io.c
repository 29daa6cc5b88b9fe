/* story_io.c: printing and reading back stories (see story_io.h). */
#include "story_io.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "collapse.h"
#include "trace.h"

char *story_line_shown(const struct story_line *l, bool counts)
{
	struct sbuf b = { 0 };

	sb_puts(&b, l->text);
	if (l->count > 1 || l->block) {
		if (counts)
			sb_printf(&b, "  x%lu", l->count);
		else
			sb_puts(&b, "  xN");
	}
	return sb_take(&b);
}

static void note_count(struct sbuf *b, unsigned long n, bool counts)
{
	if (counts)
		sb_printf(b, "%lu", n);
	else
		sb_puts(b, "N");
}

char *story_poll_note(const struct story *s, bool counts)
{
	struct sbuf b = { 0 };

	if (s->hidden_polls == 0 && s->hidden_rewaits == 0 && s->hidden_idle == 0 && s->hidden_wakes == 0)
		return NULL;
	sb_puts(&b, "runtime poller, not shown: ");
	note_count(&b, s->hidden_polls, counts);
	sb_puts(&b, " empty polls (timeout 0), ");
	note_count(&b, s->hidden_rewaits, counts);
	sb_puts(&b, " repeated timeouts, ");
	note_count(&b, s->hidden_idle, counts);
	sb_puts(&b, " waits idle at exit, ");
	note_count(&b, s->hidden_wakes, counts);
	sb_puts(&b, " wake-pipe calls");
	return sb_take(&b);
}

void story_format(const struct story *s, bool counts, struct sbuf *out)
{
	char *note;

	sb_printf(out, "%s%s%s\n", STORY_HEADER, s->name, STORY_HEADER_END);
	for (size_t i = 0; i < s->n; i++) {
		char *shown = story_line_shown(&s->lines[i], counts);

		sb_printf(out, "%-*s %s\n", PHASE_WIDTH, s->lines[i].phase, shown);
		free(shown);
	}
	note = story_poll_note(s, counts);
	if (note) {
		sb_printf(out, "# %s\n", note);
		free(note);
	}
	for (size_t i = 0; i < s->notes.n; i++)
		sb_printf(out, "# %s\n", s->notes.v[i]);
}

bool story_is_saved(const char *text, size_t len)
{
	size_t hl = strlen(STORY_HEADER);

	return len >= hl && memcmp(text, STORY_HEADER, hl) == 0;
}

static char *clean(const char *s, size_t n)
{
	char *d = xstrndup(s, n);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			d[i] = '?';
	return d;
}

void story_parse_saved(const char *text, size_t len, struct story *out)
{
	size_t pos = 0, line = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - pos;
		const char *s = text + pos;

		while (n > 0 && s[n - 1] == '\r')
			n--;
		if (line++ == 0) {
			size_t hl = strlen(STORY_HEADER), el = strlen(STORY_HEADER_END);
			size_t a = hl, b = n;

			if (b >= a + el && memcmp(s + b - el, STORY_HEADER_END, el) == 0)
				b -= el;
			out->name = clean(s + a, b > a ? b - a : 0);
		} else if (n > 0 && s[0] == '#') {
			size_t a = (n > 1 && s[1] == ' ') ? 2 : 1;

			sv_push(&out->notes, clean(s + a, n - a));
		} else {
			size_t p = 0, t;

			while (p < n && s[p] != ' ')
				p++;
			t = p;
			while (t < n && s[t] == ' ')
				t++;
			if (p > 0 || t < n) {
				char *phase = clean(s, p), *body = clean(s + t, n - t);

				story_add(out, p ? phase : "-", body, 1, 0);
				free(phase);
				free(body);
			}
		}
		pos = nl ? end + 1 : len;
	}
	if (!out->name)
		out->name = xstrdup("");
}

void story_load(const char *text, size_t len, const char *name, struct story *out)
{
	struct trace t = { 0 };
	struct story raw;
	char *note;

	if (story_is_saved(text, len)) {
		story_parse_saved(text, len, out);
		return;
	}
	trace_parse(text, len, &t);
	story_from_trace(&t, name, NULL, &raw);
	trace_free(&t);
	story_collapse(&raw);
	memset(out, 0, sizeof(*out));
	out->name = xstrdup(raw.name);
	for (size_t i = 0; i < raw.n; i++) {
		char *shown = story_line_shown(&raw.lines[i], false);

		story_add(out, raw.lines[i].phase, shown, 1, 0);
		free(shown);
	}
	note = story_poll_note(&raw, false);
	if (note)
		sv_push(&out->notes, note);
	story_free(&raw);
}
