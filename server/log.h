/* log.h: one-line diagnostics on stderr. */
#ifndef LABSERVER_LOG_H
#define LABSERVER_LOG_H

/* Writes "labserver: <message>\n" with a single write(2), so lines from the
 * server never interleave mid-line with anything else on the terminal. */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Only with -v. */
#define log_verbose(srv, ...)                   \
	do {                                    \
		if ((srv)->verbose)             \
			log_line(__VA_ARGS__);  \
	} while (0)

#endif
