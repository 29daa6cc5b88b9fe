/* side_by_side.c: the text rendering (see side_by_side.h). */
#include "side_by_side.h"

#include <stdlib.h>
#include <string.h>

#include "phases.h"

#define ELLIPSIS "\xe2\x80\xa6"

/* The column a note's continuation lines start at: "#   " keeps them
 * comment lines and sets them apart from the next note. */
#define NOTE_INDENT 4

static bool is_utf8_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (!is_utf8_continuation(*s))
			w++;
	return w;
}

/* The byte index just past the character that starts at s[i]. */
static size_t next_char(const char *s, size_t i)
{
	i++;
	while (is_utf8_continuation(s[i]))
		i++;
	return i;
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
		i = next_char(s, i);
		w++;
	}
	sb_put(&b, s, i);
	sb_puts(&b, ELLIPSIS);
	return sb_take(&b);
}

/* Placeholders (SOCK, EPFD, WAKE_R) and names are made of these: a hard
 * break between two of them would split a word the reader looks for. */
static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* s[pos..end) without the spaces it ends in. */
static size_t trim_spaces(const char *s, size_t pos, size_t end)
{
	while (end > pos && s[end - 1] == ' ')
		end--;
	return end;
}

/* The columns of the token s starts with: up to a space or the end. */
static size_t token_width(const char *s)
{
	size_t i = 0, cols = 0;

	while (s[i] && s[i] != ' ') {
		i = next_char(s, i);
		cols++;
	}
	return cols;
}

/* How good a break at s[b] (where the next piece would start, after a run
 * of spaces) is: an argument list reads best cut after ", ", and a result
 * best kept whole with its "=", so that "= -1 EAGAIN" starts a line rather
 * than a line ending in "=". */
enum break_quality { BREAK_AVOID, BREAK_PLAIN, BREAK_GOOD };

static enum break_quality quality_at(const char *s, size_t piece_start, size_t b)
{
	size_t end = trim_spaces(s, piece_start, b);

	if ((s[b] == '=' && s[b + 1] == ' ') || (end > piece_start && s[end - 1] == ','))
		return BREAK_GOOD;
	if (end > piece_start && s[end - 1] == '=')
		return BREAK_AVOID;
	return BREAK_PLAIN;
}

/* Where the piece that starts at s[pos] ends, given that the rest is wider
 * than width; *next is where the following piece starts, past the spaces
 * the break drops. */
static size_t piece_end(const char *s, size_t pos, size_t width, size_t *next)
{
	size_t i = pos, cols = 0;
	size_t at[3] = { 0, 0, 0 }, at_cols[3] = { 0, 0, 0 }; /* the last break of each quality */
	size_t word_edge = 0, word_edge_cols = 0, soft, soft_cols;
	bool seen_text = false; /* spaces alone make no piece */

	while (s[i] && cols < width) {
		seen_text = seen_text || s[i] != ' ';
		i = next_char(s, i);
		cols++;
		if (seen_text && s[i - 1] == ' ' && s[i] != ' ' && s[i]) {
			enum break_quality q = quality_at(s, pos, i);

			at[q] = i;
			at_cols[q] = cols;
		}
		if (s[i] && !(is_word_char(s[i - 1]) && is_word_char(s[i]))) {
			word_edge = i;
			word_edge_cols = cols;
		}
	}
	/* spaces just past the last column are a break too: they go */
	if (seen_text && s[i] == ' ') {
		size_t after = i;

		while (s[after] == ' ')
			after++;
		if (!s[after]) {
			*next = after;
			return trim_spaces(s, pos, i);
		}
		at[quality_at(s, pos, after)] = after;
		at_cols[quality_at(s, pos, after)] = cols;
	}
	/* the latest break, but a good one a little earlier beats a plain one */
	soft = at[BREAK_GOOD] > at[BREAK_PLAIN] ? at[BREAK_GOOD] : at[BREAK_PLAIN];
	soft_cols = at_cols[BREAK_GOOD] > at_cols[BREAK_PLAIN] ? at_cols[BREAK_GOOD] : at_cols[BREAK_PLAIN];
	if (at[BREAK_GOOD] && soft_cols - at_cols[BREAK_GOOD] <= width / 4)
		soft = at[BREAK_GOOD];
	/* a line ending in "=" rather than a cut, unless the value after it is
	 * too wide for a line anyway and the "=" would sit alone */
	if (!soft && at[BREAK_AVOID] &&
	    (at_cols[BREAK_AVOID] * 2 >= width || token_width(s + at[BREAK_AVOID]) <= width))
		soft = at[BREAK_AVOID];
	if (soft) {
		*next = soft;
		return trim_spaces(s, pos, soft);
	}
	/* one token wider than the column: cut it, at the edge of a word when
	 * there is one in the second half of the line */
	{
		size_t cut = word_edge && word_edge_cols * 2 >= width ? word_edge : i;

		*next = cut;
		while (s[*next] == ' ')
			(*next)++;
		return cut;
	}
}

void wrap_text(const char *s, size_t width, struct strvec *pieces)
{
	size_t pos = 0;

	if (width == 0)
		width = 1;
	for (;;) {
		size_t end, next;

		if (text_width(s + pos) <= width) {
			sv_push(pieces, xstrdup(s + pos));
			return;
		}
		end = piece_end(s, pos, width, &next);
		sv_push(pieces, xstrndup(s + pos, end - pos));
		pos = next;
		if (!s[pos])
			return;
	}
}

static void wrap_printable(const char *s, size_t width, struct strvec *pieces)
{
	char *clean = printable_copy(s, strlen(s));

	wrap_text(clean, width, pieces);
	free(clean);
}

static void put_n(struct sbuf *b, char c, size_t n)
{
	while (n--)
		sb_putc(b, c);
}

/* colour NULL: plain. */
static void phase_cell(struct sbuf *b, const char *phase, const struct phase_colour *colour)
{
	char *clean = printable_copy(phase, strlen(phase)), *fitted = fit_text(clean, PHASE_WIDTH);

	/* the colour ends on the phase name: it never runs into the cells */
	if (colour)
		sb_printf(b, "\033[%sm%s\033[0m", colour->ansi, fitted);
	else
		sb_puts(b, fitted);
	put_n(b, ' ', PHASE_WIDTH + 1 - text_width(fitted));
	free(clean);
	free(fitted);
}

static void trim_line(struct sbuf *b, size_t line_start)
{
	while (b->len > line_start && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	sb_putc(b, '\n');
}

static const char *const MARKS[] = { [ROW_SAME] = "   ", [ROW_DIFF] = " | ", [ROW_LEFT] = " < ", [ROW_RIGHT] = " > " };
static const char *const MARK_COLOURS[] = { [ROW_DIFF] = "1;33", [ROW_LEFT] = "1;31", [ROW_RIGHT] = "1;32" };

/* What one row of the table shows: the header or an aligned pair. */
struct row_text {
	const char *phase;
	const struct phase_colour *colour; /* NULL: plain */
	const char *left, *right;
	const char *mark, *mark_colour; /* mark_colour NULL: plain */
};

/* One row: as many lines as its taller cell needs. The phase and the mark
 * are on the first line only, so a blank phase column says "the call
 * above goes on"; every line carries its own escape codes, reset on the
 * same line, so any one line shows right alone (a pager, grep). */
static void table_row(struct sbuf *out, const struct row_text *r, size_t lw, size_t rw, bool colour)
{
	struct strvec left = { 0 }, right = { 0 };
	size_t lines;

	wrap_printable(r->left, lw, &left);
	wrap_printable(r->right, rw, &right);
	lines = left.n > right.n ? left.n : right.n;
	for (size_t k = 0; k < lines; k++) {
		size_t start = out->len;
		const char *l = k < left.n ? left.v[k] : "";
		const char *rt = k < right.n ? right.v[k] : "";

		if (k == 0)
			phase_cell(out, r->phase, colour ? r->colour : NULL);
		else
			put_n(out, ' ', PHASE_WIDTH + 1);
		sb_puts(out, l);
		put_n(out, ' ', lw - text_width(l));
		if (k > 0)
			sb_puts(out, "   ");
		else if (colour && r->mark_colour)
			sb_printf(out, "\033[%sm%s\033[0m", r->mark_colour, r->mark);
		else
			sb_puts(out, r->mark);
		sb_puts(out, rt);
		trim_line(out, start);
	}
	sv_free(&left);
	sv_free(&right);
}

/* "# TITLE: note", wrapped; continuation lines indented under the text. */
static void notes(struct sbuf *b, const struct story *s, const char *title, size_t width)
{
	for (size_t i = 0; i < s->notes.n; i++) {
		struct sbuf note = { 0 };
		struct strvec pieces = { 0 };

		sb_printf(&note, "%s: %s", title, s->notes.v[i]);
		wrap_printable(note.s, width - NOTE_INDENT, &pieces);
		for (size_t k = 0; k < pieces.n; k++)
			sb_printf(b, "%-*s%s\n", k == 0 ? 2 : NOTE_INDENT, "#", pieces.v[k]);
		sv_free(&pieces);
		sb_free(&note);
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

	/* the titles, then a rule */
	table_row(out, &(struct row_text){ .phase = "phase", .left = lt, .right = rt, .mark = "   " }, lw, rw,
		  false);
	put_n(out, '-', PHASE_WIDTH);
	sb_putc(out, ' ');
	put_n(out, '-', lw);
	sb_puts(out, "   ");
	put_n(out, '-', rw);
	sb_putc(out, '\n');
	for (size_t i = 0; i < al->n; i++) {
		const struct align_row *row = &al->rows[i];
		struct row_text r = {
			.phase = phase_name(row->phase),
			.colour = phase_colour(row->phase),
			.left = row->left >= 0 ? left->lines[row->left].text : "",
			.right = row->right >= 0 ? right->lines[row->right].text : "",
			/* nothing on the right: no trailing space after the marker */
			.mark = row->right < 0 ? " <" : MARKS[row->kind],
			.mark_colour = MARK_COLOURS[row->kind],
		};

		table_row(out, &r, lw, rw, opts->colour);
	}
	notes(out, left, lt, width);
	notes(out, right, rt, width);
}
