/* util.h: allocation that cannot fail silently (out of memory ends the
 * program with one line), growable strings and string arrays, a map of
 * longs, files. */
#ifndef TRACEDIFF_UTIL_H
#define TRACEDIFF_UTIL_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p, of *cap elements of size elem, to hold at least need. */
void grow_array(void **p, size_t *cap, size_t need, size_t elem);

/* A NUL-terminated growable string; s is NULL until the first append. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far, "" when none, still b's. */
const char *sb_str(const struct sbuf *b);
/* The text, never NULL, now the caller's; b is empty again. */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

/* Owned strings. */
struct strvec {
	char **v;
	size_t n, cap;
};

void sv_push(struct strvec *sv, char *owned);
void sv_free(struct strvec *sv);

/* Open addressing, long to long. */
struct lmap {
	long *keys, *vals;
	unsigned char *used;
	size_t cap, n;
};

/* key's value, inserted as dflt when missing. */
long *lmap_get(struct lmap *m, long key, long dflt);
/* key's value, or NULL. */
long *lmap_find(const struct lmap *m, long key);
/* key's value, or dflt. */
long lmap_value(const struct lmap *m, long key, long dflt);
void lmap_free(struct lmap *m);

/* All of path, NUL-terminated (NULs inside kept: *len says where it ends);
 * NULL with errno set when it cannot be read. */
char *read_whole_file(const char *path, size_t *len);
const char *path_basename(const char *path);
bool starts_with(const char *s, const char *prefix);
/* Control characters in s[0..n) become '?' (so do bytes past ASCII with
 * ascii_only): strace texts and titles can hold anything, and a terminal
 * would act on them. */
void make_printable(char *s, size_t n, bool ascii_only);
/* A copy of s[0..n), made printable. */
char *printable_copy(const char *s, size_t n);

#endif
