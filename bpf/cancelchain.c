/*
 * cancelchain: how a cancelled context becomes close(2), step by step, in
 * one process: a Go 1.19 net/http client, or the C client c-cancel.
 *
 *   cancelchain [-v] -p PID
 *   cancelchain [-v] -- COMMAND [ARG...]
 *
 * The libbpf counterpart of bpf/cancel-chain.bt. Entry uprobes on the
 * chain's functions, which libbpf finds by name in the executable's symbol
 * table (bpf_uprobe_opts.func_name), plus the process's
 * epoll_ctl(EPOLL_CTL_DEL) and close(2) tracepoints; everything filtered in
 * the kernel by the process's tgid.
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
 * The callers come from the BPF side: the return address on top of the
 * stack at the function's entry (the immediate caller: the callee has not
 * pushed its frame pointer yet, so a frame-pointer walk would skip it),
 * then the frame-pointer chain (cancelchain.bpf.c). They are named here
 * against the executable's symbol table (cancelchain_exe.c): a Go binary is
 * static and not PIE; for a PIE (c-cancel) the load bias is the probed
 * function's run-time address minus its link-time one, both known for
 * every uprobe event, so names come out right even after the process
 * exited. A frame outside the executable (libc) ends the walk.
 *
 * lib/loader.h does what every tool does: with -- COMMAND, cancelchain
 * forks first (the command inherits no fd of ours), the child waits on a
 * pipe until every probe is attached, then execs COMMAND; cancelchain exits
 * with its status. With -p PID it traces until Ctrl-C/SIGTERM or the
 * process's end, and exits 0.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include "cancelchain.h"
#include "cancelchain.skel.h"
#include "cancelchain_exe.h"
#include "lib/dwarfinfo.h"
#include "lib/loader.h"
#include "lib/printable.h"
#include "lib/tool.h"

/* The chain's functions. A C step names the Go step it plays. */
struct step {
	const char *sym;
	const char *as; /* C: the Go function it stands for; NULL for Go */
	enum cc_args args;
};

/* Go 1.19 net/http */
static const struct step go_steps[] = {
	{ "context.(*cancelCtx).cancel", NULL, CC_ARGS_GO_CANCEL },
	{ "net/http.(*Transport).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).cancelRequest", NULL, CC_ARGS_NONE },
	{ "net/http.(*persistConn).closeLocked", NULL, CC_ARGS_NONE },
	{ "net.(*conn).Close", NULL, CC_ARGS_GO_CONN },
	{ "internal/poll.(*FD).destroy", NULL, CC_ARGS_GO_FD },
};

/* c-cancel (clients/05-cancel.c, clients/lib/context.c) */
static const struct step c_steps[] = {
	{ "context_cancel", "context.(*cancelCtx).cancel", CC_ARGS_C_CANCEL },
	{ "cancel_request", "net/http.(*Transport).cancelRequest", CC_ARGS_NONE },
	{ "close_connection", "internal/poll.(*FD).destroy", CC_ARGS_C_2INT },
};

/* One of the two; its first step, the cancel, tells which an executable
 * has. */
struct chain {
	bool go;
	const struct step *steps;
	size_t nsteps;
};

static const struct chain go_chain = { true, go_steps, ARRAY_SIZE(go_steps) };
static const struct chain c_chain = { false, c_steps, ARRAY_SIZE(c_steps) };

#define MAX_STEPS 8 /* no chain is longer */
_Static_assert(ARRAY_SIZE(go_steps) <= MAX_STEPS && ARRAY_SIZE(c_steps) <= MAX_STEPS, "a chain too long");

/* A goroutine's (in C, a thread's) last event, to know one call whose
 * entry was seen twice (cancelchain.h, struct cc_event). */
struct last_event {
	bool used;
	bool uprobe;
	__s64 who; /* the goid, or -1 - tid where there is none */
	__u32 step;
	__s32 ctx_done;
	__u64 go_arg1, c_arg1, ret;
};
#define LAST_EVENT_SLOTS 64

static struct {
	const char *exe_path;    /* the executable the uprobes go in */
	char proc_exe[64];       /* -p: /proc/PID/exe */
	char shown[PATH_MAX];    /* its path, as messages show it: printable() */
	struct exe exe;
	const struct chain *chain;
	__u64 vaddrs[MAX_STEPS]; /* each step's link-time address */
	struct bpf_offsets ro;
	struct origins og;
	struct cancelchain_bpf *skel;
	struct bpf_link *links[MAX_STEPS]; /* the uprobes, by step */
	__u64 t0_ns;             /* the first event's time; 0 before it */
	struct last_event last[LAST_EVENT_SLOTS]; /* by who; when full, the oldest goes */
	unsigned next_slot;
} cc;

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

static void check_flags(const struct tool_session *s)
{
	if (s->command && s->pid)
		tool_usage_error("-p is for a running process; with -- COMMAND the command is traced");
}

/* ---- set-up ---- */

/* Which chain the executable has: sets cc.chain and cc.vaddrs, or says
 * what was looked for and returns -1. */
static int choose_chain(void)
{
	char missing[512] = "";

	if (exe_func_vaddr(&cc.exe, go_steps[0].sym)) {
		cc.chain = &go_chain;
	} else if (exe_func_vaddr(&cc.exe, c_steps[0].sym)) {
		cc.chain = &c_chain;
	} else {
		fprintf(stderr,
			"cancelchain: %s has neither Go's context.(*cancelCtx).cancel nor c-cancel's context_cancel "
			"in its symbol table: not a Go net/http client nor c-cancel (or stripped)\n",
			cc.shown);
		return -1;
	}
	for (size_t i = 0; i < cc.chain->nsteps; i++) {
		cc.vaddrs[i] = exe_func_vaddr(&cc.exe, cc.chain->steps[i].sym);
		if (!cc.vaddrs[i])
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", cc.chain->steps[i].sym);
	}
	if (missing[0]) {
		fprintf(stderr, "cancelchain: %s has %s but not %s\n", cc.shown, cc.chain->steps[0].sym, missing);
		return -1;
	}
	return 0;
}

/* Which executable, and which of its functions: before anything runs. */
static int prepare(struct tool_session *s)
{
	int err;

	if (s->command) {
		cc.exe_path = s->command_path;
		snprintf(cc.shown, sizeof(cc.shown), "%s", printable(s->command_path));
	} else {
		ssize_t n;
		char link[PATH_MAX];

		snprintf(cc.proc_exe, sizeof(cc.proc_exe), "/proc/%d/exe", s->pid);
		cc.exe_path = cc.proc_exe;
		n = readlink(cc.proc_exe, link, sizeof(link) - 1);
		if (n <= 0) {
			snprintf(cc.shown, sizeof(cc.shown), "%s", cc.proc_exe);
		} else {
			link[n] = '\0';
			snprintf(cc.shown, sizeof(cc.shown), "%s", printable(link));
		}
	}
	err = exe_read(cc.exe_path, cc.shown, &cc.exe);
	if (err == -ENOMEM)
		return EXIT_FAILED;
	if (err != 0 || choose_chain() != 0)
		return EXIT_USAGE;
	return 0;
}

static int open_skeleton(struct tool_session *s)
{
	/* Goroutine ids and who cancelled: offsets from the binary's DWARF. */
	exe_read_dwarf(cc.exe_path, cc.shown, &cc.exe, cc.chain->go, cc.vaddrs[0], s->verbose, &cc.ro, &cc.og);

	cc.skel = cancelchain_bpf__open();
	if (!cc.skel)
		return tool_bpf_error("open", NULL, -errno);
	cc.skel->rodata->targ_tgid = (__u32)s->target;
	cc.skel->rodata->goid_off = cc.ro.goid_off;
	cc.skel->rodata->tls_g_off = cc.ro.tls_g_off;
	cc.skel->rodata->ctx_err_off = cc.ro.ctx_err_off;
	cc.skel->rodata->ctx_err_size = cc.ro.ctx_err_size;
	s->skeleton = cc.skel->skeleton;
	return 0;
}

/* The two tracepoints, then a uprobe on each step, which libbpf finds by
 * name in the executable's symbol table. */
static int attach(struct tool_session *s)
{
	struct cancelchain_bpf *skel = cc.skel;
	char what[PATH_MAX + 128];

	skel->links.cc_epoll_ctl = bpf_program__attach(skel->progs.cc_epoll_ctl);
	if (!skel->links.cc_epoll_ctl)
		return tool_bpf_error("attach", "syscalls/sys_enter_epoll_ctl", -errno);
	skel->links.cc_close = bpf_program__attach(skel->progs.cc_close);
	if (!skel->links.cc_close)
		return tool_bpf_error("attach", "syscalls/sys_enter_close", -errno);
	for (size_t i = 0; i < cc.chain->nsteps; i++) {
		const struct step *step = &cc.chain->steps[i];
		LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = step->sym, .bpf_cookie = CC_COOKIE(i, step->args));

		if (s->verbose) /* then libbpf's "elf: symbol address match ...": the offset */
			fprintf(stderr, "cancelchain: uprobe %s in %s\n", step->sym, cc.shown);
		/* Every process running the file, filtered by tgid in the
		 * kernel: the command's pid has not exec'd it yet. */
		cc.links[i] = bpf_program__attach_uprobe_opts(skel->progs.cc_uprobe, -1, cc.exe_path, 0, &uopts);
		if (!cc.links[i]) {
			snprintf(what, sizeof(what), "a uprobe on %s in %s", step->sym, cc.shown);
			return tool_bpf_error("attach", what, -errno);
		}
	}
	return 0;
}

static void attached(const struct tool_session *s)
{
	fprintf(stderr, "Tracing the cancel chain of pid %d (%s)... Ctrl-C to end.\n", s->target, cc.shown);
}

/* ---- records ---- */

/* Whether e enters the function its goroutine's (thread's) last event
 * entered, with the same first argument, to the same return address,
 * nothing else seen of it in between: the same call, seen twice.
 * Remembers e as its last event either way. */
static bool is_entry_again(const struct cc_event *e)
{
	__s64 who = e->goid >= 0 ? e->goid : -1 - (__s64)e->tid;
	struct last_event *slot = NULL;
	bool again;

	for (unsigned i = 0; i < LAST_EVENT_SLOTS && !slot; i++)
		if (cc.last[i].used && cc.last[i].who == who)
			slot = &cc.last[i];
	if (!slot) {
		slot = &cc.last[cc.next_slot++ % LAST_EVENT_SLOTS];
		*slot = (struct last_event){ .used = true, .who = who };
	}
	again = e->kind == CC_EV_UPROBE && slot->uprobe && slot->step == e->step && slot->go_arg1 == e->go_arg1 &&
		slot->c_arg1 == e->c_arg1 && slot->ret == e->ret && slot->ctx_done == e->ctx_done;
	slot->uprobe = e->kind == CC_EV_UPROBE;
	slot->step = e->step;
	slot->ctx_done = e->ctx_done;
	slot->go_arg1 = e->go_arg1;
	slot->c_arg1 = e->c_arg1;
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
static void cancel_origin(const struct tool_session *s, const struct cc_event *e, struct origin *o)
{
	const struct exe *x = &cc.exe;
	const struct origins *og = &cc.og;
	const char *outermost = NULL;
	bool passed_down = false, user = false, whole = false;
	/* 0 for a non-PIE executable; a PIE's load bias */
	__u64 bias = e->ip - cc.vaddrs[e->step];
	__u32 n = e->nr_frames < CC_MAX_FRAMES ? e->nr_frames : CC_MAX_FRAMES;

	o->from = o->label = NULL;
	if (s->verbose) { /* the frames the rules look at */
		fprintf(stderr, "cancelchain: %s at %.1f: err %s, called by", cc.chain->steps[e->step].sym,
			(double)(e->ts_ns - cc.t0_ns) / 1000.0,
			e->ctx_done < 0 ? "unknown" : e->ctx_done ? "set" : "not set");
		for (__u32 i = 0; i < n; i++) {
			const struct func *f = exe_func_at(x, e->frames[i] - bias - 1);

			fprintf(stderr, "%s %s", i ? " <-" : "", f ? printable(f->name) : "(not in the executable)");
		}
		fputc('\n', stderr);
	}
	for (__u32 i = 0; i < n; i++) {
		__u64 pc = e->frames[i] - bias - 1; /* inside the call instruction */
		const struct func *f = exe_func_at(x, pc);
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
		if (strcmp(f->name, cc.chain->steps[e->step].sym) == 0)
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
	const struct tool_session *s = ctx;
	const struct cc_event *e = data;
	const struct step *step;
	char what[256], from[256] = "", g[32] = "";

	if (size < sizeof(*e))
		return 0;
	step = e->step < cc.chain->nsteps ? &cc.chain->steps[e->step] : NULL;
	if (is_entry_again(e)) {
		if (s->verbose)
			fprintf(stderr, "cancelchain: %s entered again by tid %u: the same call, shown once\n",
				step ? step->sym : "?", e->tid);
		return 0;
	}
	if (!cc.t0_ns)
		cc.t0_ns = e->ts_ns;
	switch (e->kind) {
	case CC_EV_UPROBE: {
		int n;

		if (!step) {
			snprintf(what, sizeof(what), "uprobe %u?", e->step);
			break;
		}
		n = snprintf(what, sizeof(what), "%s", step->sym);
		if (step->as)
			n += snprintf(what + n, sizeof(what) - (size_t)n, " (as %s)", step->as);
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

			cancel_origin(s, e, &o);
			if (o.from)
				snprintf(from, sizeof(from), "  from %s%s%s%s", printable(o.from), o.label ? " (" : "",
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
	printf("%8.1f  tid %u  %s%s%s\n", (double)(e->ts_ns - cc.t0_ns) / 1000.0, e->tid, g, what, from);
	fflush(stdout);
	return 0;
}

static void close_all(struct tool_session *s)
{
	(void)s;
	for (size_t i = 0; i < ARRAY_SIZE(cc.links); i++)
		bpf_link__destroy(cc.links[i]);
	cancelchain_bpf__destroy(cc.skel);
	dwarfinfo_close(cc.og.dwarf);
	exe_free(&cc.exe);
}

int main(int argc, char **argv)
{
	static const struct tool cancelchain = {
		.name = "cancelchain", .usage = usage_text, .programs = "the eBPF programs",
		.scope = TOOL_ONE_PROCESS, .check_flags = check_flags,
		.prepare = prepare, .open = open_skeleton, .attach = attach, .attached = attached,
		.record = handle_event, .close = close_all,
	};

	return tool_main(&cancelchain, argc, argv);
}
