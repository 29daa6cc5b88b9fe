/* rewrite.h: placeholders, so that stories compare across runs and
 * languages. rewrite_value() copies an argument or result with pointers
 * (0x10000 and up) as PTR, ports as PORT, decorated fds and {fd=N} as their
 * role (other decorations keep socket inodes as [INODE]), data={...} as
 * data=ROLE or data=PTR, and with REWRITE_ELIDE strings as "..." (but an
 * HTTP first line with REWRITE_HTTP_LINE). The caller says which fds and
 * data values have roles. */
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
