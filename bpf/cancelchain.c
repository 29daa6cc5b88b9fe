/*
 * cancelchain: how a cancelled context becomes close(2), step by step, in
 * one process: a Go 1.19 net/http client, or the C client c-cancel.
 *
 *   cancelchain [-v] -p PID
 *   cancelchain [-v] -- COMMAND [ARG...]
 *
 * The libbpf counterpart of bpf/cancel-chain.bt. Entry uprobes on the
 * chain's functions, found in the executable's symbol table (libelf) at
 * attach time, plus the process's epoll_ctl(EPOLL_CTL_DEL) and close(2)
 * tracepoints; everything filtered in the kernel by the process's tgid.
 * One line per event, in the order they happened:
 *
 *   <µs since the first event>  tid <tid>  <what>
 *
 * With -- COMMAND, cancelchain forks first (the command inherits no fd of
 * ours), the child waits on a pipe until every probe is attached, then
 * execs COMMAND; cancelchain exits with its status. With -p PID it traces
 * until Ctrl-C/SIGTERM or the process's end, and exits 0.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
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
#include <unistd.h>

#include "cancelchain.h"
#include "cancelchain.skel.h"
#include "lib/launch.h"
#include "lib/tool.h"

#define EXIT_FAILED 1 /* something went wrong while tracing */
#define EXIT_USAGE 2  /* bad arguments, a binary without the chain, or not allowed to load eBPF */

#define MSG_PRIVILEGES "cancelchain: needs root or CAP_BPF and CAP_PERFMON to load eBPF programs: run it with sudo"

/* The chain's functions. A C step names the Go step it plays. */
struct step {
	const char *sym;
	const char *as; /* C: the Go function it stands for; NULL for Go */
	enum cc_args args;
};

static const struct step steps[] = {
	/* Go 1.19 net/http */
	{ "context.(*cancelCtx).cancel", NULL, CC_ARGS_NONE },
	{ "net/http.(*Transport).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).closeLocked", NULL, CC_ARGS_NONE },
	{ "net.(*conn).Close", NULL, CC_ARGS_GO_CONN },
	{ "internal/poll.(*FD).destroy", NULL, CC_ARGS_GO_FD },
	/* c-cancel (clients/05-cancel.c, clients/lib/context.c) */
	{ "context_cancel", "context.(*cancelCtx).cancel", CC_ARGS_NONE },
	{ "on_context_done", "net/http.(*Transport).cancelRequest", CC_ARGS_NONE },
	{ "close_connection", "internal/poll.(*FD).destroy", CC_ARGS_C_2INT },
};
#define GO_FIRST 0
#define GO_COUNT 6
#define C_FIRST 6
#define C_COUNT 3
#define NSTEPS (GO_COUNT + C_COUNT)

static struct env {
	pid_t pid;        /* -p, 0: none */
	bool verbose;
	char **command;   /* after --, NULL if none */
	char *command_path;
} env;


static const char usage_text[] =
	"usage: cancelchain [-v] -p PID\n"
	"       cancelchain [-v] -- COMMAND [ARG...]\n"
	"Show how a cancelled context becomes close(2) in one process, as a timeline:\n"
	"a Go 1.19 net/http client (context.(*cancelCtx).cancel, net/http.(*Transport).\n"
	"cancelRequest, net/http.(*persistConn).cancelRequest, net/http.(*persistConn).\n"
	"closeLocked, net.(*conn).Close, internal/poll.(*FD).destroy) or c-cancel\n"
	"(context_cancel, on_context_done, close_connection), then the process's\n"
	"epoll_ctl(EPOLL_CTL_DEL) and close(2).\n"
	"\n"
	"  -p, --pid PID         trace the running process PID and its threads\n"
	"  -v, --verbose         show libbpf's messages and the probed offsets\n"
	"  -h, --help            show this help\n"
	"  -- COMMAND [ARG...]   run COMMAND, trace exactly it and its threads, and exit\n"
	"                        with its status (128+N if signal N killed it)\n"
	"\n"
	"Each line: microseconds since the first event, thread id, what happened.\n"
	"Every call is shown (Go cancels a context several times). Entry probes only.\n"
	"Status lines (`Tracing the cancel chain ...`, `lost N events`) go to stderr.\n"
	"Needs root, or CAP_BPF and CAP_PERFMON.\n";

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cancelchain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (cancelchain -h shows the usage)\n", stderr);
	exit(EXIT_USAGE);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int opt;

	opterr = 0; /* one line of ours instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+:p:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v <= 0 || v > 0x7fffffff)
				usage_error("-p '%s': not a process id", optarg);
			env.pid = (pid_t)v;
			break;
		case 'v': env.verbose = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case ':': usage_error("%.40s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown flag -%c", optopt);
			usage_error("unknown flag %.40s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		env.command = argv + optind;
		if (env.pid)
			usage_error("-p is for a running process; with -- COMMAND the command is traced");
	} else if (optind > 0 && strcmp(argv[optind - 1], "--") == 0) {
		usage_error("'--' needs a COMMAND to run");
	} else if (!env.pid) {
		usage_error("which process? -p PID or -- COMMAND");
	}
}

/* ---- symbols ---- */

/*
 * Finds each steps[i].sym among PATH's function symbols (.symtab, then
 * .dynsym) and sets offs[i] to its file offset, what a uprobe wants, or 0.
 * 0, or -1 after printing why PATH cannot be read as ELF.
 */
static int find_offsets(const char *path, const char *shown, size_t offs[NSTEPS])
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t nphdr = 0;
	int fd, ret = -1;

	memset(offs, 0, sizeof(size_t) * NSTEPS);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "cancelchain: libelf is too old\n");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cancelchain: cannot open %s: %s\n", shown, strerror(errno));
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr) != 0) {
		fprintf(stderr, "cancelchain: %s is not an ELF executable\n", shown);
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		if (!(data = elf_getdata(scn, NULL)) || sh.sh_entsize == 0)
			continue;
		for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
				continue;
			if (!(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			for (int i = 0; i < NSTEPS; i++) {
				if (offs[i] || strcmp(name, steps[i].sym) != 0)
					continue;
				/* the PT_LOAD segment holding it: vaddr -> file offset */
				for (size_t p = 0; p < nphdr; p++) {
					GElf_Phdr ph;

					if (!gelf_getphdr(elf, (int)p, &ph) || ph.p_type != PT_LOAD ||
					    !(ph.p_flags & PF_X))
						continue;
					if (sym.st_value >= ph.p_vaddr && sym.st_value < ph.p_vaddr + ph.p_memsz) {
						offs[i] = sym.st_value - ph.p_vaddr + ph.p_offset;
						break;
					}
				}
			}
		}
	}
	ret = 0;
out:
	elf_end(elf);
	close(fd);
	return ret;
}

/* Which set of steps PATH has: sets *first and *count, or prints what was
 * looked for and returns -1. */
static int choose_steps(const size_t offs[NSTEPS], const char *shown, int *first, int *count)
{
	char missing[512] = "";
	int base = -1, n = 0;

	if (offs[GO_FIRST]) {
		base = GO_FIRST;
		n = GO_COUNT;
	} else if (offs[C_FIRST]) {
		base = C_FIRST;
		n = C_COUNT;
	} else {
		fprintf(stderr,
			"cancelchain: %s has neither Go's context.(*cancelCtx).cancel nor c-cancel's context_cancel "
			"in its symbol table: not a Go net/http client nor c-cancel (or stripped)\n",
			shown);
		return -1;
	}
	for (int i = base; i < base + n; i++)
		if (!offs[i])
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", steps[i].sym);
	if (missing[0]) {
		fprintf(stderr, "cancelchain: %s has %s but not %s\n", shown, steps[base].sym, missing);
		return -1;
	}
	*first = base;
	*count = n;
	return 0;
}

/* ---- events ---- */

struct run {
	__u64 t0_ns; /* the first event's time; 0 before it */
};

static int handle_event(void *ctx, void *data, size_t size)
{
	struct run *run = ctx;
	const struct cc_event *e = data;
	char what[256];

	if (size < sizeof(*e))
		return 0;
	if (!run->t0_ns)
		run->t0_ns = e->ts_ns;
	switch (e->kind) {
	case CC_EV_UPROBE: {
		const struct step *s = e->step < NSTEPS ? &steps[e->step] : NULL;
		int n;

		if (!s) {
			snprintf(what, sizeof(what), "uprobe %u?", e->step);
			break;
		}
		n = snprintf(what, sizeof(what), "%s", s->sym);
		if (s->as)
			n += snprintf(what + n, sizeof(what) - (size_t)n, " (as %s)", s->as);
		if (e->args == CC_ARGS_GO_FD || e->args == CC_ARGS_GO_CONN) {
			if (e->err)
				snprintf(what + n, sizeof(what) - (size_t)n, " fd ?");
			else
				snprintf(what + n, sizeof(what) - (size_t)n, " fd %lld", (long long)e->a0);
		} else if (e->args == CC_ARGS_C_2INT) {
			snprintf(what + n, sizeof(what) - (size_t)n, " epfd %lld fd %lld", (long long)e->a0,
				 (long long)e->a1);
		}
		break;
	}
	case CC_EV_EPOLL_DEL:
		snprintf(what, sizeof(what), "epoll_ctl(EPOLL_CTL_DEL, fd %lld) epfd %lld", (long long)e->a1,
			 (long long)e->a0);
		break;
	case CC_EV_CLOSE: snprintf(what, sizeof(what), "close(fd %lld)", (long long)e->a0); break;
	default: return 0;
	}
	printf("%8.1f  tid %u  %s\n", (double)(e->ts_ns - run->t0_ns) / 1000.0, e->tid, what);
	fflush(stdout);
	return 0;
}

/* Prints why a libbpf step failed; returns the exit status that goes with
 * it. EPERM means privileges; so does EACCES when attaching. */
static int print_bpf_error(const char *step, const char *what, int err)
{
	if (err == -EPERM || (err == -EACCES && strcmp(step, "attach") == 0)) {
		fprintf(stderr, "%s\n", MSG_PRIVILEGES);
		return EXIT_USAGE;
	}
	fprintf(stderr, "cancelchain: cannot %s %s: %s%s\n", step, what, strerror(-err),
		env.verbose ? "" : " (cancelchain -v shows libbpf's messages)");
	return EXIT_FAILED;
}

int main(int argc, char **argv)
{
	struct cancelchain_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct bpf_link *links[NSTEPS] = { NULL };
	struct run run = { 0 };
	size_t offs[NSTEPS];
	char exe[64], shown[PATH_MAX];
	const char *exe_path;
	int go_fd = -1, err_fd = -1, exit_code = EXIT_FAILED, first = 0, count = 0, err;
	pid_t child = 0;
	bool child_done = false;

	parse_args(argc, argv);
	if (env.command) {
		err = launch_find_command(env.command[0], &env.command_path);
		if (err) {
			fprintf(stderr, "cancelchain: cannot run '%s': %s\n", env.command[0], strerror(err));
			return err == ENOENT ? 127 : 126;
		}
		exe_path = env.command_path;
		snprintf(shown, sizeof(shown), "%s", env.command_path);
	} else {
		ssize_t n;

		if (kill(env.pid, 0) != 0 && errno == ESRCH) {
			fprintf(stderr, "cancelchain: -p %d: no such process (cancelchain -h shows the usage)\n",
				env.pid);
			return EXIT_USAGE;
		}
		snprintf(exe, sizeof(exe), "/proc/%d/exe", env.pid);
		exe_path = exe;
		n = readlink(exe, shown, sizeof(shown) - 1);
		if (n <= 0)
			snprintf(shown, sizeof(shown), "%s", exe);
		else
			shown[n] = '\0';
	}
	if (!launch_can_load_bpf()) {
		fprintf(stderr, "%s\n", MSG_PRIVILEGES);
		exit_code = EXIT_USAGE;
		goto out;
	}
	/* Which functions: before anything runs or loads. */
	if (find_offsets(exe_path, shown, offs) != 0 || choose_steps(offs, shown, &first, &count) != 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}

	/* 1. The command, paused, before any fd of ours exists. */
	if (env.command) {
		child = launch_paused(env.command_path, env.command, &go_fd, &err_fd);
		if (child < 0) {
			fprintf(stderr, "cancelchain: cannot start '%s': %s\n", env.command[0], strerror(errno));
			child = 0;
			goto out;
		}
	}
	tool_install_signals();
	tool_libbpf_messages(env.verbose);

	/* 2. Open, set the filter, load, attach. */
	skel = cancelchain_bpf__open();
	if (!skel) {
		exit_code = print_bpf_error("open", "the eBPF programs", -errno);
		goto out;
	}
	skel->rodata->targ_tgid = (__u32)(child ? child : env.pid);
	err = cancelchain_bpf__load(skel);
	if (err) {
		exit_code = print_bpf_error("load", "the eBPF programs", err);
		goto out;
	}
	skel->links.cc_epoll_ctl = bpf_program__attach(skel->progs.cc_epoll_ctl);
	if (!skel->links.cc_epoll_ctl) {
		exit_code = print_bpf_error("attach", "syscalls/sys_enter_epoll_ctl", -errno);
		goto out;
	}
	skel->links.cc_close = bpf_program__attach(skel->progs.cc_close);
	if (!skel->links.cc_close) {
		exit_code = print_bpf_error("attach", "syscalls/sys_enter_close", -errno);
		goto out;
	}
	for (int i = first; i < first + count; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, uopts, .bpf_cookie = CC_COOKIE(i, steps[i].args));
		char what[PATH_MAX + 128];

		if (env.verbose)
			fprintf(stderr, "cancelchain: uprobe %s at %s+0x%zx\n", steps[i].sym, shown, offs[i]);
		/* Every process running the file, filtered by tgid in the
		 * kernel: the command's pid has not exec'd it yet. */
		links[i] = bpf_program__attach_uprobe_opts(skel->progs.cc_uprobe, -1, exe_path, offs[i], &uopts);
		if (!links[i]) {
			snprintf(what, sizeof(what), "a uprobe on %s in %s", steps[i].sym, shown);
			exit_code = print_bpf_error("attach", what, -errno);
			goto out;
		}
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, &run, NULL);
	if (!rb) {
		fprintf(stderr, "cancelchain: cannot open the ring buffer: %s\n", strerror(errno));
		goto out;
	}

	/* 3. Attached: say so (scripts wait for this line), let the command go. */
	if (child)
		fprintf(stderr, "Tracing the cancel chain of pid %d (%s)... Ctrl-C to end.\n", child, shown);
	else
		fprintf(stderr, "Tracing the cancel chain of pid %d (%s)... Ctrl-C to end.\n", env.pid, shown);
	if (child) {
		err = launch_release(go_fd, err_fd);
		go_fd = err_fd = -1;
		if (err) {
			fprintf(stderr, "cancelchain: cannot run '%s': %s\n", env.command[0], strerror(err));
			launch_wait(child);
			child = 0;
			exit_code = err == ENOENT ? 127 : 126;
			goto out;
		}
	}

	/* 4. Poll until Ctrl-C or the process's end. */
	for (;;) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "cancelchain: reading the ring buffer: %s\n", strerror(-err));
			goto out;
		}
		if (ferror(stdout)) {
			fprintf(stderr, "cancelchain: cannot write the output: %s\n", strerror(errno));
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
		} else if (kill(env.pid, 0) != 0 && errno == ESRCH) {
			fprintf(stderr, "cancelchain: pid %d exited\n", env.pid);
			exit_code = 0;
			break;
		}
	}
	/* The process's last events were committed before it could exit. */
	ring_buffer__consume(rb);
	fflush(stdout);
	fprintf(stderr, "lost %llu events\n", tool_sum_percpu(bpf_map__fd(skel->maps.lost)));

out:
	/* 5. Clean up, whatever happened. */
	if (go_fd >= 0)
		close(go_fd); /* the child reads EOF and exits without exec */
	if (err_fd >= 0)
		close(err_fd);
	ring_buffer__free(rb);
	for (int i = 0; i < NSTEPS; i++)
		bpf_link__destroy(links[i]);
	cancelchain_bpf__destroy(skel);
	if (child && !child_done) {
		kill(child, SIGTERM);
		launch_wait(child);
	}
	free(env.command_path);
	return exit_code;
}
