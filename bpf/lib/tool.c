/* tool.c: signals, libbpf's messages, per-CPU counters and the clock for
 * the tools. */
#include "tool.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t tool_stop_signo;
volatile sig_atomic_t tool_forward_signo;

static void on_stop(int signo, siginfo_t *info, void *uctx)
{
	(void)uctx;
	tool_stop_signo = signo;
	/* From the terminal (Ctrl-C), the command got it too; from kill(1) it
	 * did not: pass those on. */
	if (info && info->si_code <= 0)
		tool_forward_signo = signo;
}

static void on_child(int signo)
{
	(void)signo; /* only here to interrupt the poll */
}

void tool_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: the poll returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_flags = SA_NOCLDSTOP;
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int print_verbose(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

static int print_nothing(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

void tool_libbpf_messages(bool verbose)
{
	libbpf_set_print(verbose ? print_verbose : print_nothing);
}

unsigned long long tool_sum_percpu(int map_fd)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u32 key = 0;
	__u64 *values;

	if (ncpus <= 0 || !(values = calloc((size_t)ncpus, sizeof(*values))))
		return 0;
	if (bpf_map_lookup_elem(map_fd, &key, values) == 0)
		for (int i = 0; i < ncpus; i++)
			sum += values[i];
	free(values);
	return sum;
}

__u64 tool_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}
