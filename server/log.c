/* log.c: one-line diagnostics on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void log_line(const char *fmt, ...)
{
	char line[1024];
	static const char prefix[] = "labserver: ";
	size_t len = sizeof(prefix) - 1;
	va_list ap;

	memcpy(line, prefix, len);
	va_start(ap, fmt);
	int n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n : sizeof(line) - len - 2;
	line[len++] = '\n';
	/* Nothing useful to do if stderr is gone. */
	ssize_t ignored = write(STDERR_FILENO, line, len);
	(void)ignored;
}
