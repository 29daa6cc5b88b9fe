/* escaped.h: a string shown in a test's failure message, with control and
 * non-ASCII bytes escaped so the message stays one readable line. */
#ifndef CTXLAB_TEST_ESCAPED_H
#define CTXLAB_TEST_ESCAPED_H

#include <stdio.h>

/* s escaped; the result lives until the second call after this one, so two
 * can go into one message. */
static inline const char *escaped(const char *s)
{
	static char out[2][8192];
	static int which;
	char *o = out[which ^= 1];
	size_t n = 0;

	if (s == NULL)
		return "(null)";
	for (; *s && n + 5 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			n += (size_t)snprintf(o + n, sizeof(out[0]) - n, "\\n");
		else if (c == '\r')
			n += (size_t)snprintf(o + n, sizeof(out[0]) - n, "\\r");
		else if (c < ' ' || c >= 0x7f)
			n += (size_t)snprintf(o + n, sizeof(out[0]) - n, "\\x%02x", c);
		else
			o[n++] = (char)c;
	}
	o[n] = '\0';
	return o;
}

#endif
