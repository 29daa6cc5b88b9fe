/* args.h: the lexical rules of strace's argument syntax. Strings are
 * "quoted" with C escapes and may be followed by ... when strace cut them;
 * brackets (), [], {} nest; -y decorations follow an fd number in angle
 * brackets, 3<socket:[123]> or 3<TCP:[127.0.0.1:5000->127.0.0.1:80]>, and
 * may themselves contain brackets; comments look like C comments. */
#ifndef TRACEDIFF_ARGS_H
#define TRACEDIFF_ARGS_H

#include <stddef.h>

#include "util.h"

/* s[i] is '"': returns the index just past the closing quote and any "..."
 * after it; n when the string is unterminated. */
size_t scan_string(const char *s, size_t n, size_t i);

/* s[i] is '<' right after an fd number: returns the index just past the
 * decoration's closing '>', or i when s[i] does not start one. */
size_t scan_decoration(const char *s, size_t n, size_t i);

/* From s[i], the start of an argument list (just past its '('), returns the
 * index of the ')' that closes the list, or n when the text ends first. */
size_t scan_to_close(const char *s, size_t n, size_t i);

/* Splits s[0..n) at the commas outside any string or bracket, trimming
 * spaces around each argument. "" gives no argument. */
void args_split(const char *s, size_t n, struct strvec *out);

/* The arguments joined with ", ". */
char *args_join(const struct strvec *args);

#endif
