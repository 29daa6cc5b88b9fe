/* phases.h: what a story line is about. Phases are numbers everywhere;
 * their names appear only when a story is printed or a saved one read
 * back. A saved story may name phases tracediff never makes: those get
 * numbers past PHASE_COUNT, the same number for the same name. */
#ifndef TRACEDIFF_PHASES_H
#define TRACEDIFF_PHASES_H

/* In the order a connection goes through them. */
enum phase {
	PHASE_CREATE,
	PHASE_CONFIGURE,
	PHASE_CONNECT,
	PHASE_ARM_DEADLINE,
	PHASE_DISARM,
	PHASE_REGISTER,
	PHASE_WAIT_WRITABLE,
	PHASE_CHECK_ERROR,
	PHASE_SEND,
	PHASE_READ,
	PHASE_WAIT_READABLE,
	PHASE_DEADLINE,
	PHASE_WAKE,
	PHASE_POLL,
	PHASE_WAIT,
	PHASE_DEREGISTER,
	PHASE_CLOSE,
	PHASE_REPEAT, /* the marker of a repeated block (collapse.h) */
	PHASE_OTHER,  /* "-": a syscall the table does not know */
	PHASE_COUNT,
};

const char *phase_name(enum phase p);
enum phase phase_parse(const char *name);

/* One colour per phase, the same in the terminal and in HTML. */
struct phase_colour {
	const char *ansi; /* SGR parameters, e.g. "1;34" */
	const char *html; /* a background, e.g. "#dbeafe" */
};

const struct phase_colour *phase_colour(enum phase p);

#endif
