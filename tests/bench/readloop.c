/*
 * readloop [N]: the benchmark's workload. Opens /dev/zero once, makes N
 * read() calls of one byte each (default 1,000,000), and prints the time
 * those calls took, in nanoseconds, as a single number on stdout. Exit 0,
 * or 1 if a read fails, 2 on a usage error.
 *
 * A read of one byte from /dev/zero is about the cheapest system call that
 * does real work, so the loop measures what a tracer adds to each syscall:
 * scripts/bench.sh runs it bare, then under closesnoop, strace and
 * bpftrace. It makes exactly one close() (at the end), so a close() tracer
 * sees one event and pays only for being attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CALLS 1000000UL
#define MAX_CALLS 1000000000UL

static int usage(const char *why)
{
	fprintf(stderr, "readloop: %s\nusage: readloop [N]  (1 <= N <= %lu, default %lu)\n",
		why, MAX_CALLS, DEFAULT_CALLS);
	return 2;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long calls = DEFAULT_CALLS;
	uint64_t start, elapsed;
	char byte;
	int fd;

	if (argc > 2)
		return usage("too many arguments");
	if (argc == 2) {
		char *end;

		if (argv[1][0] < '0' || argv[1][0] > '9')
			return usage("N must be a positive number");
		errno = 0;
		calls = strtoul(argv[1], &end, 10);
		if (errno != 0 || *end != '\0' || calls == 0 || calls > MAX_CALLS)
			return usage("N must be a number from 1 to 1000000000");
	}

	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "readloop: /dev/zero: %s\n", strerror(errno));
		return 1;
	}
	start = now_ns();
	for (unsigned long i = 0; i < calls; i++) {
		if (read(fd, &byte, 1) != 1) {
			fprintf(stderr, "readloop: read %lu of %lu: %s\n", i + 1, calls,
				strerror(errno));
			close(fd);
			return 1;
		}
	}
	elapsed = now_ns() - start;
	close(fd);
	printf("%" PRIu64 "\n", elapsed);
	return 0;
}
