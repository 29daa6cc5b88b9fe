/* phases.c: phase names and colours (see phases.h). */
#include "phases.h"

#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	struct phase_colour colour;
} PHASES[PHASE_COUNT] = {
	[PHASE_CREATE] = { "create", { "34", "#dbeafe" } },
	[PHASE_CONFIGURE] = { "configure", { "36", "#cffafe" } },
	[PHASE_CONNECT] = { "connect", { "1;34", "#bfdbfe" } },
	[PHASE_ARM_DEADLINE] = { "arm-deadline", { "1;35", "#f5d0fe" } },
	[PHASE_DISARM] = { "disarm", { "35", "#fae8ff" } },
	[PHASE_REGISTER] = { "register", { "32", "#dcfce7" } },
	[PHASE_WAIT_WRITABLE] = { "wait-writable", { "1;32", "#bbf7d0" } },
	[PHASE_CHECK_ERROR] = { "check-error", { "33", "#fef9c3" } },
	[PHASE_SEND] = { "send", { "1;36", "#a5f3fc" } },
	[PHASE_READ] = { "read", { "1;33", "#fde68a" } },
	[PHASE_WAIT_READABLE] = { "wait-readable", { "1;32", "#86efac" } },
	[PHASE_DEADLINE] = { "deadline", { "1;31", "#fecaca" } },
	[PHASE_WAKE] = { "wake", { "90", "#e5e7eb" } },
	[PHASE_POLL] = { "poll", { "37", "#f3f4f6" } },
	[PHASE_WAIT] = { "wait", { "32", "#d1fae5" } },
	[PHASE_DEREGISTER] = { "deregister", { "31", "#fee2e2" } },
	[PHASE_CLOSE] = { "close", { "1;31", "#fca5a5" } },
	[PHASE_REPEAT] = { "repeat", { "1;37", "#e0e7ff" } },
	[PHASE_OTHER] = { "-", { "2", "#ffffff" } },
};

/* A phase only a saved story has gets one of these, by a hash of its name. */
static const struct phase_colour FOREIGN_COLOURS[] = {
	{ "34", "#e0f2fe" }, { "35", "#fce7f3" }, { "36", "#ccfbf1" }, { "33", "#fef3c7" },
};

/* Phase PHASE_COUNT + i is named foreign.v[i]. */
static struct strvec foreign;

const char *phase_name(enum phase p)
{
	return p < PHASE_COUNT ? PHASES[p].name : foreign.v[p - PHASE_COUNT];
}

enum phase phase_parse(const char *name)
{
	size_t i;

	for (i = 0; i < PHASE_COUNT; i++)
		if (strcmp(PHASES[i].name, name) == 0)
			return (enum phase)i;
	for (i = 0; i < foreign.n && strcmp(foreign.v[i], name) != 0; i++)
		;
	if (i == foreign.n)
		sv_push(&foreign, xstrdup(name));
	return (enum phase)(PHASE_COUNT + i);
}

const struct phase_colour *phase_colour(enum phase p)
{
	unsigned h = 0;

	if (p < PHASE_COUNT)
		return &PHASES[p].colour;
	for (const char *s = phase_name(p); *s; s++)
		h = h * 31 + (unsigned char)*s;
	return &FOREIGN_COLOURS[h % (sizeof(FOREIGN_COLOURS) / sizeof(FOREIGN_COLOURS[0]))];
}
