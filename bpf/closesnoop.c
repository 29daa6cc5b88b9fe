/*
 * closesnoop: who calls close(), on what kind of fd, from which user stack,
 * for C and Go programs alike.
 *
 *   closesnoop [-v] [-p PID] [-n COMM] [-d SECONDS] [--folded | --json]
 *   closesnoop [-v] [--folded | --json] -- COMMAND [ARG...]
 *
 * The steps, as in libbpf-bootstrap's tools: open the skeleton, set the
 * filters in its read-only data, load, attach, poll the ring buffer, clean
 * up (on every path: an error, Ctrl-C, SIGTERM, -d running out, or the
 * command ending).
 *
 * With -- COMMAND, closesnoop forks first, before it opens anything (so the
 * command inherits no fd of ours: its socket is still fd 3), and the child
 * waits on a pipe until the probe is attached; then it execs COMMAND. The
 * filter is the child's pid, so exactly the command and its threads are
 * traced; closesnoop exits with the command's status once it has ended and
 * the ring buffer is drained.
 *
 * How frames get names, also after the process exited, and how the frame
 * that frame-pointer unwinding skips is recovered: lib/symbolize.h.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "closesnoop.h"
#include "closesnoop.skel.h"
#include "lib/launch.h"
#include "lib/tool.h"
#include "lib/json.h"
#include "lib/symbolize.h"

#define EXIT_FAILED 1 /* something went wrong while tracing */
#define EXIT_USAGE 2  /* bad arguments, or not allowed to load eBPF */

#define MSG_PRIVILEGES "closesnoop: needs root or CAP_BPF and CAP_PERFMON to load eBPF programs: run it with sudo"
#define MSG_NO_BTF                                                                                         \
	"closesnoop: no /sys/kernel/btf/vmlinux: this kernel lacks BTF (CONFIG_DEBUG_INFO_BTF=y), which CO-RE " \
	"needs"

enum output { OUTPUT_TEXT, OUTPUT_FOLDED, OUTPUT_JSON };

static struct env {
	pid_t pid;         /* -p, 0: any */
	const char *comm;  /* -n, NULL: any */
	double duration;   /* -d, 0: until Ctrl-C */
	bool verbose;
	enum output output;
	char **command;    /* after --, NULL if none */
	char *command_path;
} env;


/* Folded stacks, counted until exit. */
struct folded_entry {
	struct folded_entry *next;
	unsigned long long count;
	char key[];
};

#define FOLDED_BUCKETS 1024

struct run {
	struct symbolizer *sz;
	__u64 start_ns;
	unsigned long long events;
	struct folded_entry *folded[FOLDED_BUCKETS];
	size_t nfolded;
	struct frame frames[SYMBOLIZE_MAX_FRAMES];
};

static const char usage_text[] =
	"usage: closesnoop [-v] [-p PID] [-n COMM] [-d SECONDS] [--folded | --json]\n"
	"       closesnoop [-v] [--folded | --json] -- COMMAND [ARG...]\n"
	"Trace close(): who calls it, on what kind of fd, from which user stack.\n"
	"\n"
	"  -p, --pid PID         only process PID and its threads\n"
	"  -n, --name COMM       only tasks named COMM (at most 15 characters)\n"
	"  -d, --duration SECS   stop after SECS seconds (default: at Ctrl-C)\n"
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

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("closesnoop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (closesnoop -h shows the usage)\n", stderr);
	exit(EXIT_USAGE);
}

static pid_t parse_pid(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 0x7fffffff)
		usage_error("-p '%s': not a process id", arg);
	return (pid_t)v;
}

static double parse_duration(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0) || v > 1e7)
		usage_error("-d '%s': not a duration in seconds", arg);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { OPT_FOLDED = 256, OPT_JSON };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool folded = false, json = false;
	int opt;

	opterr = 0; /* one line of ours instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+:p:n:d:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': env.pid = parse_pid(optarg); break;
		case 'n':
			if (!*optarg)
				usage_error("-n needs a COMM name");
			if (strlen(optarg) >= CLOSESNOOP_COMM_LEN)
				usage_error("-n '%s': %zu characters, but a comm has at most %d", optarg, strlen(optarg),
					    CLOSESNOOP_COMM_LEN - 1);
			env.comm = optarg;
			break;
		case 'd': env.duration = parse_duration(optarg); break;
		case OPT_FOLDED: folded = true; break;
		case OPT_JSON: json = true; break;
		case 'v': env.verbose = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case ':': usage_error("%.40s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown flag -%c", optopt);
			usage_error("unknown flag %.40s", argv[optind - 1]);
		}
	}
	if (folded && json)
		usage_error("--folded and --json exclude each other");
	env.output = folded ? OUTPUT_FOLDED : json ? OUTPUT_JSON : OUTPUT_TEXT;
	if (optind < argc) {
		env.command = argv + optind;
		if (env.pid || env.comm || env.duration > 0)
			usage_error("-p, -n and -d are for running processes; with -- COMMAND the command is traced "
				    "until it ends");
	} else if (optind > 0 && strcmp(argv[optind - 1], "--") == 0) {
		usage_error("'--' needs a COMMAND to run");
	}
}

/* ---- prerequisites ---- */

/* 0, or prints why the tracepoint cannot be there and returns -1. */
static int check_tracepoint(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	bool have_events = false;
	char path[128];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (access(path, F_OK) != 0) {
			if (errno == EACCES)
				return 0; /* cannot tell: let libbpf try */
			continue;
		}
		have_events = true;
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_close", roots[i]);
		if (access(path, F_OK) == 0)
			return 0;
	}
	if (!have_events)
		fprintf(stderr, "closesnoop: tracefs is not mounted (no /sys/kernel/tracing/events): mount it with "
				"'mount -t tracefs tracefs /sys/kernel/tracing'\n");
	else
		fprintf(stderr, "closesnoop: no tracepoint syscalls/sys_enter_close in tracefs: this kernel lacks "
				"syscall tracepoints (CONFIG_FTRACE_SYSCALLS=y)\n");
	return -1;
}

/* ---- output ---- */

static const char *kind_text(const struct close_event *e, char *buf, size_t len)
{
	switch (e->kind) {
	case FD_KIND_SOCKET: return "socket";
	case FD_KIND_PIPE: return "pipe";
	case FD_KIND_FILE: return "file";
	case FD_KIND_DIR: return "dir";
	case FD_KIND_CHR: return "chr";
	case FD_KIND_BLK: return "blk";
	case FD_KIND_OTHER: return "other";
	case FD_KIND_BADF: return "badf";
	case FD_KIND_ANON:
		snprintf(buf, len, "anon:%.*s", CLOSESNOOP_NAME_LEN, e->name[0] ? e->name : "?");
		return buf;
	default: return "?";
	}
}

static void print_text(const struct run *run, const struct close_event *e, const char *comm, const char *kind,
		       int n)
{
	__u64 t = e->ts_ns > run->start_ns ? e->ts_ns - run->start_ns : 0;
	char time[32];

	snprintf(time, sizeof(time), "%llu.%06llu", (unsigned long long)(t / 1000000000),
		 (unsigned long long)(t % 1000000000 / 1000));
	printf("%-12s %-16s %7u %7u %4d %s\n", time, comm, e->pid, e->tid, e->fd, kind);
	if (n == 0) {
		if (e->stack.nr_ips < 0)
			printf("    [no user stack: error %d]\n", e->stack.nr_ips);
		else
			printf("    [no user stack]\n");
	}
	for (int i = 0; i < n; i++) {
		const struct frame *f = &run->frames[i];

		if (f->sym)
			printf("    %s+0x%llx", f->sym, (unsigned long long)f->off);
		else
			printf("    0x%llx", (unsigned long long)f->ip);
		if (f->module && !(f->flags & FRAME_EXE) && (f->sym || f->module))
			printf(" (%s)", f->module);
		else if (!f->module && f->build_id[0])
			printf(" (build-id %s+0x%llx)", f->build_id, (unsigned long long)f->file_off);
		if (f->flags & FRAME_CFI)
			printf(" [from CFI]");
		putchar('\n');
	}
	putchar('\n');
}

static void print_json(const struct run *run, const struct close_event *e, const char *comm, const char *kind,
		       int n)
{
	__u64 t = e->ts_ns > run->start_ns ? e->ts_ns - run->start_ns : 0;

	printf("{\"time_us\":%llu,\"comm\":", (unsigned long long)(t / 1000));
	json_write_string(stdout, comm);
	printf(",\"pid\":%u,\"tid\":%u,\"fd\":%d,\"kind\":", e->pid, e->tid, e->fd);
	json_write_string(stdout, kind);
	printf(",\"stack\":[");
	for (int i = 0; i < n; i++) {
		const struct frame *f = &run->frames[i];

		printf("%s{\"ip\":\"0x%llx\",\"sym\":", i ? "," : "", (unsigned long long)f->ip);
		if (f->sym) {
			json_write_string(stdout, f->sym);
			printf(",\"off\":%llu", (unsigned long long)f->off);
		} else {
			printf("null,\"off\":null");
		}
		printf(",\"module\":");
		if (f->module)
			json_write_string(stdout, f->module);
		else
			printf("null");
		if (f->build_id[0])
			printf(",\"build_id\":\"%s\",\"file_off\":%llu", f->build_id, (unsigned long long)f->file_off);
		if (f->flags & FRAME_CFI)
			printf(",\"cfi\":true");
		putchar('}');
	}
	printf("]}\n");
}

/* A frame's name in a folded line: no offset, no ';' and no spaces. */
static void put_folded_name(FILE *f, const char *name)
{
	for (; *name; name++)
		putc(*name == ';' || *name == ' ' ? '_' : *name, f);
}

static unsigned long hash_string(const char *s)
{
	unsigned long h = 1469598103934665603ul; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ul;
	return h;
}

static int count_folded(struct run *run, const char *comm, int n)
{
	struct folded_entry **slot, *entry;
	size_t len = 0;
	char *key = NULL;
	FILE *f = open_memstream(&key, &len);

	if (!f)
		return -ENOMEM;
	put_folded_name(f, comm[0] ? comm : "[unknown]");
	for (int i = n - 1; i >= 0; i--) {
		const struct frame *fr = &run->frames[i];

		putc(';', f);
		if (fr->sym)
			put_folded_name(f, fr->sym);
		else
			fprintf(f, "[%s]", fr->module ? fr->module : "unknown");
	}
	if (n == 0)
		fputs(";[no user stack]", f);
	if (fclose(f) != 0) {
		free(key);
		return -ENOMEM;
	}
	slot = &run->folded[hash_string(key) % FOLDED_BUCKETS];
	for (entry = *slot; entry; entry = entry->next) {
		if (strcmp(entry->key, key) == 0) {
			entry->count++;
			free(key);
			return 0;
		}
	}
	entry = malloc(sizeof(*entry) + len + 1);
	if (!entry) {
		free(key);
		return -ENOMEM;
	}
	memcpy(entry->key, key, len + 1);
	free(key);
	entry->count = 1;
	entry->next = *slot;
	*slot = entry;
	run->nfolded++;
	return 0;
}

static int compare_folded(const void *a, const void *b)
{
	return strcmp((*(struct folded_entry *const *)a)->key, (*(struct folded_entry *const *)b)->key);
}

static void print_folded(struct run *run)
{
	struct folded_entry **all = calloc(run->nfolded ? run->nfolded : 1, sizeof(*all));
	size_t n = 0;

	for (int b = 0; b < FOLDED_BUCKETS; b++)
		for (struct folded_entry *e = run->folded[b]; e; e = e->next)
			if (all)
				all[n++] = e;
	if (!all) {
		fprintf(stderr, "closesnoop: out of memory for the folded stacks\n");
		return;
	}
	qsort(all, n, sizeof(*all), compare_folded);
	for (size_t i = 0; i < n; i++)
		printf("%s %llu\n", all[i]->key, all[i]->count);
	free(all);
}

static void free_folded(struct run *run)
{
	for (int b = 0; b < FOLDED_BUCKETS; b++) {
		while (run->folded[b]) {
			struct folded_entry *e = run->folded[b];

			run->folded[b] = e->next;
			free(e);
		}
	}
}

/* ---- events ---- */

static void handle_exec(struct run *run, const struct exec_event *e)
{
	char path[PATH_MAX];

	/* A new image: the old map is wrong now. Index the file it runs
	 * (found by the kernel, so even if the process is gone already),
	 * then read the new map while the process most likely still runs. */
	symbolizer_forget(run->sz, (int)e->pid);
	if (ustack_path_join(&e->exe_path, path, sizeof(path)) == 0) {
		if (env.verbose)
			fprintf(stderr, "closesnoop: pid %u executes %s\n", e->pid, path);
		symbolizer_add_file(run->sz, path);
	} else if (snprintf(path, sizeof(path), "%.*s", CLOSESNOOP_PATH_LEN, e->filename) > 0 && path[0] == '/')
		symbolizer_add_file(run->sz, path);
	symbolizer_snapshot(run->sz, (int)e->pid);
}

static void handle_close(struct run *run, const struct close_event *e)
{
	char comm[CLOSESNOOP_COMM_LEN + 1], kind_buf[CLOSESNOOP_NAME_LEN + 8];
	const char *kind = kind_text(e, kind_buf, sizeof(kind_buf));
	int n;

	snprintf(comm, sizeof(comm), "%.*s", CLOSESNOOP_COMM_LEN, e->comm);
	n = symbolizer_resolve(run->sz, (int)e->pid, e->ts_ns, &e->stack, run->frames, SYMBOLIZE_MAX_FRAMES);
	run->events++;
	switch (env.output) {
	case OUTPUT_TEXT:
		print_text(run, e, comm, kind, n);
		fflush(stdout);
		break;
	case OUTPUT_JSON:
		print_json(run, e, comm, kind, n);
		fflush(stdout);
		break;
	case OUTPUT_FOLDED:
		if (count_folded(run, comm, n) != 0)
			fprintf(stderr, "closesnoop: out of memory for the folded stacks\n");
		break;
	}
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct run *run = ctx;
	__u32 type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	if (type == RECORD_CLOSE && size >= sizeof(struct close_event))
		handle_close(run, data);
	else if (type == RECORD_EXEC && size >= sizeof(struct exec_event))
		handle_exec(run, data);
	return 0;
}

/* -n: the processes already running with that name, mapped at attach. */
static void snapshot_by_comm(struct symbolizer *sz, const char *comm)
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
				symbolizer_snapshot(sz, atoi(d->d_name));
		}
		fclose(f);
	}
	closedir(proc);
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static void print_tracing_line(pid_t child)
{
	char what[128];

	if (child)
		snprintf(what, sizeof(what), "in pid %d (%s)", child, env.command[0]);
	else if (env.pid && env.comm)
		snprintf(what, sizeof(what), "in pid %d if named %s", env.pid, env.comm);
	else if (env.pid)
		snprintf(what, sizeof(what), "in pid %d", env.pid);
	else if (env.comm)
		snprintf(what, sizeof(what), "in tasks named %s", env.comm);
	else
		snprintf(what, sizeof(what), "in every process");
	if (env.duration > 0)
		fprintf(stderr, "Tracing close() %s for %g s... Ctrl-C to end.\n", what, env.duration);
	else
		fprintf(stderr, "Tracing close() %s... Ctrl-C to end.\n", what);
}

/* Prints why a libbpf step failed; returns the exit status that goes
 * with it. EPERM means privileges; so does EACCES when attaching (the
 * tracepoint's id is in tracefs, often readable by root only), while
 * EACCES when loading is the verifier refusing the program. */
static int print_load_error(const char *step, int err)
{
	if (err == -EPERM || (err == -EACCES && strcmp(step, "attach") == 0)) {
		fprintf(stderr, "%s\n", MSG_PRIVILEGES);
		return EXIT_USAGE;
	}
	fprintf(stderr, "closesnoop: cannot %s the eBPF program: %s%s\n", step, strerror(-err),
		env.verbose ? "" : " (closesnoop -v shows libbpf's messages)");
	return EXIT_FAILED;
}

int main(int argc, char **argv)
{
	struct closesnoop_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct run *run = NULL;
	int go_fd = -1, err_fd = -1, exit_code = EXIT_FAILED, err;
	pid_t child = 0;
	bool child_done = false;
	__u64 deadline_ns = 0;

	parse_args(argc, argv);
	/* First, as nothing else can be done without it: a user who cannot
	 * load eBPF may not be able to read the command either (under root's
	 * home, say), and sudo fixes both. */
	if (!launch_can_load_bpf()) {
		fprintf(stderr, "%s\n", MSG_PRIVILEGES);
		return EXIT_USAGE;
	}
	if (env.command) {
		err = launch_find_command(env.command[0], &env.command_path);
		if (err) {
			fprintf(stderr, "closesnoop: cannot run '%s': %s\n", env.command[0], strerror(err));
			return err == ENOENT ? 127 : 126;
		}
	}
	if (env.pid && kill(env.pid, 0) != 0 && errno == ESRCH) {
		fprintf(stderr, "closesnoop: -p %d: no such process (closesnoop -h shows the usage)\n", env.pid);
		exit_code = EXIT_USAGE;
		goto out;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fprintf(stderr, "%s\n", MSG_NO_BTF);
		goto out;
	}
	if (check_tracepoint() != 0)
		goto out;

	/* 1. The command, paused, before any fd of ours exists. */
	if (env.command) {
		child = launch_paused(env.command_path, env.command, &go_fd, &err_fd);
		if (child < 0) {
			fprintf(stderr, "closesnoop: cannot start '%s': %s\n", env.command[0], strerror(errno));
			child = 0;
			goto out;
		}
	}
	tool_install_signals();
	tool_libbpf_messages(env.verbose);

	run = calloc(1, sizeof(*run));
	if (!run || !(run->sz = symbolizer_new(env.verbose))) {
		fprintf(stderr, "closesnoop: out of memory\n");
		goto out;
	}
	/* Index our own libraries (libc, ld.so: most C programs' too), and
	 * the command's executable, before anything can exit. */
	symbolizer_snapshot(run->sz, getpid());
	if (env.command_path)
		symbolizer_add_file(run->sz, env.command_path);

	/* 2. Open, set the filters, load, attach. */
	skel = closesnoop_bpf__open();
	if (!skel) {
		exit_code = print_load_error("open", -errno);
		goto out;
	}
	skel->rodata->self_tgid = (__u32)getpid();
	skel->rodata->targ_tgid = (__u32)(child ? child : env.pid);
	if (env.comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, env.comm, CLOSESNOOP_COMM_LEN - 1);
	}
	err = closesnoop_bpf__load(skel);
	if (err) {
		exit_code = print_load_error("load", err);
		goto out;
	}
	run->start_ns = monotonic_ns(); /* times count from here */
	err = closesnoop_bpf__attach(skel);
	if (err) {
		exit_code = print_load_error("attach", err);
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_record, run, NULL);
	if (!rb) {
		fprintf(stderr, "closesnoop: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}
	if (env.pid)
		symbolizer_snapshot(run->sz, env.pid);
	if (env.comm)
		snapshot_by_comm(run->sz, env.comm);

	/* 3. Attached: say so (a contract: scripts wait for this line), then
	 * let the command go. */
	if (env.duration > 0)
		deadline_ns = monotonic_ns() + (__u64)(env.duration * 1e9);
	if (env.output == OUTPUT_TEXT)
		printf("%-12s %-16s %7s %7s %4s %s\n", "TIME(s)", "COMM", "PID", "TID", "FD", "KIND");
	fflush(stdout);
	print_tracing_line(child);
	if (child) {
		err = launch_release(go_fd, err_fd);
		go_fd = err_fd = -1;
		if (err) {
			fprintf(stderr, "closesnoop: cannot run '%s': %s\n", env.command[0], strerror(err));
			launch_wait(child);
			child = 0;
			exit_code = err == ENOENT ? 127 : 126;
			goto out;
		}
	}

	/* 4. Poll until Ctrl-C, -d, or the command's end. */
	for (;;) {
		int timeout_ms = 100;

		if (deadline_ns) {
			__u64 now = monotonic_ns();

			if (now >= deadline_ns)
				break;
			if (deadline_ns - now < 100000000ull)
				timeout_ms = (int)((deadline_ns - now) / 1000000) + 1;
		}
		err = ring_buffer__poll(rb, timeout_ms);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "closesnoop: reading the ring buffer: %s\n", strerror(-err));
			goto out;
		}
		if (ferror(stdout)) {
			fprintf(stderr, "closesnoop: cannot write the output: %s\n", strerror(errno));
			goto out;
		}
		if (child) {
			if (launch_child_ended(child, &exit_code)) {
				child_done = true;
				break;
			}
		} else if (tool_stop_signo) {
			exit_code = 0;
			break;
		}
	}
	if (!child)
		exit_code = 0;
	/* The command's last events were committed before it could exit. */
	ring_buffer__consume(rb);
	if (env.output == OUTPUT_FOLDED)
		print_folded(run);
	fflush(stdout);
	fprintf(stderr, "lost %llu events\n", tool_sum_percpu(bpf_map__fd(skel->maps.lost)));

out:
	/* 5. Clean up, whatever happened. */
	if (go_fd >= 0)
		close(go_fd); /* the child reads EOF and exits without exec */
	if (err_fd >= 0)
		close(err_fd);
	ring_buffer__free(rb);
	closesnoop_bpf__destroy(skel);
	if (child && !child_done) {
		/* Tracing failed while the command runs (or before it was let
		 * go): do not leave it behind. */
		kill(child, SIGTERM);
		launch_wait(child);
	}
	if (run) {
		free_folded(run);
		symbolizer_free(run->sz);
		free(run);
	}
	free(env.command_path);
	return exit_code;
}
