/* args.h: strace's argument syntax. Strings are "quoted" with C escapes,
 * and followed by ... when strace cut them; brackets (), [], {} nest; a -y
 * decoration follows an fd number in angle brackets, 3<socket:[123]> or
 * 3<TCP:[127.0.0.1:5000->127.0.0.1:80]>, and may hold brackets itself;
 * comments look like C's. */
#ifndef TRACEDIFF_ARGS_H
#define TRACEDIFF_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* s[i] is '"': the index past the closing quote and any "..." after it; n
 * when the string does not end. */
size_t scan_string(const char *s, size_t n, size_t i);
/* s[i] is '<' right after an fd number: the index past the decoration's
 * '>', or i when none starts there. */
size_t scan_decoration(const char *s, size_t n, size_t i);
/* From s[i], just past an argument list's '(': the index of its ')', or n. */
size_t scan_to_close(const char *s, size_t n, size_t i);

/* s[0..n) split at the commas outside strings and brackets, each argument
 * trimmed; "" gives none. */
void args_split(const char *s, size_t n, struct strvec *out);
char *args_join(const struct strvec *args);

/* A leading decimal integer, maybe negative ("-1 EAGAIN" gives -1). */
bool parse_long_prefix(const char *s, long *v);
/* The whole of s an fd: "3" or "3<socket:[1]>". */
bool parse_fd_arg(const char *s, long *fd);
/* The fds of an array such as "[4, 5]"; how many, at most max. */
size_t parse_fd_array(const char *s, long *out, size_t max);
/* f(env, N) for each "{fd=N" of a poll set. */
void for_each_poll_fd(const char *s, void (*f)(void *env, long fd), void *env);

#endif
