/* side_by_side.c: the side-by-side table as text and as an HTML page (see
 * tracediff.h). */
#include "tracediff.h"

#include <stdlib.h>
#include <string.h>

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

	if (text_width(s) <= width)
		return xstrdup(s);
	if (width == 0)
		return xstrdup("");
	/* keep width - 1 columns, then the ellipsis */
	while (s[i] && w < width - 1) {
		i = next_char(s, i);
		w++;
	}
	return xasprintf("%.*s" ELLIPSIS, (int)i, s);
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
		while (out->len > start && out->s[out->len - 1] == ' ')
			out->s[--out->len] = '\0';
		sb_putc(out, '\n');
	}
	sv_free(&left);
	sv_free(&right);
}

/* What the text table and the HTML page share. */

static void html_escape(struct sbuf *out, const char *s)
{
	static const char SPECIAL[] = "&<>\"'";
	static const char *const ENTITIES[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	for (; *s; s++) {
		const char *hit = strchr(SPECIAL, *s);

		if (hit)
			sb_puts(out, ENTITIES[hit - SPECIAL]);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sb_putc(out, '?');
		else
			sb_putc(out, *s);
	}
}

/* The column titles: the ones given, else the stories' names. */
static void titles(const struct alignment *al, const struct sbs_opts *opts, const char *title[2])
{
	title[0] = opts->left_title ? opts->left_title : al->l->name;
	title[1] = opts->right_title ? opts->right_title : al->r->name;
}

/* The stories' notes, "# TITLE: note": as text wrapped to width, the
 * continuation lines indented under the text; in HTML a paragraph each. */
static void notes(struct sbuf *out, const struct alignment *al, const char *const title[2], size_t width,
		  bool html)
{
	for (int side = 0; side < 2; side++) {
		const struct strvec *n = side ? &al->r->notes : &al->l->notes;

		for (size_t i = 0; i < n->n; i++) {
			char *note = xasprintf("%s: %s", title[side], n->v[i]);
			struct strvec pieces = { 0 };

			if (html) {
				sb_puts(out, "<p class=\"notes\"># ");
				html_escape(out, note);
				sb_puts(out, "</p>\n");
			} else {
				wrap_printable(note, width - NOTE_INDENT, &pieces);
				for (size_t k = 0; k < pieces.n; k++)
					sb_printf(out, "%-*s%s\n", k == 0 ? 2 : NOTE_INDENT, "#", pieces.v[k]);
			}
			sv_free(&pieces);
			free(note);
		}
	}
}

void side_by_side_text(const struct alignment *al, const struct sbs_opts *opts, struct sbuf *out)
{
	size_t width = (size_t)(opts->width < SBS_MIN_WIDTH ? SBS_MIN_WIDTH : opts->width);
	size_t avail = width - (PHASE_WIDTH + 1) - 3;
	size_t lw = avail / 2, rw = avail - lw;
	const char *title[2];

	titles(al, opts, title);
	table_row(out, &(struct row_text){ .phase = "phase", .left = title[0], .right = title[1], .mark = "   " }, lw,
		  rw, false);
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
			.left = row->left >= 0 ? al->l->lines[row->left].text : "",
			.right = row->right >= 0 ? al->r->lines[row->right].text : "",
			/* nothing on the right: no trailing space after the marker */
			.mark = row->right < 0 ? " <" : MARKS[row->kind],
			.mark_colour = MARK_COLOURS[row->kind],
		};

		table_row(out, &r, lw, rw, opts->colour);
	}
	notes(out, al, title, width, false);
}

/* The HTML page. */

static const char CSS[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em;color:#111}"
	"h1{font-size:1.2em}"
	"table{border-collapse:collapse;width:100%;table-layout:fixed}"
	"th,td{padding:2px 6px;vertical-align:top;border-bottom:1px solid #eee}"
	"td.l,td.r{font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}"
	"th{text-align:left;background:#f3f4f6}"
	"col.p{width:9em}col.m{width:1.5em}"
	"td.p{font-family:ui-monospace,monospace;font-size:12px;font-weight:600}"
	"td.m{text-align:center;font-family:ui-monospace,monospace;font-weight:700}"
	"tr.diff td.l,tr.diff td.r{background:#fff7d6}"
	"tr.left td.l{background:#ffe4e4}tr.right td.r{background:#e2f7e2}"
	".legend span{display:inline-block;margin:0 .4em .4em 0;padding:1px 6px;"
	"font-family:ui-monospace,monospace;font-size:12px;border-radius:3px}"
	".notes{font-family:ui-monospace,monospace;font-size:12px;color:#555}";

/* A phase cell's opening tag, with its colour, then its name. */
static void phase_in(struct sbuf *out, const char *tag, enum phase phase)
{
	sb_printf(out, "<%s style=\"background:%s\">", tag, phase_colour(phase)->html);
	html_escape(out, phase_name(phase));
}

static void text_cell(struct sbuf *out, const char *cls, const struct story *s, long idx)
{
	sb_printf(out, "<td class=\"%s\">", cls);
	if (idx >= 0)
		html_escape(out, s->lines[idx].text);
	sb_puts(out, "</td>");
}

void side_by_side_html(const struct alignment *al, const struct sbs_opts *opts, struct sbuf *out)
{
	static const char *const KIND[] = { "same", "diff", "left", "right" };
	static const char *const MARK[] = { "", "|", "&lt;", "&gt;" };
	enum phase *legend = xcalloc(al->n, sizeof(*legend));
	size_t nlegend = 0;
	const char *title[2];
	char *heading;

	titles(al, opts, title);
	heading = xasprintf("%s vs %s", title[0], title[1]);
	sb_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	html_escape(out, heading);
	sb_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", CSS);
	html_escape(out, heading);
	free(heading);
	sb_puts(out, "</h1>\n<div class=\"legend\">");
	for (size_t i = 0; i < al->n; i++) {
		size_t k = 0;

		while (k < nlegend && legend[k] != al->rows[i].phase)
			k++;
		if (k < nlegend)
			continue;
		legend[nlegend++] = al->rows[i].phase;
		phase_in(out, "span", al->rows[i].phase);
		sb_puts(out, "</span>");
	}
	free(legend);
	sb_puts(out, "</div>\n<table>\n<colgroup><col class=\"p\"><col><col class=\"m\"><col></colgroup>\n"
		     "<thead><tr><th>phase</th><th>");
	html_escape(out, title[0]);
	sb_puts(out, "</th><th></th><th>");
	html_escape(out, title[1]);
	sb_puts(out, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < al->n; i++) {
		const struct align_row *row = &al->rows[i];

		sb_printf(out, "<tr class=\"%s\">", KIND[row->kind]);
		phase_in(out, "td class=\"p\"", row->phase);
		sb_puts(out, "</td>");
		text_cell(out, "l", al->l, row->left);
		sb_printf(out, "<td class=\"m\">%s</td>", MARK[row->kind]);
		text_cell(out, "r", al->r, row->right);
		sb_puts(out, "</tr>\n");
	}
	sb_puts(out, "</tbody>\n</table>\n");
	notes(out, al, title, 0, true);
	sb_puts(out, "</body>\n</html>\n");
}
