/* html.c: the side-by-side page (see html.h). */
#include "html.h"

#include <string.h>

#include "palette.h"

void html_escape(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sb_puts(out, "&amp;");
			break;
		case '<':
			sb_puts(out, "&lt;");
			break;
		case '>':
			sb_puts(out, "&gt;");
			break;
		case '"':
			sb_puts(out, "&quot;");
			break;
		case '\'':
			sb_puts(out, "&#39;");
			break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				sb_putc(out, '?');
			else
				sb_putc(out, *s);
		}
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

static void phase_style(struct sbuf *out, const char *phase)
{
	sb_printf(out, " style=\"background:%s\"", phase_colour(phase)->html);
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
	struct strvec legend = { 0 };

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
		bool seen = false;

		for (size_t k = 0; k < legend.n && !seen; k++)
			seen = strcmp(legend.v[k], al->rows[i].phase) == 0;
		if (seen)
			continue;
		sv_push(&legend, xstrdup(al->rows[i].phase));
		sb_puts(out, "<span");
		phase_style(out, al->rows[i].phase);
		sb_puts(out, ">");
		html_escape(out, al->rows[i].phase);
		sb_puts(out, "</span>");
	}
	sv_free(&legend);
	sb_puts(out, "</div>\n<table>\n<colgroup><col class=\"p\"><col><col class=\"m\"><col></colgroup>\n"
		     "<thead><tr><th>phase</th><th>");
	html_escape(out, lt);
	sb_puts(out, "</th><th></th><th>");
	html_escape(out, rt);
	sb_puts(out, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < al->n; i++) {
		const struct align_row *row = &al->rows[i];

		sb_printf(out, "<tr class=\"%s\"><td class=\"p\"", KIND[row->kind]);
		phase_style(out, row->phase);
		sb_puts(out, ">");
		html_escape(out, row->phase);
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
