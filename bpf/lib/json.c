/*
 * json.c: see json.h.
 */
#include "lib/json.h"
#include "lib/printable.h"

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putc('"', f);
	while (*s) {
		unsigned int cp;
		int len;

		switch (*s) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		default: break;
		}
		if (!printable_char((const char *)s, &len, &cp)) {
			fprintf(f, "\\u%04x", cp);
			s += len;
			continue;
		}
		fwrite(s, 1, (size_t)len, f);
		s += len;
	}
	putc('"', f);
}
