/* loader.c: the steps every tool takes, once (see loader.h). */
#include "lib/loader.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/launch.h"
#include "lib/printable.h"
#include "lib/tool.h"

/* The tool tool_main() runs, and its session: for the messages. */
static const struct tool *tool;
static const struct tool_session *session;

/* ---- messages and flags ---- */

void tool_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s -h shows the usage)\n", tool->name);
	exit(EXIT_USAGE);
}

static void say_privileges_needed(void)
{
	fprintf(stderr, "%s: needs root or CAP_BPF and CAP_PERFMON to load eBPF programs: run it with sudo\n",
		tool->name);
}

int tool_bpf_error(const char *step, const char *what, int err)
{
	if (err == -EPERM || (err == -EACCES && strcmp(step, "attach") == 0)) {
		say_privileges_needed();
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s: cannot %s %s: %s", tool->name, step, what ? what : tool->programs, strerror(-err));
	if (!session->verbose)
		fprintf(stderr, " (%s -v shows libbpf's messages)", tool->name);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

static pid_t parse_pid(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 0x7fffffff)
		tool_usage_error("-p '%s': not a process id", arg);
	return (pid_t)v;
}

double tool_parse_duration(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0) || v > 1e7)
		tool_usage_error("-d '%s': not a duration in seconds", arg);
	return v;
}

/* -p PID, -v, -h and the tool's flags, then -- COMMAND [ARG...]. */
static void parse_args(struct tool_session *s, int argc, char **argv)
{
	static const struct option common[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[32];
	char shortopts[64];
	size_t n = 0;
	int opt;

	for (size_t i = 0; i < ARRAY_SIZE(common); i++)
		longopts[n++] = common[i];
	for (const struct option *o = tool->longopts; o && o->name; o++) {
		if (n == ARRAY_SIZE(longopts) - 1)
			abort(); /* a tool with that many flags: make room above */
		longopts[n++] = *o;
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	if (snprintf(shortopts, sizeof(shortopts), "+:p:vh%s", tool->shortopts ? tool->shortopts : "") >=
	    (int)sizeof(shortopts))
		abort();

	opterr = 0; /* one line of ours instead of getopt's */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': s->pid = parse_pid(optarg); break;
		case 'v': s->verbose = true; break;
		case 'h': fputs(tool->usage, stdout); exit(0);
		case ':': tool_usage_error("%.40s needs a value", argv[optind - 1]);
		case '?':
			if (optopt)
				tool_usage_error("unknown flag -%c", optopt);
			tool_usage_error("unknown flag %.40s", argv[optind - 1]);
		default:
			if (tool->flag)
				tool->flag(s, opt, optarg);
			break;
		}
	}
	if (optind < argc)
		s->command = argv + optind;
	if (tool->check_flags)
		tool->check_flags(s);
	if (!s->command && optind > 0 && strcmp(argv[optind - 1], "--") == 0)
		tool_usage_error("'--' needs a COMMAND to run");
	if (tool->scope == TOOL_ONE_PROCESS && !s->command && !s->pid)
		tool_usage_error("which process? -p PID or -- COMMAND");
}

/* ---- what the kernel must offer ---- */

int tool_require_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		return 0;
	fprintf(stderr, "%s: no /sys/kernel/btf/vmlinux: this kernel lacks BTF (CONFIG_DEBUG_INFO_BTF=y), which "
		"CO-RE needs\n", tool->name);
	return -1;
}

int tool_require_tracepoint(const char *category, const char *name, const char *why_missing)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	bool have_events = false;
	char path[256];

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (access(path, F_OK) != 0) {
			if (errno == EACCES)
				return 0; /* cannot tell: let libbpf try */
			continue;
		}
		have_events = true;
		snprintf(path, sizeof(path), "%s/events/%s/%s", roots[i], category, name);
		if (access(path, F_OK) == 0)
			return 0;
	}
	if (!have_events)
		fprintf(stderr, "%s: tracefs is not mounted (no /sys/kernel/tracing/events): mount it with "
			"'mount -t tracefs tracefs /sys/kernel/tracing'\n", tool->name);
	else
		fprintf(stderr, "%s: no tracepoint %s/%s in tracefs: %s\n", tool->name, category, name, why_missing);
	return -1;
}

/* ---- the run ---- */

/* COMMAND cannot be run (ERR, from finding or exec'ing it): says why,
 * naming the missing interpreter behind an ENOENT for a file that exists,
 * and returns the exit status, 127 or 126, as a shell would. */
static int say_cannot_run(const struct tool_session *s, int err)
{
	char interp[256];

	if (err == ENOENT && s->command_path && launch_missing_interpreter(s->command_path, interp, sizeof(interp)))
		fprintf(stderr, "%s: cannot run '%s': its interpreter %s does not exist\n", tool->name,
			printable(s->command[0]), printable(interp));
	else
		fprintf(stderr, "%s: cannot run '%s': %s\n", tool->name, printable(s->command[0]), strerror(err));
	return err == ENOENT ? 127 : 126;
}

/* Privileges, then COMMAND or PID: 0, or the exit status after saying
 * why not. */
static int check_target(struct tool_session *s)
{
	char interp[256];
	int err;

	/* First, as nothing else can be done without it: a user who cannot
	 * load eBPF may not be able to read the command either (under root's
	 * home, say), and sudo fixes both. */
	if (!launch_can_load_bpf()) {
		say_privileges_needed();
		return EXIT_USAGE;
	}
	if (s->command) {
		err = launch_find_command(s->command[0], &s->command_path);
		/* exec would fail with ENOENT, once the header is out */
		if (!err && launch_missing_interpreter(s->command_path, interp, sizeof(interp)))
			err = ENOENT;
		if (err)
			return say_cannot_run(s, err);
	} else if (s->pid && kill(s->pid, 0) != 0 && errno == ESRCH) {
		fprintf(stderr, "%s: -p %d: no such process (%s -h shows the usage)\n", tool->name, s->pid, tool->name);
		return EXIT_USAGE;
	}
	return 0;
}

/* Loads and attaches what tool->open opened: 0 or the exit status. */
static int load_and_attach(struct tool_session *s)
{
	int err = bpf_object__load_skeleton(s->skeleton);

	if (err)
		return tool_bpf_error("load", NULL, err);
	s->start_ns = tool_monotonic_ns(); /* times count from here */
	if (tool->attach)
		return tool->attach(s);
	err = bpf_object__attach_skeleton(s->skeleton);
	return err ? tool_bpf_error("attach", NULL, err) : 0;
}

/* Reads the ring buffer until Ctrl-C/SIGTERM, DEADLINE_NS (0: none), the
 * command's end or -p PID's end (PIDFD, launch_watch_pid()): true and
 * *exit_code, or false after saying what failed. */
static bool poll_until_end(struct tool_session *s, struct ring_buffer *rb, __u64 deadline_ns, int pidfd,
			   int *exit_code)
{
	for (;;) {
		int timeout_ms = 100, err;

		if (deadline_ns) {
			__u64 now = tool_monotonic_ns();

			if (now >= deadline_ns)
				break;
			if (deadline_ns - now < 100000000ull)
				timeout_ms = (int)((deadline_ns - now) / 1000000) + 1;
		}
		err = ring_buffer__poll(rb, timeout_ms);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: reading the ring buffer: %s\n", tool->name, strerror(-err));
			return false;
		}
		if (ferror(stdout)) {
			fprintf(stderr, "%s: cannot write the output: %s\n", tool->name, strerror(errno));
			return false;
		}
		if (s->child) {
			if (launch_child_ended(s->child, exit_code)) {
				s->child = 0; /* reaped */
				return true;
			}
		} else if (tool_stop_signo) {
			break;
		} else if (s->pid && launch_pid_ended(pidfd, s->pid)) {
			fprintf(stderr, "%s: pid %d exited\n", tool->name, s->pid);
			break;
		}
	}
	*exit_code = 0;
	return true;
}

int tool_main(const struct tool *t, int argc, char **argv)
{
	struct tool_session s = { 0 };
	struct ring_buffer *rb = NULL;
	struct bpf_object *obj;
	int release_fd = -1, err_fd = -1, pidfd = -1, exit_code = EXIT_FAILED, err;
	__u64 deadline_ns = 0;

	tool = t;
	session = &s;
	parse_args(&s, argc, argv);
	err = check_target(&s);
	if (err)
		return err;
	if (s.pid)
		pidfd = launch_watch_pid(s.pid);
	if (t->prepare && (err = t->prepare(&s)) != 0) {
		exit_code = err;
		goto out;
	}

	/* 1. The command, paused, before any fd of ours exists. */
	if (s.command) {
		s.child = launch_paused(s.command_path, s.command, &release_fd, &err_fd);
		if (s.child < 0) {
			fprintf(stderr, "%s: cannot start '%s': %s\n", t->name, printable(s.command[0]), strerror(errno));
			s.child = 0;
			goto out;
		}
	}
	s.target = s.child ? s.child : s.pid;
	tool_install_signals();
	tool_libbpf_messages(s.verbose);

	/* 2. Open (the tool sets its read-only data), load, attach. */
	if ((err = t->open(&s)) != 0 || (err = load_and_attach(&s)) != 0) {
		exit_code = err;
		goto out;
	}
	obj = *s.skeleton->obj;
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"), t->record, &s, NULL);
	if (!rb) {
		fprintf(stderr, "%s: cannot open the ring buffer: %s\n", t->name, strerror(errno));
		goto out;
	}

	/* 3. Attached: say so (scripts wait for that line), then let the
	 * command go. */
	t->attached(&s);
	if (s.duration > 0)
		deadline_ns = tool_monotonic_ns() + (__u64)(s.duration * 1e9);
	if (s.child) {
		err = launch_release(release_fd, err_fd);
		release_fd = err_fd = -1;
		if (err) {
			exit_code = say_cannot_run(&s, err);
			launch_wait(s.child);
			s.child = 0;
			goto out;
		}
	}

	/* 4. Poll until Ctrl-C, -d, or the end of the command or process. */
	if (!poll_until_end(&s, rb, deadline_ns, pidfd, &exit_code))
		goto out;
	/* Its last records were committed before it could exit. */
	ring_buffer__consume(rb);
	if (t->finish)
		t->finish(&s);
	fflush(stdout);
	fprintf(stderr, "lost %llu events\n", tool_sum_percpu(bpf_object__find_map_fd_by_name(obj, "lost")));

out:
	/* 5. Clean up, whatever happened. */
	if (release_fd >= 0)
		close(release_fd); /* the child reads EOF and exits without exec */
	if (err_fd >= 0)
		close(err_fd);
	if (pidfd >= 0)
		close(pidfd);
	ring_buffer__free(rb);
	t->close(&s);
	if (s.child) {
		/* Tracing failed while the command runs (or before it was let
		 * go): do not leave it behind. */
		kill(s.child, SIGTERM);
		launch_wait(s.child);
	}
	free(s.command_path);
	return exit_code;
}
