/* util.c: allocation, growable strings and arrays, reading files. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("tracediff: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory();
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;

	if (need <= c)
		return;
	if (c == 0)
		c = 8;
	while (c < need) {
		if (c > ((size_t)-1) / 4 / elem)
			out_of_memory();
		c *= 2;
	}
	*p = xrealloc(*p, c * elem);
	*cap = c;
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	void *p = b->s;

	grow_array(&p, &b->cap, b->len + n + 1, 1);
	b->s = p;
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

void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(again);
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sb_put(b, small, (size_t)n);
	} else {
		char *big = xmalloc((size_t)n + 1);

		vsnprintf(big, (size_t)n + 1, fmt, again);
		sb_put(b, big, (size_t)n);
		free(big);
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

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void sv_push(struct strvec *sv, char *owned)
{
	void *p = sv->v;

	grow_array(&p, &sv->cap, sv->n + 1, sizeof(char *));
	sv->v = p;
	sv->v[sv->n++] = owned;
}

void sv_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
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
	if (ferror(f)) {
		saved = errno ? errno : EIO;
		fclose(f);
		sb_free(&b);
		errno = saved;
		return NULL;
	}
	fclose(f);
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

static size_t lmap_slot(const struct lmap *m, long key)
{
	unsigned long h = (unsigned long)key * 0x9E3779B97F4A7C15UL;

	return (size_t)(h >> 17) & (m->cap - 1);
}

long *lmap_find(const struct lmap *m, long key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = lmap_slot(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return &m->vals[i];
	return NULL;
}

static void lmap_grow(struct lmap *m)
{
	struct lmap bigger = { 0 };

	bigger.cap = m->cap ? m->cap * 2 : 16;
	bigger.keys = xcalloc(bigger.cap, sizeof(long));
	bigger.vals = xcalloc(bigger.cap, sizeof(long));
	bigger.used = xcalloc(bigger.cap, 1);
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			*lmap_get(&bigger, m->keys[i], 0) = m->vals[i];
	lmap_free(m);
	*m = bigger;
}

long *lmap_get(struct lmap *m, long key, long dflt)
{
	long *v = lmap_find(m, key);
	size_t i;

	if (v)
		return v;
	if ((m->n + 1) * 2 > m->cap)
		lmap_grow(m);
	for (i = lmap_slot(m, key); m->used[i]; i = (i + 1) & (m->cap - 1))
		;
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = dflt;
	m->n++;
	return &m->vals[i];
}

void lmap_free(struct lmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}
