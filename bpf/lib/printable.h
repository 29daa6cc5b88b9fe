/*
 * printable.h: what every tool does with a string it did not write itself
 * (a comm, a path, a symbol name, a command line) before it reaches a
 * terminal: any process can name itself "\x1b]0;pwn\x07", so control bytes
 * never go out as they are. One rule for every format: valid UTF-8 that is
 * not a control character (C0, DEL, C1) is printable, anything else is not;
 * text shows what is not as \xNN (and a backslash as \\, so that the escape
 * cannot be faked), JSON as \u00XX (lib/json.c).
 */
#ifndef CTXLAB_PRINTABLE_H
#define CTXLAB_PRINTABLE_H

#include <stdbool.h>

/* The character at S (not its end): sets *len to its length in bytes (1
 * for a byte that is not valid UTF-8) and *cp to its code point (that
 * byte's value when not valid). True when it may be written as it is:
 * valid UTF-8 and not U+0000-U+001F, U+007F or U+0080-U+009F. */
bool printable_char(const char *s, int *len, unsigned int *cp);

/* S for text output, what is not printable as \xNN, a backslash as \\: in
 * one of a few static buffers (so several may be arguments of one printf),
 * cut at about 4 KiB with "...". */
const char *printable(const char *s);

#endif
