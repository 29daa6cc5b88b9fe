/* rewrite.c: placeholders in argument and result texts (see rewrite.h). */
#include "rewrite.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "fds.h"
#include "util.h"

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *const HTTP_STARTS[] = { "GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
					   "PATCH ", "CONNECT ", "TRACE ", "HTTP/" };

char *http_first_line(const char *s)
{
	size_t n = strlen(s), end, i;
	bool http = false;

	if (n < 2 || s[0] != '"')
		return NULL;
	for (i = 0; i < sizeof(HTTP_STARTS) / sizeof(HTTP_STARTS[0]); i++)
		if (starts_with(s + 1, HTTP_STARTS[i]))
			http = true;
	if (!http)
		return NULL;
	end = scan_string(s, n, 0);
	/* the literal's text, up to the first \r or \n escape */
	for (i = 1; i < end; i++) {
		if (s[i] == '"')
			break;
		if (s[i] == '\\' && i + 1 < end) {
			if (s[i + 1] == 'r' || s[i + 1] == 'n') {
				struct sbuf b = { 0 };

				sb_put(&b, s, i);
				if (s[i + 1] == 'r' && i + 3 < end && s[i + 2] == '\\' && s[i + 3] == 'n')
					sb_puts(&b, "\\r\\n");
				else
					sb_put(&b, s + i, 2);
				sb_puts(&b, "\"...");
				return sb_take(&b);
			}
			i++;
		}
	}
	/* no line end in what strace showed: keep what there is */
	{
		struct sbuf b = { 0 };

		sb_put(&b, s, i);
		sb_puts(&b, "\"...");
		return sb_take(&b);
	}
}

char *epoll_data_value(const char *s, size_t *end)
{
	size_t n = strlen(s), i = 5; /* past "data=" */

	if (!starts_with(s, "data="))
		return NULL;
	if (i < n && s[i] == '{') {
		size_t close = i + 1;
		int depth = 1;
		const char *u64;

		while (close < n && depth > 0) {
			if (s[close] == '{')
				depth++;
			else if (s[close] == '}')
				depth--;
			close++;
		}
		*end = close;
		u64 = memmem(s + i, close - i, "u64=", 4);
		if (!u64)
			u64 = memmem(s + i, close - i, "u32=", 4);
		if (u64) {
			size_t a = (size_t)(u64 - s) + 4, b = a;

			while (b < close && is_word_char(s[b]))
				b++;
			return xstrndup(s + a, b - a);
		}
		return xstrndup(s + i, close - i);
	}
	{
		size_t b = i;

		while (b < n && (is_word_char(s[b]) || s[b] == '-'))
			b++;
		*end = b;
		return xstrndup(s + i, b - i);
	}
}

/* Inside a -y decoration: socket inode numbers and ports vary by run. */
static void put_decoration(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '[' && i + 1 < n && isdigit((unsigned char)s[i + 1])) {
			size_t j = i + 1;

			while (j < n && isdigit((unsigned char)s[j]))
				j++;
			if (j < n && s[j] == ']') {
				sb_puts(out, "[INODE]");
				i = j + 1;
				continue;
			}
		}
		if (s[i] == ':' && i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == ']') && i + 1 < n &&
		    isdigit((unsigned char)s[i + 1])) {
			size_t j = i + 1;

			while (j < n && isdigit((unsigned char)s[j]))
				j++;
			if (j == n || !isdigit((unsigned char)s[j])) {
				bool more_addr = j < n && (s[j] == '.' || s[j] == ':');

				if (!more_addr) {
					sb_puts(out, ":PORT");
					i = j;
					continue;
				}
			}
		}
		sb_putc(out, s[i]);
		i++;
	}
}

static void put_string(struct sbuf *out, const char *s, size_t n, unsigned flags)
{
	char *lit, *line;

	if (!(flags & REWRITE_ELIDE)) {
		sb_put(out, s, n);
		return;
	}
	if (flags & REWRITE_HTTP_LINE) {
		lit = xstrndup(s, n);
		line = http_first_line(lit);
		free(lit);
		if (line) {
			sb_puts(out, line);
			free(line);
			return;
		}
	}
	sb_puts(out, "\"...\"");
}

char *rewrite_value(const struct rewrite_env *env, const char *text, unsigned flags)
{
	struct sbuf out = { 0 };
	size_t n = strlen(text), i = 0;

	while (i < n) {
		char c = text[i];
		bool word_start = i == 0 || !is_word_char(text[i - 1]);

		if (c == '"') {
			size_t j = scan_string(text, n, i);

			put_string(&out, text + i, j - i, flags);
			i = j;
			continue;
		}
		if (c == '/' && i + 1 < n && text[i + 1] == '*') {
			const char *e = strstr(text + i + 2, "*/");
			size_t j = e ? (size_t)(e - text) + 2 : n;

			sb_put(&out, text + i, j - i);
			i = j;
			continue;
		}
		if (c == '0' && word_start && i + 2 < n && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
		    isxdigit((unsigned char)text[i + 2])) {
			size_t j = i + 2;

			while (j < n && isxdigit((unsigned char)text[j]))
				j++;
			if (j < n && is_word_char(text[j])) {
				sb_put(&out, text + i, j - i);
			} else if (j - (i + 2) > 4 || strtoul(text + i, NULL, 16) >= 0x10000) {
				sb_puts(&out, "PTR");
			} else {
				sb_put(&out, text + i, j - i);
			}
			i = j;
			continue;
		}
		if (isdigit((unsigned char)c) && word_start) {
			size_t j = i;

			while (j < n && isdigit((unsigned char)text[j]))
				j++;
			if (j < n && text[j] == '<') {
				size_t k = scan_decoration(text, n, j);

				if (k != j) {
					long fd = strtol(text + i, NULL, 10);
					const char *role = env && env->fd_role ? env->fd_role(env->ctx, fd) : NULL;

					if (role) {
						sb_puts(&out, role);
					} else {
						sb_put(&out, text + i, j - i);
						put_decoration(&out, text + j, k - j);
					}
					i = k;
					continue;
				}
			}
			sb_put(&out, text + i, j - i);
			i = j;
			continue;
		}
		if (word_start && starts_with(text + i, "htons(") && i + 6 < n && isdigit((unsigned char)text[i + 6])) {
			size_t j = i + 6;

			while (j < n && isdigit((unsigned char)text[j]))
				j++;
			if (j < n && text[j] == ')') {
				sb_puts(&out, "htons(PORT)");
				i = j + 1;
				continue;
			}
		}
		if (c == '{' && starts_with(text + i + 1, "fd=") && i + 4 < n && isdigit((unsigned char)text[i + 4])) {
			size_t j = i + 4;
			long fd;
			const char *role;

			while (j < n && isdigit((unsigned char)text[j]))
				j++;
			/* a decorated fd is handled by the decoration rule */
			if (j >= n || text[j] != '<') {
				parse_long_prefix(text + i + 4, &fd);
				role = env && env->fd_role ? env->fd_role(env->ctx, fd) : NULL;
				if (role) {
					sb_puts(&out, "{fd=");
					sb_puts(&out, role);
					i = j;
					continue;
				}
			}
		}
		if (word_start && starts_with(text + i, "data=")) {
			size_t end = 0;
			char *value = epoll_data_value(text + i, &end);

			if (value) {
				const char *role = env && env->data_role ? env->data_role(env->ctx, value) : NULL;

				sb_puts(&out, "data=");
				sb_puts(&out, role ? role : "PTR");
				free(value);
				i += end;
				continue;
			}
		}
		sb_putc(&out, c);
		i++;
	}
	return sb_take(&out);
}

bool time_is_zero(const char *s)
{
	bool digit = false;

	if (strcmp(s, "NULL") == 0)
		return false;
	/* every number in it is 0: "0", "{tv_sec=0, tv_nsec=0}" */
	for (size_t i = 0; s[i]; i++) {
		if (isdigit((unsigned char)s[i]) && (i == 0 || !is_word_char(s[i - 1]) || s[i - 1] == '=')) {
			digit = true;
			if (s[i] != '0' || isdigit((unsigned char)s[i + 1]))
				return false;
		}
	}
	return digit;
}

/* The text of field name= in a struct, up to its matching close. */
static char *field(const char *s, const char *name)
{
	const char *p = strstr(s, name);
	size_t n, i, depth = 0;

	if (!p)
		return NULL;
	p += strlen(name);
	n = strlen(p);
	for (i = 0; i < n; i++) {
		if (p[i] == '{' || p[i] == '[')
			depth++;
		else if (p[i] == '}' || p[i] == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (p[i] == ',' && depth == 0)
			break;
	}
	return xstrndup(p, i);
}

char *rewrite_itimerspec(const char *s)
{
	char *interval, *value;
	struct sbuf b = { 0 };

	if (strcmp(s, "NULL") == 0)
		return xstrdup(s);
	interval = field(s, "it_interval=");
	value = field(s, "it_value=");
	if (!interval || !value) {
		free(interval);
		free(value);
		return xstrdup(time_is_zero(s) ? "0" : "TIME");
	}
	sb_printf(&b, "{it_interval=%s, it_value=%s}", time_is_zero(interval) ? "0" : "TIME",
		  time_is_zero(value) ? "0" : "TIME");
	free(interval);
	free(value);
	return sb_take(&b);
}
