/* side_by_side.c: the text rendering (see side_by_side.h). */
#include "side_by_side.h"

#include <stdlib.h>
#include <string.h>

#include "palette.h"

#define ELLIPSIS "\xe2\x80\xa6"

size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

char *fit_text(const char *s, size_t width)
{
	size_t i = 0, w = 0;
	struct sbuf b = { 0 };

	if (text_width(s) <= width)
		return xstrdup(s);
	if (width == 0)
		return xstrdup("");
	/* keep width - 1 columns, then the ellipsis */
	while (s[i] && w < width - 1) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		w++;
	}
	sb_put(&b, s, i);
	sb_puts(&b, ELLIPSIS);
	return sb_take(&b);
}

/* Control characters would move the cursor: titles are user text. */
static char *printable(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return d;
}

static void pad(struct sbuf *b, size_t n)
{
	while (n--)
		sb_putc(b, ' ');
}

/* A cell: s fitted into width, then padded to it when pad_to is set. */
static void cell(struct sbuf *b, const char *s, size_t width, bool pad_to)
{
	char *clean = printable(s), *fitted = fit_text(clean, width);

	sb_puts(b, fitted);
	if (pad_to)
		pad(b, width - text_width(fitted));
	free(clean);
	free(fitted);
}

static void phase_cell(struct sbuf *b, const char *phase, bool colour)
{
	char *clean = printable(phase), *fitted = fit_text(clean, PHASE_WIDTH);

	if (colour)
		sb_printf(b, "\033[%sm%s\033[0m", phase_colour(phase)->ansi, fitted);
	else
		sb_puts(b, fitted);
	pad(b, PHASE_WIDTH + 1 - text_width(fitted));
	free(clean);
	free(fitted);
}

static void trim_line(struct sbuf *b, size_t line_start)
{
	while (b->len > line_start && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	sb_putc(b, '\n');
}

static const char *marker(enum row_kind k)
{
	switch (k) {
	case ROW_SAME:
		return "   ";
	case ROW_DIFF:
		return " | ";
	case ROW_LEFT:
		return " < ";
	case ROW_RIGHT:
		break;
	}
	return " > ";
}

static const char *marker_colour(enum row_kind k)
{
	return k == ROW_DIFF ? "1;33" : k == ROW_LEFT ? "1;31" : k == ROW_RIGHT ? "1;32" : NULL;
}

static void notes(struct sbuf *b, const struct story *s, const char *title, size_t width)
{
	for (size_t i = 0; i < s->notes.n; i++) {
		struct sbuf line = { 0 };

		sb_printf(&line, "# %s: %s", title, s->notes.v[i]);
		cell(b, line.s, width, false);
		sb_putc(b, '\n');
		sb_free(&line);
	}
}

void side_by_side_text(const struct story *left, const struct story *right, const struct alignment *al,
		       const struct sbs_opts *opts, struct sbuf *out)
{
	size_t width = (size_t)(opts->width < SBS_MIN_WIDTH ? SBS_MIN_WIDTH : opts->width);
	size_t avail = width - (PHASE_WIDTH + 1) - 3;
	size_t lw = avail / 2, rw = avail - lw;
	const char *lt = opts->left_title ? opts->left_title : left->name;
	const char *rt = opts->right_title ? opts->right_title : right->name;
	size_t start = out->len;

	/* the titles, then a rule */
	phase_cell(out, "phase", false);
	cell(out, lt, lw, true);
	sb_puts(out, "   ");
	cell(out, rt, rw, false);
	trim_line(out, start);
	for (size_t k = 0; k < PHASE_WIDTH; k++)
		sb_putc(out, '-');
	sb_putc(out, ' ');
	for (size_t k = 0; k < lw; k++)
		sb_putc(out, '-');
	sb_puts(out, "   ");
	for (size_t k = 0; k < rw; k++)
		sb_putc(out, '-');
	sb_putc(out, '\n');
	for (size_t i = 0; i < al->n; i++) {
		const struct align_row *row = &al->rows[i];
		/* nothing on the right: no trailing space after the marker */
		const char *m = row->right < 0 ? " <" : marker(row->kind);

		start = out->len;
		phase_cell(out, row->phase, opts->colour);
		cell(out, row->left >= 0 ? left->lines[row->left].text : "", lw, true);
		if (opts->colour && marker_colour(row->kind))
			sb_printf(out, "\033[%sm%s\033[0m", marker_colour(row->kind), m);
		else
			sb_puts(out, m);
		cell(out, row->right >= 0 ? right->lines[row->right].text : "", rw, false);
		trim_line(out, start);
	}
	notes(out, left, lt, width);
	notes(out, right, rt, width);
}
