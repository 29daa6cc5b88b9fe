/*
 * loader.h: the part of every ctxlab eBPF tool that is the same in each,
 * done once. A tool fills in a struct tool (its name, help, own flags, and
 * a few callbacks around its BPF skeleton and its records) and hands it to
 * tool_main() from main(). tool_main() takes the steps of
 * libbpf-bootstrap's tools, in this order, with libbpf-tools' CLI habits:
 *
 *   flags      -p PID, -v, -h, -- COMMAND [ARG...], and the tool's own
 *   checks     privileges; COMMAND found as execvp would, and its
 *              interpreter (`#!`, ELF PT_INTERP) there, or PID alive;
 *              then tool->prepare
 *   command    forked, paused on a pipe before the tool opens anything, so
 *              that it inherits no fd of ours (lib/launch.h)
 *   open       tool->open: the skeleton, its read-only data set
 *   load       the skeleton's programs and maps
 *   attach     tool->attach, or every program where its SEC() says
 *   poll       the ring buffer "events" (lib/events.bpf.h) -> tool->record;
 *              tool->attached first says so, then the command is let go;
 *              until Ctrl-C/SIGTERM, -d running out, the command's end
 *              (exit with its status), or the end of -p PID (`pid N
 *              exited`, exit 0)
 *   drain      the last records, tool->finish, `lost N events` (the
 *              per-CPU "lost" counter of lib/events.bpf.h) on stderr
 *   cleanup    on every path: tool->close destroys the skeleton and frees
 *              the tool's state; a command still paused or running is
 *              ended, so that it never outlives a failed trace
 *
 * Exit status: 0 after Ctrl-C/SIGTERM/-d/PID's end, the command's own
 * status (128+N if signal N killed it), 127/126 when it cannot be run,
 * EXIT_USAGE for bad arguments or missing privileges, EXIT_FAILED when
 * tracing failed.
 */
#ifndef CTXLAB_LOADER_H
#define CTXLAB_LOADER_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include <bpf/libbpf.h>

#define EXIT_FAILED 1 /* something went wrong while tracing */
#define EXIT_USAGE 2  /* bad arguments, or not allowed to load eBPF */

/* What one run of a tool traces and how; tool_main() fills it in, the
 * callbacks read it (and the tool's flags may set duration). */
struct tool_session {
	pid_t pid;          /* -p PID; 0: none */
	char **command;     /* -- COMMAND ARG...; NULL: none */
	char *command_path; /* COMMAND as found along $PATH */
	bool verbose;       /* -v: libbpf's messages and the tool's own */
	double duration;    /* seconds to trace, 0: until the end */
	pid_t child;        /* COMMAND's pid while it runs; 0 without one, or once reaped */
	pid_t target;       /* the traced process, child or PID; 0: any */
	__u64 start_ns;     /* CLOCK_MONOTONIC just before attaching */
	/* Set by tool->open: the skeleton (its `skeleton` member), which the
	 * loader loads, attaches and reads the ring buffer of. */
	struct bpf_object_skeleton *skeleton;
};

/* Which processes a tool traces. */
enum tool_scope {
	/* Every process, unless -p PID or -- COMMAND. */
	TOOL_ANY_PROCESS = 0,
	/* One, -p PID or -- COMMAND, which must be given. Either way, -p PID
	 * is traced until that process ends (or Ctrl-C, -d). */
	TOOL_ONE_PROCESS,
};

/*
 * A tool: its name and help, its own flags, its BPF side, and what it does
 * with each record. Callbacks that may be NULL say so. Fill it in one
 * phase a line, in the order tool_main() calls them:
 *
 *   .name = "estrace", .usage = usage_text, .programs = "the eBPF program",
 *   .shortopts = "e:", .longopts = longopts, .flag = flag,
 *   .open = open_skeleton, .attached = say_tracing,
 *   .record = print_syscall, .close = close_all,
 */
struct tool {
	const char *name;     /* "closesnoop": the start of every message */
	const char *usage;    /* what -h prints */
	const char *programs; /* the BPF side in messages: "the eBPF program" */
	enum tool_scope scope;

	/* The tool's flags besides -p, -v and -h: getopt letters ("n:d:"),
	 * long options (NULL-terminated), and flag() for each, which refuses
	 * a bad value with tool_usage_error(). All NULL for none. */
	const char *shortopts;
	const struct option *longopts;
	void (*flag)(struct tool_session *s, int opt, const char *arg);
	/* After the last flag, s->command set: refuses what does not go
	 * together (-p with a COMMAND, say). May be NULL. */
	void (*check_flags)(const struct tool_session *s);

	/* Before the command starts: what the tool needs to find, with no fd
	 * left open. 0 to go on, or the exit status (the tool said why). May
	 * be NULL. */
	int (*prepare)(struct tool_session *s);
	/* The command is started (s->child, s->target): sets up the tool's
	 * own state, opens the skeleton, sets its read-only data and
	 * s->skeleton. 0, or the exit status (tool_bpf_error() says why). */
	int (*open)(struct tool_session *s);
	/* Attaches the loaded programs: 0 or the exit status. NULL: every
	 * program where its SEC() says (bpf_object__attach_skeleton). */
	int (*attach)(struct tool_session *s);
	/* Attached and the ring buffer open, the command not yet let go: say
	 * so on stderr (`Tracing ... Ctrl-C to end.`; scripts wait for it). */
	void (*attached)(const struct tool_session *s);

	/* One record from the ring buffer (ring_buffer_sample_fn; ctx is the
	 * session). */
	int (*record)(void *ctx, void *data, size_t size);
	/* Every record read, before `lost N events`: a summary. May be NULL. */
	void (*finish)(const struct tool_session *s);
	/* Destroys the skeleton and frees the tool's state, whatever step
	 * failed (so anything in it may still be NULL). */
	void (*close)(struct tool_session *s);
};

/* Runs TOOL with main()'s arguments; returns the exit status. */
int tool_main(const struct tool *tool, int argc, char **argv);

/* For the callbacks. */

/* `NAME: <message> (NAME -h shows the usage)`, then exit(EXIT_USAGE). */
void __attribute__((noreturn, format(printf, 1, 2))) tool_usage_error(const char *fmt, ...);

/* -d SECONDS: a positive number of seconds, else tool_usage_error(). */
double tool_parse_duration(const char *arg);

/* Says why a libbpf STEP ("open", "load", "attach") on WHAT (NULL: the
 * tool's programs) failed with ERR (-errno), and returns the exit status
 * that goes with it. EPERM means privileges; so does EACCES when
 * attaching (a tracepoint's id is in tracefs, often readable by root
 * only), while EACCES when loading is the verifier refusing a program. */
int tool_bpf_error(const char *step, const char *what, int err);

/* 0 if the kernel has BTF (CO-RE needs it), else -1 after saying so. */
int tool_require_btf(void);

/* 0 if tracefs has events/CATEGORY/NAME or cannot be read (let libbpf
 * try), else -1 after saying why not: tracefs not mounted, or the kernel
 * lacks that tracepoint (WHY_MISSING: "this kernel lacks syscall
 * tracepoints (CONFIG_FTRACE_SYSCALLS=y)"). */
int tool_require_tracepoint(const char *category, const char *name, const char *why_missing);

#endif
