/*
 * closesnoop: who calls close(), on what kind of fd, from which user stack,
 * for C and Go programs alike.
 *
 *   closesnoop [-v] [-p PID] [-n COMM] [-d SECONDS] [--folded | --json]
 *   closesnoop [-v] [--folded | --json] -- COMMAND [ARG...]
 *
 * lib/loader.h takes the steps every tool takes (flags, privileges, the
 * command started paused, open, load, attach, poll the ring buffer, clean
 * up); this file is what closesnoop adds: its flags, the filters it sets in
 * the skeleton's read-only data, and what it does with each record:
 * closes are shown by closesnoop_output.c, execs keep the symbolizer up to
 * date. The filter is the command's pid (so exactly the command and its
 * threads are traced), -p PID (traced until it exits), and -n COMM.
 *
 * How frames get names, also after the process exited, and how the frame
 * that frame-pointer unwinding skips is recovered: lib/symbolize.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "closesnoop.h"
#include "closesnoop.skel.h"
#include "closesnoop_output.h"
#include "lib/loader.h"
#include "lib/printable.h"
#include "lib/symbolize.h"

static const char usage_text[] =
	"usage: closesnoop [-v] [-p PID] [-n COMM] [-d SECONDS] [--folded | --json]\n"
	"       closesnoop [-v] [--folded | --json] -- COMMAND [ARG...]\n"
	"Trace close(): who calls it, on what kind of fd, from which user stack.\n"
	"\n"
	"  -p, --pid PID         only process PID and its threads, until it exits\n"
	"  -n, --name COMM       only tasks named COMM (at most 15 characters)\n"
	"  -d, --duration SECS   stop after SECS seconds (default: at Ctrl-C, or when\n"
	"                        PID exits)\n"
	"      --folded          at the end, one line per distinct stack with its count\n"
	"                        (comm;outermost;...;innermost N, for flamegraph.pl)\n"
	"      --json            one JSON object per event and line\n"
	"  -v, --verbose         show libbpf's and the symbolizer's messages\n"
	"  -h, --help            show this help\n"
	"  -- COMMAND [ARG...]   run COMMAND, trace exactly it and its threads, and exit\n"
	"                        with its status (128+N if signal N killed it)\n"
	"\n"
	"Without -p, -n or COMMAND every process is traced. Each event shows the time\n"
	"since start, comm, pid, tid, fd, what the fd is (socket, pipe, file,\n"
	"anon:[timerfd], ...), and the user stack, innermost frame first. A frame marked\n"
	"[from CFI] is the caller of a frameless leaf (glibc's close, Go's Syscall6):\n"
	"frame-pointer unwinding skips it; closesnoop recovers it from the leaf's CFI.\n"
	"Status lines (`Tracing close() ...`, `lost N events`) go to stderr.\n"
	"Needs root, or CAP_BPF and CAP_PERFMON.\n";

static struct {
	const char *comm;           /* -n, NULL: any */
	bool folded, json;          /* --folded, --json */
	enum output_format format;
	struct closesnoop_bpf *skel;
	struct symbolizer *sz;
	struct frame frames[SYMBOLIZE_MAX_FRAMES];
} cs;

/* ---- flags ---- */

enum { OPT_FOLDED = 256, OPT_JSON };

static const struct option longopts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

static void flag(struct tool_session *s, int opt, const char *arg)
{
	switch (opt) {
	case 'n':
		if (!*arg)
			tool_usage_error("-n needs a COMM name");
		if (strlen(arg) >= CLOSESNOOP_COMM_LEN)
			tool_usage_error("-n '%s': %zu characters, but a comm has at most %d", arg, strlen(arg),
					 CLOSESNOOP_COMM_LEN - 1);
		cs.comm = arg;
		break;
	case 'd': s->duration = tool_parse_duration(arg); break;
	case OPT_FOLDED: cs.folded = true; break;
	case OPT_JSON: cs.json = true; break;
	}
}

static void check_flags(const struct tool_session *s)
{
	if (cs.folded && cs.json)
		tool_usage_error("--folded and --json exclude each other");
	cs.format = cs.folded ? OUTPUT_FOLDED : cs.json ? OUTPUT_JSON : OUTPUT_TEXT;
	if (s->command && (s->pid || cs.comm || s->duration > 0))
		tool_usage_error("-p, -n and -d are for running processes; with -- COMMAND the command is traced "
				 "until it ends");
}

/* ---- set-up ---- */

static int prepare(struct tool_session *s)
{
	(void)s;
	if (tool_require_btf() != 0 ||
	    tool_require_tracepoint("syscalls", "sys_enter_close",
				    "this kernel lacks syscall tracepoints (CONFIG_FTRACE_SYSCALLS=y)") != 0)
		return EXIT_FAILED;
	return 0;
}

static int open_skeleton(struct tool_session *s)
{
	cs.sz = symbolizer_new(s->verbose);
	if (!cs.sz) {
		fprintf(stderr, "closesnoop: out of memory\n");
		return EXIT_FAILED;
	}
	/* Index our own libraries (libc, ld.so: most C programs' too), and
	 * the command's executable, before anything can exit. */
	symbolizer_snapshot(cs.sz, getpid());
	if (s->command_path)
		symbolizer_add_file(cs.sz, s->command_path);

	cs.skel = closesnoop_bpf__open();
	if (!cs.skel)
		return tool_bpf_error("open", NULL, -errno);
	cs.skel->rodata->self_tgid = (__u32)getpid();
	cs.skel->rodata->targ_tgid = (__u32)s->target;
	if (cs.comm) {
		cs.skel->rodata->filter_comm = true;
		strncpy((char *)cs.skel->rodata->targ_comm, cs.comm, CLOSESNOOP_COMM_LEN - 1);
	}
	s->skeleton = cs.skel->skeleton;
	return 0;
}

/* -n: the processes already running with that name, mapped at attach. */
static void snapshot_by_comm(const char *comm)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;

	if (!proc)
		return;
	while ((d = readdir(proc))) {
		char path[64], name[CLOSESNOOP_COMM_LEN + 2] = "";
		FILE *f;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", d->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			if (strcmp(name, comm) == 0 && atoi(d->d_name) != getpid())
				symbolizer_snapshot(cs.sz, atoi(d->d_name));
		}
		fclose(f);
	}
	closedir(proc);
}

/* Map what is running now, then say so: the header (text) and the
 * `Tracing close() ...` line. */
static void attached(const struct tool_session *s)
{
	char what[128];

	if (s->pid)
		symbolizer_snapshot(cs.sz, s->pid);
	if (cs.comm)
		snapshot_by_comm(cs.comm);

	output_header(cs.format);
	fflush(stdout);
	if (s->child)
		snprintf(what, sizeof(what), "in pid %d (%s)", s->child, printable(s->command[0]));
	else if (s->pid && cs.comm)
		snprintf(what, sizeof(what), "in pid %d if named %s", s->pid, printable(cs.comm));
	else if (s->pid)
		snprintf(what, sizeof(what), "in pid %d", s->pid);
	else if (cs.comm)
		snprintf(what, sizeof(what), "in tasks named %s", printable(cs.comm));
	else
		snprintf(what, sizeof(what), "in every process");
	if (s->duration > 0)
		fprintf(stderr, "Tracing close() %s for %g s... Ctrl-C to end.\n", what, s->duration);
	else
		fprintf(stderr, "Tracing close() %s... Ctrl-C to end.\n", what);
}

/* ---- records ---- */

static void handle_exec(const struct tool_session *s, const struct exec_event *e)
{
	char path[PATH_MAX];

	/* A new image: the old map is wrong now. Index the file it runs
	 * (found by the kernel, so even if the process is gone already),
	 * then read the new map while the process most likely still runs. */
	symbolizer_forget(cs.sz, (int)e->pid);
	if (ustack_path_join(&e->exe_path, path, sizeof(path)) == 0) {
		if (s->verbose)
			fprintf(stderr, "closesnoop: pid %u executes %s\n", e->pid, printable(path));
		symbolizer_add_file(cs.sz, path);
	} else if (snprintf(path, sizeof(path), "%.*s", CLOSESNOOP_PATH_LEN, e->filename) > 0 && path[0] == '/')
		symbolizer_add_file(cs.sz, path);
	symbolizer_snapshot(cs.sz, (int)e->pid);
}

static void handle_close(const struct tool_session *s, const struct close_event *e)
{
	struct close_shown c = {
		.event = e,
		.since_ns = e->ts_ns > s->start_ns ? e->ts_ns - s->start_ns : 0,
		.frames = cs.frames,
	};

	c.nframes = symbolizer_resolve(cs.sz, (int)e->pid, e->ts_ns, &e->stack, cs.frames, SYMBOLIZE_MAX_FRAMES);
	output_close(cs.format, &c);
}

static int handle_record(void *ctx, void *data, size_t size)
{
	__u32 type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	if (type == RECORD_CLOSE && size >= sizeof(struct close_event))
		handle_close(ctx, data);
	else if (type == RECORD_EXEC && size >= sizeof(struct exec_event))
		handle_exec(ctx, data);
	return 0;
}

static void finish(const struct tool_session *s)
{
	(void)s;
	output_end(cs.format);
}

static void close_all(struct tool_session *s)
{
	(void)s;
	closesnoop_bpf__destroy(cs.skel);
	output_free();
	symbolizer_free(cs.sz);
}

int main(int argc, char **argv)
{
	static const struct tool closesnoop = {
		.name = "closesnoop", .usage = usage_text, .programs = "the eBPF program",
		.shortopts = "n:d:", .longopts = longopts, .flag = flag, .check_flags = check_flags,
		.prepare = prepare, .open = open_skeleton, .attached = attached,
		.record = handle_record, .finish = finish, .close = close_all,
	};

	return tool_main(&closesnoop, argc, argv);
}
