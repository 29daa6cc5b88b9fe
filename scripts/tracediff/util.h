/* util.h: what every tracediff file shares: allocation that cannot fail
 * silently, a growable string, a growable array of strings, reading a whole
 * file. Out of memory ends the program with one line on stderr. */
#ifndef TRACEDIFF_UTIL_H
#define TRACEDIFF_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (holding *cap elements of size elem) to hold at least need. */
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
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap);
/* The text so far, "" when empty; stays owned by b. */
const char *sb_str(const struct sbuf *b);
/* Hands the text to the caller (never NULL) and empties b. */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n, cap;
};

void sv_push(struct strvec *sv, char *owned);
void sv_free(struct strvec *sv);

/* Reads all of path into a fresh NUL-terminated buffer (NUL bytes inside the
 * file are kept; *len says where the data ends). Returns NULL with errno set
 * when the file cannot be read. */
char *read_whole_file(const char *path, size_t *len);

/* The part of path after its last '/'. */
const char *path_basename(const char *path);

bool starts_with(const char *s, const char *prefix);

/* A map from long keys to long values (open addressing). */
struct lmap {
	long *keys, *vals;
	unsigned char *used;
	size_t cap, n;
};

/* Returns a pointer to key's value, inserting it with value dflt. */
long *lmap_get(struct lmap *m, long key, long dflt);
/* Returns a pointer to key's value, or NULL. */
long *lmap_find(const struct lmap *m, long key);
void lmap_free(struct lmap *m);

#endif
