/*
 * json.h: JSON output helpers for the eBPF tools' --json modes.
 */
#ifndef CTXLAB_JSON_H
#define CTXLAB_JSON_H

#include <stdio.h>

/*
 * Writes S as a JSON string, quotes included: ", \ and control characters
 * (C0, DEL, C1) escaped, other valid UTF-8 kept, any other byte (a comm is
 * just bytes) written as the code point of the same value (\u00XX), so the
 * output is always valid JSON in UTF-8 and safe on a terminal (the rule is
 * lib/printable.h's).
 */
void json_write_string(FILE *f, const char *s);

#endif
