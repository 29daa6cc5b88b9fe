/* util.c: allocation, strings, maps, files (see tracediff.h). */
#include "tracediff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked(void *p)
{
	if (!p) {
		fputs("tracediff: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	return checked(calloc(count ? count : 1, size ? size : 1));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = checked(malloc(n + 1));

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void *grow_array(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (c < need) {
		if (c > ((size_t)-1) / 4 / elem)
			checked(NULL);
		c *= 2;
	}
	*cap = c;
	return checked(realloc(p, c * elem));
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	b->s = grow_array(b->s, &b->cap, b->len + n + 1, 1);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0) {
		b->s = grow_array(b->s, &b->cap, b->len + (size_t)n + 1, 1);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

char *xasprintf(const char *fmt, ...)
{
	struct sbuf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(&b, fmt, ap);
	va_end(ap);
	return sb_take(&b);
}

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	*b = (struct sbuf){ 0 };
	return s;
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	*b = (struct sbuf){ 0 };
}

void sv_push(struct strvec *sv, char *owned)
{
	sv->v = grow_array(sv->v, &sv->cap, sv->n + 1, sizeof(char *));
	sv->v[sv->n++] = owned;
}

void sv_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

struct lmap_slot {
	long key, val;
	bool used;
};

/* Where the search for key starts: Fibonacci hashing spreads close keys. */
static size_t lmap_home(const struct lmap *m, long key)
{
	return (size_t)(((unsigned long)key * 0x9E3779B97F4A7C15UL) >> 17) & (m->cap - 1);
}

static long *lmap_find(const struct lmap *m, long key)
{
	for (size_t i = m->cap ? lmap_home(m, key) : 0; m->cap && m->slots[i].used; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return &m->slots[i].val;
	return NULL;
}

long lmap_value(const struct lmap *m, long key, long dflt)
{
	long *v = lmap_find(m, key);

	return v ? *v : dflt;
}

long *lmap_get(struct lmap *m, long key, long dflt)
{
	long *v = lmap_find(m, key);
	size_t i;

	if (v)
		return v;
	if ((m->n + 1) * 2 > m->cap) {
		struct lmap bigger = { .cap = m->cap ? m->cap * 2 : 16 };

		bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].used)
				*lmap_get(&bigger, m->slots[i].key, 0) = m->slots[i].val;
		lmap_free(m);
		*m = bigger;
	}
	for (i = lmap_home(m, key); m->slots[i].used; i = (i + 1) & (m->cap - 1))
		;
	m->slots[i] = (struct lmap_slot){ key, dflt, true };
	m->n++;
	return &m->slots[i].val;
}

void lmap_free(struct lmap *m)
{
	free(m->slots);
	*m = (struct lmap){ 0 };
}

char *read_whole_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf b = { 0 };
	char chunk[65536];
	size_t n;
	int saved;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_put(&b, chunk, n);
	saved = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (saved) {
		sb_free(&b);
		errno = saved;
		return NULL;
	}
	*len = b.len;
	return sb_take(&b);
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void make_printable(char *s, size_t n, bool ascii_only)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || (ascii_only && (unsigned char)s[i] >= 0x80))
			s[i] = '?';
}

char *printable_copy(const char *s, size_t n)
{
	char *d = xstrndup(s, n);

	make_printable(d, n, false);
	return d;
}
