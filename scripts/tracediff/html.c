/* html.c: the side-by-side page (see html.h). */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "phases.h"

void html_escape(struct sbuf *out, const char *s)
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

static void notes(struct sbuf *out, const struct story *s, const char *title)
{
	for (size_t i = 0; i < s->notes.n; i++) {
		sb_puts(out, "<p class=\"notes\"># ");
		html_escape(out, title);
		sb_puts(out, ": ");
		html_escape(out, s->notes.v[i]);
		sb_puts(out, "</p>\n");
	}
}

void side_by_side_html(const struct story *left, const struct story *right, const struct alignment *al,
		       const char *left_title, const char *right_title, struct sbuf *out)
{
	static const char *const KIND[] = { "same", "diff", "left", "right" };
	static const char *const MARK[] = { "", "|", "&lt;", "&gt;" };
	const char *lt = left_title ? left_title : left->name;
	const char *rt = right_title ? right_title : right->name;
	enum phase *legend = xcalloc(al->n, sizeof(*legend));
	size_t nlegend = 0;

	sb_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	html_escape(out, lt);
	sb_puts(out, " vs ");
	html_escape(out, rt);
	sb_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", CSS);
	html_escape(out, lt);
	sb_puts(out, " vs ");
	html_escape(out, rt);
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
	html_escape(out, lt);
	sb_puts(out, "</th><th></th><th>");
	html_escape(out, rt);
	sb_puts(out, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < al->n; i++) {
		const struct align_row *row = &al->rows[i];

		sb_printf(out, "<tr class=\"%s\">", KIND[row->kind]);
		phase_in(out, "td class=\"p\"", row->phase);
		sb_puts(out, "</td>");
		text_cell(out, "l", left, row->left);
		sb_printf(out, "<td class=\"m\">%s</td>", MARK[row->kind]);
		text_cell(out, "r", right, row->right);
		sb_puts(out, "</tr>\n");
	}
	sb_puts(out, "</tbody>\n</table>\n");
	notes(out, left, lt);
	notes(out, right, rt);
	sb_puts(out, "</body>\n</html>\n");
}
