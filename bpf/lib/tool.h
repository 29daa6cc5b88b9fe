/* tool.h: the plumbing under lib/loader.c: stopping on SIGINT/SIGTERM
 * (and passing a kill(1) on to the traced command), libbpf's messages only
 * with -v, summing a per-CPU counter such as lost events, and the clock BPF
 * timestamps use. */
#ifndef CTXLAB_TOOL_H
#define CTXLAB_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <linux/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Set by the handlers tool_install_signals() installs. */
extern volatile sig_atomic_t tool_stop_signo;    /* SIGINT or SIGTERM arrived */
extern volatile sig_atomic_t tool_forward_signo; /* ... sent by a process: pass it on */

/* SIGINT/SIGTERM set the flags above, without SA_RESTART so a blocking poll
 * returns at once; SIGCHLD only interrupts that poll; SIGPIPE is ignored (a
 * closed stdout is a write error the tool checks). */
void tool_install_signals(void);

/* libbpf prints its messages only when verbose: without -v, the tool's own
 * one-line messages say what failed; -v shows why. */
void tool_libbpf_messages(bool verbose);

/* The sum over all CPUs of key 0 of a per-CPU array of __u64; 0 when it
 * cannot be read. */
unsigned long long tool_sum_percpu(int map_fd);

/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
__u64 tool_monotonic_ns(void);

#endif
