/*
 * printable.c: see printable.h.
 */
#include "lib/printable.h"

#include <stdio.h>
#include <string.h>

bool printable_char(const char *str, int *len, unsigned int *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int c;
	int n;

	*len = 1;
	*cp = s[0];
	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return false;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return false;
	*len = n;
	*cp = c;
	return c > 0x9f; /* C1 controls (U+0080-U+009F): CSI is U+009B */
}

const char *printable(const char *s)
{
	static char bufs[8][4096];
	static unsigned int next;
	char *out = bufs[next++ % 8];
	size_t used = 0;

	for (s = s ? s : "(null)"; *s;) {
		char piece[4 * 4 + 1];
		unsigned int cp;
		int n, plen = 0;

		if (*s == '\\') {
			plen = snprintf(piece, sizeof(piece), "\\\\");
			n = 1;
		} else if (printable_char(s, &n, &cp)) {
			memcpy(piece, s, (size_t)n);
			plen = n;
		} else {
			for (int i = 0; i < n; i++)
				plen += snprintf(piece + plen, sizeof(piece) - (size_t)plen, "\\x%02x",
						 (unsigned char)s[i]);
		}
		if (used + (size_t)plen + 4 > sizeof(bufs[0])) {
			memcpy(out + used, "...", 3);
			used += 3;
			break;
		}
		memcpy(out + used, piece, (size_t)plen);
		used += (size_t)plen;
		s += n;
	}
	out[used] = '\0';
	return out;
}
