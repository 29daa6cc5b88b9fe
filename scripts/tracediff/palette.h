/* palette.h: one colour per phase, the same in the terminal and in HTML.
 * The phases of story.h have fixed colours; any other phase name (from a
 * saved story) gets one picked by a hash of its name. */
#ifndef TRACEDIFF_PALETTE_H
#define TRACEDIFF_PALETTE_H

struct phase_colour {
	const char *ansi; /* SGR parameters, e.g. "1;34" */
	const char *html; /* background, e.g. "#dbeafe" */
};

const struct phase_colour *phase_colour(const char *phase);

#endif
