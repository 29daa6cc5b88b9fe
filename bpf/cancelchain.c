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
 * One line per event, in the order they happened, fields two spaces apart:
 *
 *   <µs>  tid <tid>  [g <goid>  ]<what>[  from <caller>[ (<label>)]]
 *
 *   µs      since the first event, one decimal
 *   tid     the thread
 *   g       Go programs only: the goroutine (threads are not goroutines).
 *           At a uprobe the current g is R14 (Go's ABIInternal), at a
 *           syscall the thread's g word; g.goid's offset in runtime.g comes
 *           from the traced binary's DWARF. No DWARF (go build -ldflags=-w):
 *           no g fields, and one line on stderr says so. g 0 is a thread's
 *           g0, the runtime's own stack: goids are handed out from 1
 *           (`runtime/proc.go newproc1`, oneNewExtraM), never to a g0.
 *   what    the function (a C step: "(as <the Go function it plays>)"),
 *           then its fd arguments; or the syscall
 *   from    cancels only (context.(*cancelCtx).cancel, context_cancel): the
 *           caller that matters, the first frame outside the context code
 *           (Go: outside packages context and runtime; C: outside the
 *           compilation unit that defines context_cancel, i.e.
 *           clients/lib/context.c). When the whole goroutine or thread is
 *           context code, its outermost context frame.
 *   label   which cancel cancelled the context, for a call that finds its
 *           context not done yet (the err field, whose offset also comes
 *           from DWARF, is not set at entry) and that is not a parent
 *           context passing the cancel down to a child (cancelCtx.cancel
 *           among its own callers):
 *     (the user's cancel)    the caller is the program's own code: Go,
 *                            package main (cancel() or a deferred
 *                            cancel()); C, the compilation unit that
 *                            defines main(), the stage (clients/05-cancel.c:
 *                            canceller_main, or fetch's final cancel)
 *     (the deadline timer)   the goroutine or thread is the context's
 *                            deadline timer and nothing else: Go, the
 *                            goroutine time.AfterFunc starts for the func
 *                            context.WithDeadline gives it; C, timer_main,
 *                            which context_with_deadline starts
 *           Later cancels of a done context (the `defer cancel()`s after a
 *           cancel) get no label; neither does anything without DWARF.
 *           In go-client -c 1, the first cancel is not the user's: it is
 *           the dial's own context, cancelled when the connection is made
 *           (`net/dial.go (*Dialer).DialContext`: WithDeadline for the
 *           Dialer's 30 s Timeout (net/http's DefaultTransport), then
 *           `defer cancel()`), shown as
 *           "from net.(*Dialer).DialContext"; the user's comes ms later
 *           "from main.cancelLater (the user's cancel)".
 *
 * The callers come from the BPF side: the return address at [RSP] at the
 * function's entry (the immediate caller: the callee has not pushed RBP
 * yet, so a frame-pointer walk would skip it), then the frame-pointer chain
 * (cancelchain.bpf.c). They are named here against the executable's symbol
 * table: a Go binary is static and not PIE; for a PIE (c-cancel) the load
 * bias is the probed function's run-time address minus its link-time one,
 * both known for every uprobe event, so names come out right even after the
 * process exited. A frame outside the executable (libc) ends the walk.
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
#include "lib/dwarfinfo.h"
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
	{ "context.(*cancelCtx).cancel", NULL, CC_ARGS_GO_CANCEL },
	{ "net/http.(*Transport).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).closeLocked", NULL, CC_ARGS_NONE },
	{ "net.(*conn).Close", NULL, CC_ARGS_GO_CONN },
	{ "internal/poll.(*FD).destroy", NULL, CC_ARGS_GO_FD },
	/* c-cancel (clients/05-cancel.c, clients/lib/context.c) */
	{ "context_cancel", "context.(*cancelCtx).cancel", CC_ARGS_C_CANCEL },
	{ "cancel_request", "net/http.(*Transport).cancelRequest", CC_ARGS_NONE },
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
	"(context_cancel, cancel_request, close_connection), then the process's\n"
	"epoll_ctl(EPOLL_CTL_DEL) and close(2).\n"
	"\n"
	"  -p, --pid PID         trace the running process PID and its threads\n"
	"  -v, --verbose         show libbpf's messages, the probed offsets and the\n"
	"                        offsets read from DWARF\n"
	"  -h, --help            show this help\n"
	"  -- COMMAND [ARG...]   run COMMAND, trace exactly it and its threads, and exit\n"
	"                        with its status (128+N if signal N killed it)\n"
	"\n"
	"Each line, fields two spaces apart:\n"
	"  <µs>  tid <tid>  [g <goid>  ]<what>[  from <caller>[ (<label>)]]\n"
	"  µs     microseconds since the first event\n"
	"  tid    the thread\n"
	"  g      Go only: the goroutine (runtime.g.goid; its offset comes from the\n"
	"         binary's DWARF: without it, e.g. go build -ldflags=-w, no g fields)\n"
	"  from   cancels only (context.(*cancelCtx).cancel, context_cancel): the\n"
	"         caller that matters, the first frame outside the context code (Go:\n"
	"         packages context and runtime; C: the file defining context_cancel);\n"
	"         if the goroutine or thread runs only context code, its outermost\n"
	"         context frame\n"
	"  label  on the call that cancels the context (its err not yet set at entry),\n"
	"         unless a parent context is passing its cancel down:\n"
	"         (the user's cancel)   called from the program's own code: Go,\n"
	"                               package main; C, the file defining main()\n"
	"         (the deadline timer)  run by the context's deadline timer: Go, the\n"
	"                               goroutine time.AfterFunc starts for\n"
	"                               context.WithDeadline; C, timer_main\n"
	"         Later cancels of a done context (defer cancel()) have no label, and\n"
	"         without DWARF there are no labels.\n"
	"Every call is shown (Go cancels a context several times). Entry probes only.\n"
	"Status lines (`Tracing the cancel chain ...`, `lost N events`, what is not\n"
	"shown for want of DWARF) go to stderr.\n"
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

/* ---- the executable ---- */

struct func {
	__u64 start, size;
	char *name;
};

/* What cancelchain reads from the traced executable's ELF file. */
struct exe {
	size_t offs[NSTEPS];  /* each step's file offset, what a uprobe wants; 0: absent */
	__u64 vaddrs[NSTEPS]; /* and its link-time address */
	__u64 main_vaddr;     /* C: main(); 0 if absent */
	struct func *funcs;   /* every function symbol, sorted by address */
	size_t nfuncs;
	bool has_tls;         /* a PT_TLS segment: its size and alignment */
	__u64 tls_memsz, tls_align;
	bool has_tlsg;        /* Go's runtime.tlsg (STT_TLS): its offset in the segment */
	__u64 tlsg;
};

static void exe_free(struct exe *x)
{
	for (size_t i = 0; i < x->nfuncs; i++)
		free(x->funcs[i].name);
	free(x->funcs);
	x->funcs = NULL;
	x->nfuncs = 0;
}

static int func_cmp(const void *a, const void *b)
{
	const struct func *fa = a, *fb = b;

	return fa->start < fb->start ? -1 : fa->start > fb->start;
}

/* The function whose code holds VADDR (link-time), or NULL. */
static const struct func *func_at(const struct exe *x, __u64 vaddr)
{
	size_t lo = 0, hi = x->nfuncs;

	while (lo < hi) { /* the first function starting after vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (x->funcs[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= x->funcs[lo - 1].start + x->funcs[lo - 1].size)
		return NULL;
	return &x->funcs[lo - 1];
}

/* One symbol of PATH: a step, main(), runtime.tlsg, or a function to name
 * callers with. 0, or -ENOMEM. */
static int exe_add_symbol(struct exe *x, Elf *elf, size_t nphdr, const GElf_Sym *sym, const char *name,
			  size_t *cap)
{
	if (GELF_ST_TYPE(sym->st_info) == STT_TLS) {
		if (strcmp(name, "runtime.tlsg") == 0) {
			x->has_tlsg = true;
			x->tlsg = sym->st_value;
		}
		return 0;
	}
	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF || sym->st_value == 0)
		return 0;
	if (strcmp(name, "main") == 0)
		x->main_vaddr = sym->st_value;
	for (int i = 0; i < NSTEPS; i++) {
		if (x->offs[i] || strcmp(name, steps[i].sym) != 0)
			continue;
		/* the PT_LOAD segment holding it: vaddr -> file offset */
		for (size_t p = 0; p < nphdr; p++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)p, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
				continue;
			if (sym->st_value >= ph.p_vaddr && sym->st_value < ph.p_vaddr + ph.p_memsz) {
				x->offs[i] = sym->st_value - ph.p_vaddr + ph.p_offset;
				x->vaddrs[i] = sym->st_value;
				break;
			}
		}
	}
	if (sym->st_size == 0)
		return 0;
	if (x->nfuncs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		struct func *f = realloc(x->funcs, ncap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		x->funcs = f;
		*cap = ncap;
	}
	x->funcs[x->nfuncs].name = strdup(name);
	if (!x->funcs[x->nfuncs].name)
		return -ENOMEM;
	x->funcs[x->nfuncs].start = sym->st_value;
	x->funcs[x->nfuncs].size = sym->st_size;
	x->nfuncs++;
	return 0;
}

/*
 * Reads PATH's function symbols (.symtab, then .dynsym; a function seen in
 * both is kept twice, which does no harm), each step's place, and its TLS
 * segment. 0, -1 after printing why PATH cannot be read as ELF, or -ENOMEM
 * after saying so.
 */
static int read_exe(const char *path, const char *shown, struct exe *x)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t nphdr = 0, cap = 0;
	int fd, ret = -1;

	memset(x, 0, sizeof(*x));
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
	for (size_t p = 0; p < nphdr; p++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)p, &ph) && ph.p_type == PT_TLS) {
			x->has_tls = true;
			x->tls_memsz = ph.p_memsz;
			x->tls_align = ph.p_align;
		}
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

			if (!gelf_getsym(data, (int)k, &sym) || !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			if (exe_add_symbol(x, elf, nphdr, &sym, name, &cap) != 0) {
				fprintf(stderr, "cancelchain: out of memory reading the symbols of %s\n", shown);
				exe_free(x);
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	qsort(x->funcs, x->nfuncs, sizeof(*x->funcs), func_cmp);
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

/* ---- what DWARF tells ---- */

/* Offsets for the BPF side's read-only data (cancelchain.bpf.c). */
struct bpf_offsets {
	__s64 goid_off, tls_g_off, ctx_err_off;
	__u32 ctx_err_size;
};

/* How callers of a cancel are told apart (see the header comment). */
struct origins {
	bool go;
	bool labels;              /* the context's err can be read: labels are shown */
	struct dwarfinfo *dwarf;  /* C: which compilation unit a caller is in */
	const char *context_unit; /* C: the unit defining context_cancel */
	const char *main_unit;    /* C: the unit defining main() */
};

/*
 * Where a Go program keeps the current g, from the thread pointer; 0 if
 * unknown. Linked by Go's own linker (no PT_TLS segment) it is -8
 * (`cmd/link/internal/ld/sym.go (*Link).computeTLSOffset`: Tlsoffset = -PtrSize on
 * ELF). Linked by an external linker (cgo), it is the TLS variable
 * runtime.tlsg, pointer-sized (`cmd/link/internal/ld/lib.go (*Link).loadlib`), in the
 * executable's TLS block, which ends at the thread pointer (x86-64 TLS
 * variant II: the block is the segment's size rounded up to its
 * alignment). The external linker may drop the symbol; a segment of one
 * pointer then holds runtime.tlsg alone, at 0.
 */
static __s64 go_tls_g_off(const struct exe *x)
{
	__u64 align, block, tlsg;

	if (!x->has_tls)
		return -8;
	if (x->has_tlsg)
		tlsg = x->tlsg;
	else if (x->tls_memsz == 8)
		tlsg = 0;
	else
		return 0;
	align = x->tls_align ? x->tls_align : 1;
	block = (x->tls_memsz + align - 1) / align * align;
	return (__s64)tlsg - (__s64)block;
}

/* The size to read of a context's err field: Go's error is an interface
 * whose first word (its itab) is nil exactly when the error is
 * (`runtime/runtime2.go iface`); C's is an enum, CONTEXT_ALIVE = 0. */
static __u32 err_read_size(__u64 size)
{
	return size >= 8 ? 8 : size == 4 ? 4 : 0;
}

/*
 * Reads from PATH's DWARF what the BPF side needs (*ro) and how to tell
 * the callers apart (*og). A binary without it is traced all the same:
 * one line on stderr says what is not shown.
 */
static void read_dwarf(const char *path, const char *shown, const struct exe *x, bool go,
		       struct bpf_offsets *ro, struct origins *og)
{
	const char *ctx_struct = go ? "context.cancelCtx" : "context"; /* C: clients/lib/context.c */
	struct dwarfinfo *di;
	__u64 off = 0, size = 0;
	int err = 0;

	*ro = (struct bpf_offsets){ .goid_off = -1, .tls_g_off = 0, .ctx_err_off = -1, .ctx_err_size = 0 };
	*og = (struct origins){ .go = go };
	di = dwarfinfo_open(path, &err);
	if (!di) {
		if (go && err == -ENODATA)
			fprintf(stderr, "cancelchain: %s has no DWARF (built with -ldflags=-w?): goroutine ids and "
				"cancel labels not shown\n", shown);
		else if (err == -ENODATA)
			fprintf(stderr, "cancelchain: %s has no DWARF for struct context: cancels not labelled "
				"(build it with -g)\n", shown);
		else
			fprintf(stderr, "cancelchain: cannot read the DWARF of %s: %s: %s\n", shown, strerror(-err),
				go ? "goroutine ids and cancel labels not shown" : "cancels not labelled");
		return;
	}
	if (go) {
		/* `runtime/runtime2.go g`: goid int64 */
		if (dwarfinfo_member(di, "runtime.g", "goid", &off, &size) == 0 && size == 8) {
			ro->goid_off = (__s64)off;
			ro->tls_g_off = go_tls_g_off(x);
		} else {
			fprintf(stderr, "cancelchain: %s has DWARF but no 8-byte runtime.g.goid in it (not Go 1.19?): "
				"goroutine ids not shown\n", shown);
		}
	}
	/* Go: `context/context.go cancelCtx`, err error; C:
	 * clients/lib/context.c struct context, enum context_err err. */
	if (dwarfinfo_member(di, ctx_struct, "err", &off, &size) == 0 && err_read_size(size)) {
		ro->ctx_err_off = (__s64)off;
		ro->ctx_err_size = err_read_size(size);
	} else {
		fprintf(stderr, "cancelchain: %s has no %s.err in its DWARF: cancels not labelled\n", shown, ctx_struct);
	}
	if (!go && ro->ctx_err_off >= 0) {
		og->context_unit = dwarfinfo_unit_of(di, x->vaddrs[C_FIRST]);
		og->main_unit = x->main_vaddr ? dwarfinfo_unit_of(di, x->main_vaddr) : NULL;
		if (!og->context_unit || !og->main_unit) {
			fprintf(stderr, "cancelchain: %s's DWARF does not say which files define context_cancel "
				"and main: cancels not labelled\n", shown);
			ro->ctx_err_off = -1;
			ro->ctx_err_size = 0;
		}
	}
	og->labels = ro->ctx_err_off >= 0;
	if (env.verbose && go)
		fprintf(stderr, "cancelchain: from the DWARF of %s: goid at %+lld in runtime.g (-1: none), g at "
			"fs%+lld (0: unknown), err at %+lld in context.cancelCtx (-1: none)\n", shown,
			(long long)ro->goid_off, (long long)ro->tls_g_off, (long long)ro->ctx_err_off);
	else if (env.verbose)
		fprintf(stderr, "cancelchain: from the DWARF of %s: err at %+lld in struct context (-1: none), "
			"context_cancel in %s, main in %s\n", shown, (long long)ro->ctx_err_off,
			og->context_unit ? og->context_unit : "?", og->main_unit ? og->main_unit : "?");
	if (!go && og->labels)
		og->dwarf = di; /* the units' names live in it */
	else
		dwarfinfo_close(di);
}

/* ---- events ---- */

/* A goroutine's (in C, a thread's) last event, to know one call whose
 * entry was seen twice (cancelchain.h, struct cc_event). */
struct last_event {
	bool used;
	bool uprobe;
	__s64 who; /* the goid, or -1 - tid where there is none */
	__u32 step;
	__s32 ctx_done;
	__u64 ax, di, ret;
};
#define LAST_EVENT_SLOTS 64

struct run {
	__u64 t0_ns; /* the first event's time; 0 before it */
	const struct exe *exe;
	const struct origins *og;
	bool verbose;
	struct last_event last[LAST_EVENT_SLOTS]; /* by who; when full, the oldest goes */
	unsigned next_slot;
};

/* Whether e enters the function its goroutine's (thread's) last event
 * entered, with the same first argument, to the same return address,
 * nothing else seen of it in between: the same call, seen twice.
 * Remembers e as its last event either way. */
static bool is_entry_again(struct run *run, const struct cc_event *e)
{
	__s64 who = e->goid >= 0 ? e->goid : -1 - (__s64)e->tid;
	struct last_event *slot = NULL;
	bool again;

	for (unsigned i = 0; i < LAST_EVENT_SLOTS && !slot; i++)
		if (run->last[i].used && run->last[i].who == who)
			slot = &run->last[i];
	if (!slot) {
		slot = &run->last[run->next_slot++ % LAST_EVENT_SLOTS];
		*slot = (struct last_event){ .used = true, .who = who };
	}
	again = e->kind == CC_EV_UPROBE && slot->uprobe && slot->step == e->step && slot->ax == e->ax &&
		slot->di == e->di && slot->ret == e->ret && slot->ctx_done == e->ctx_done;
	slot->uprobe = e->kind == CC_EV_UPROBE;
	slot->step = e->step;
	slot->ctx_done = e->ctx_done;
	slot->ax = e->ax;
	slot->di = e->di;
	slot->ret = e->ret;
	return again;
}

/* Whether SYM, a Go function's symbol, is in package PKG: the import path
 * ends at the first '.' after its last '/' (before a generic's '['). */
static bool go_in_package(const char *sym, const char *pkg)
{
	size_t n = strcspn(sym, "["), len;
	const char *slash = memrchr(sym, '/', n);
	const char *dot = memchr(slash ? slash : sym, '.', n - (size_t)((slash ? slash : sym) - sym));

	len = dot ? (size_t)(dot - sym) : n;
	return strlen(pkg) == len && strncmp(sym, pkg, len) == 0;
}

/* Whether the outermost context frame of a goroutine or thread that runs
 * only context code is the deadline timer's function: Go, a closure of
 * context.WithDeadline, whose func time.AfterFunc runs on a goroutine of
 * its own (`context/context.go WithDeadline`; `time/sleep.go goFunc`: `go
 * arg.(func())()`), the others run on their caller's; C, the thread
 * context_with_deadline starts (clients/lib/context.c timer_main). */
static bool is_deadline_timer(bool go, const char *sym)
{
	if (go)
		return strncmp(sym, "context.WithDeadline.func", strlen("context.WithDeadline.func")) == 0;
	return strcmp(sym, "timer_main") == 0;
}

struct origin {
	const char *from;  /* the caller that matters; NULL if unknown */
	const char *label; /* "the user's cancel", "the deadline timer" or NULL */
};

/* Who made the cancel E (see the header comment for the rules). */
static void cancel_origin(const struct run *run, const struct cc_event *e, struct origin *o)
{
	const struct exe *x = run->exe;
	const struct origins *og = run->og;
	const char *outermost = NULL;
	bool passed_down = false, user = false, whole = false;
	/* 0 for a non-PIE executable; a PIE's load bias */
	__u64 bias = e->ip - x->vaddrs[e->step];
	__u32 n = e->nr_frames < CC_MAX_FRAMES ? e->nr_frames : CC_MAX_FRAMES;

	o->from = o->label = NULL;
	if (env.verbose) { /* the frames the rules look at */
		fprintf(stderr, "cancelchain: %s at %.1f: err %s, called by", steps[e->step].sym,
			(double)(e->ts_ns - run->t0_ns) / 1000.0,
			e->ctx_done < 0 ? "unknown" : e->ctx_done ? "set" : "not set");
		for (__u32 i = 0; i < n; i++) {
			const struct func *f = func_at(x, e->frames[i] - bias - 1);

			fprintf(stderr, "%s %s", i ? " <-" : "", f ? f->name : "(not in the executable)");
		}
		fputc('\n', stderr);
	}
	for (__u32 i = 0; i < n; i++) {
		__u64 pc = e->frames[i] - bias - 1; /* inside the call instruction */
		const struct func *f = func_at(x, pc);
		const char *unit = NULL;
		bool context_code;

		if (!f) { /* outside the executable: a thread's start in libc */
			whole = !og->go;
			break;
		}
		if (og->go && (strcmp(f->name, "runtime.goexit") == 0 ||
			       strcmp(f->name, "runtime.goexit.abi0") == 0)) {
			/* a goroutine's first function returns into goexit
			 * (`runtime/proc.go newproc1`: newg.sched.pc); the ELF
			 * name of this assembly function, which has an
			 * ABIInternal wrapper too, ends in .abi0
			 * (`cmd/link/internal/ld/symtab.go mangleABIName`) */
			whole = true;
			break;
		}
		if (og->go) {
			context_code = go_in_package(f->name, "context") || go_in_package(f->name, "runtime");
		} else {
			unit = og->dwarf ? dwarfinfo_unit_of(og->dwarf, pc) : NULL;
			context_code = unit && strcmp(unit, og->context_unit) == 0;
		}
		if (!context_code) {
			o->from = f->name;
			user = og->go ? go_in_package(f->name, "main") : unit && strcmp(unit, og->main_unit) == 0;
			break;
		}
		/* a parent's cancel cancels its children: `child.cancel(false,
		 * err)` (`context/context.go (*cancelCtx).cancel`) */
		if (strcmp(f->name, steps[e->step].sym) == 0)
			passed_down = true;
		if (!og->go || go_in_package(f->name, "context"))
			outermost = f->name;
	}
	if (!o->from)
		o->from = outermost;
	if (!og->labels || e->ctx_done != 0 || passed_down)
		return;
	if (user)
		o->label = "the user's cancel";
	else if (whole && outermost && is_deadline_timer(og->go, outermost))
		o->label = "the deadline timer";
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct run *run = ctx;
	const struct cc_event *e = data;
	char what[256], from[256] = "", g[32] = "";

	if (size < sizeof(*e))
		return 0;
	if (is_entry_again(run, e)) {
		if (run->verbose)
			fprintf(stderr, "cancelchain: %s entered again by tid %u: the same call, shown once\n",
				e->step < NSTEPS ? steps[e->step].sym : "?", e->tid);
		return 0;
	}
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
		} else if (e->args == CC_ARGS_GO_CANCEL || e->args == CC_ARGS_C_CANCEL) {
			struct origin o;

			cancel_origin(run, e, &o);
			if (o.from)
				snprintf(from, sizeof(from), "  from %s%s%s%s", o.from, o.label ? " (" : "",
					 o.label ? o.label : "", o.label ? ")" : "");
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
	if (e->goid >= 0)
		snprintf(g, sizeof(g), "g %lld  ", (long long)e->goid);
	printf("%8.1f  tid %u  %s%s%s\n", (double)(e->ts_ns - run->t0_ns) / 1000.0, e->tid, g, what, from);
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
	struct exe x = { 0 };
	struct bpf_offsets ro;
	struct origins og = { 0 };
	char exe[64], shown[PATH_MAX];
	const char *exe_path;
	int go_fd = -1, err_fd = -1, exit_code = EXIT_FAILED, first = 0, count = 0, err;
	pid_t child = 0;
	bool child_done = false;

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
	/* Which functions: before anything runs or loads. */
	err = read_exe(exe_path, shown, &x);
	if (err == -ENOMEM)
		goto out;
	if (err != 0 || choose_steps(x.offs, shown, &first, &count) != 0) {
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
	/* Goroutine ids and who cancelled: offsets from the binary's DWARF. */
	read_dwarf(exe_path, shown, &x, first == GO_FIRST, &ro, &og);
	run.exe = &x;
	run.og = &og;
	run.verbose = env.verbose;

	/* 2. Open, set the filter and the offsets, load, attach. */
	skel = cancelchain_bpf__open();
	if (!skel) {
		exit_code = print_bpf_error("open", "the eBPF programs", -errno);
		goto out;
	}
	skel->rodata->targ_tgid = (__u32)(child ? child : env.pid);
	skel->rodata->goid_off = ro.goid_off;
	skel->rodata->tls_g_off = ro.tls_g_off;
	skel->rodata->ctx_err_off = ro.ctx_err_off;
	skel->rodata->ctx_err_size = ro.ctx_err_size;
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
			fprintf(stderr, "cancelchain: uprobe %s at %s+0x%zx\n", steps[i].sym, shown, x.offs[i]);
		/* Every process running the file, filtered by tgid in the
		 * kernel: the command's pid has not exec'd it yet. */
		links[i] = bpf_program__attach_uprobe_opts(skel->progs.cc_uprobe, -1, exe_path, x.offs[i], &uopts);
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
	dwarfinfo_close(og.dwarf);
	exe_free(&x);
	if (child && !child_done) {
		kill(child, SIGTERM);
		launch_wait(child);
	}
	free(env.command_path);
	return exit_code;
}
