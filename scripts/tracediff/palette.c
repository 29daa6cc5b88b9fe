/* palette.c: phase colours (see palette.h). */
#include "palette.h"

#include <string.h>

#include "story.h"

static const struct phase_colour COLOURS[] = {
	{ "34", "#dbeafe" },   /* create */
	{ "36", "#cffafe" },   /* configure */
	{ "1;34", "#bfdbfe" }, /* connect */
	{ "1;35", "#f5d0fe" }, /* arm-deadline */
	{ "35", "#fae8ff" },   /* disarm */
	{ "32", "#dcfce7" },   /* register */
	{ "1;32", "#bbf7d0" }, /* wait-writable */
	{ "33", "#fef9c3" },   /* check-error */
	{ "1;36", "#a5f3fc" }, /* send */
	{ "1;33", "#fde68a" }, /* read */
	{ "1;32", "#86efac" }, /* wait-readable */
	{ "1;31", "#fecaca" }, /* deadline */
	{ "90", "#e5e7eb" },   /* wake */
	{ "37", "#f3f4f6" },   /* poll */
	{ "32", "#d1fae5" },   /* wait */
	{ "31", "#fee2e2" },   /* deregister */
	{ "1;31", "#fca5a5" }, /* close */
	{ "1;37", "#e0e7ff" }, /* repeat */
	{ "2", "#ffffff" },    /* - */
};

static const struct phase_colour OTHERS[] = {
	{ "34", "#e0f2fe" }, { "35", "#fce7f3" }, { "36", "#ccfbf1" }, { "33", "#fef3c7" },
};

const struct phase_colour *phase_colour(const char *phase)
{
	unsigned h = 0;

	for (size_t i = 0; STORY_PHASES[i]; i++)
		if (strcmp(STORY_PHASES[i], phase) == 0 && i < sizeof(COLOURS) / sizeof(COLOURS[0]))
			return &COLOURS[i];
	for (const char *p = phase; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return &OTHERS[h % (sizeof(OTHERS) / sizeof(OTHERS[0]))];
}
