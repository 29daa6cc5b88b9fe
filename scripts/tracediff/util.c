/* util.c: allocation, strings, maps, files (see util.h). */
#include "util.h"

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

void *xmalloc(size_t n)
{
	return checked(malloc(n ? n : 1));
}

void *xcalloc(size_t count, size_t size)
{
	return checked(calloc(count ? count : 1, size ? size : 1));
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
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (c < need) {
		if (c > ((size_t)-1) / 4 / elem)
			checked(NULL);
		c *= 2;
	}
	*p = checked(realloc(*p, c * elem));
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

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	void *p = b->s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow_array(&p, &b->cap, b->len + (size_t)n + 1, 1);
	b->s = p;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
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
	*sv = (struct strvec){ 0 };
}

static size_t lmap_slot(const struct lmap *m, long key)
{
	return (size_t)(((unsigned long)key * 0x9E3779B97F4A7C15UL) >> 17) & (m->cap - 1);
}

long *lmap_find(const struct lmap *m, long key)
{
	for (size_t i = m->cap ? lmap_slot(m, key) : 0; m->cap && m->used[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return &m->vals[i];
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

		bigger.keys = xcalloc(bigger.cap, sizeof(long));
		bigger.vals = xcalloc(bigger.cap, sizeof(long));
		bigger.used = xcalloc(bigger.cap, 1);
		for (i = 0; i < m->cap; i++)
			if (m->used[i])
				*lmap_get(&bigger, m->keys[i], 0) = m->vals[i];
		lmap_free(m);
		*m = bigger;
	}
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
