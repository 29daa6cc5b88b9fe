/* rewrite.h: placeholders, so that stories compare across runs and
 * languages. rewrite_value() copies an argument or result, replacing:
 *   0x... pointers (0x10000 and up)      PTR
 *   htons(38311), -y ...:38311->...      htons(PORT), ...:PORT->...
 *   fd numbers with a -y decoration      the fd's role, decoration dropped;
 *                                        other fds keep theirs, with socket
 *                                        inode numbers as [INODE]
 *   {fd=3, ...} in poll sets             {fd=SOCK, ...}
 *   data={u32=..., u64=...}              data=ROLE, or data=PTR
 *   "strings" (with REWRITE_ELIDE)       "..." (with REWRITE_HTTP_LINE, an
 *                                        HTTP request or status line keeps
 *                                        its first line)
 * Whether a number is an fd or a data value maps to a role is the caller's
 * business: it passes lookups. */
#ifndef TRACEDIFF_REWRITE_H
#define TRACEDIFF_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

struct rewrite_env {
	/* the role of fd at this call, or NULL */
	const char *(*fd_role)(void *ctx, long fd);
	/* the role an epoll data value (the u64 text) stands for, or NULL */
	const char *(*data_role)(void *ctx, const char *value);
	void *ctx;
};

enum {
	REWRITE_ELIDE = 1,     /* strings become "..." */
	REWRITE_HTTP_LINE = 2, /* ... but keep an HTTP first line */
};

char *rewrite_value(const struct rewrite_env *env, const char *text, unsigned flags);

/* If the string literal at s (starting with '"') begins with an HTTP request
 * line ("GET /x HTTP/1.1\r\n") or status line ("HTTP/1.1 200 OK\r\n"),
 * returns it as a literal cut after that line, "GET /x HTTP/1.1\r\n"...;
 * else NULL. */
char *http_first_line(const char *s);

/* The value of data= in an epoll_event text starting at "data=": the u64
 * field when strace shows {u32=..., u64=...}, else the token. *end gets the
 * index just past the data value. Returns NULL when there is none. */
char *epoll_data_value(const char *s, size_t *end);

/* "{tv_sec=0, tv_nsec=0}", "0", NULL ...: does this time value say zero? */
bool time_is_zero(const char *s);

/* timerfd_settime's itimerspec: "{it_interval=0, it_value=TIME}" with each
 * part 0 when zero, TIME otherwise; "NULL" stays. */
char *rewrite_itimerspec(const char *s);

#endif
