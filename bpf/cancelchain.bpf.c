// SPDX-License-Identifier: GPL-2.0
/*
 * cancelchain.bpf.c: the steps from a cancelled context to close(2), in one
 * process.
 *
 * cc_uprobe is attached once per function of the chain (entry uprobes only:
 * a uretprobe rewrites return addresses on goroutine stacks, which Go
 * moves, and crashes Go programs); its bpf_cookie says which step it is and
 * which arguments to read (cancelchain.h). cc_epoll_ctl (EPOLL_CTL_DEL
 * only) and cc_close are the process's syscalls that end the chain.
 *
 * Set by cancelchain.c before loading (read-only data):
 *   targ_tgid     only this process and its threads (-p PID, or the command)
 *   goid_off      Go: the offset of goid in runtime.g, from the traced
 *                 binary's DWARF; -1: no goroutine ids (C, or no DWARF)
 *   tls_g_off     Go: where the thread's current g is stored, from the
 *                 thread pointer (fsbase); 0: unknown, no ids on syscalls
 *   ctx_err_off   the offset of the context's err field (Go cancelCtx.err,
 *   ctx_err_size  C struct context's err) and how many bytes to read
 *                 there (8: the interface's first word; 4: a C enum);
 *                 -1, 0: unknown
 *
 * The current goroutine (Go 1.19, amd64):
 *   - in a uprobe at a Go function's entry it is R14: Go's ABIInternal
 *     keeps the current g in R14 at calls and in function bodies
 *     (cmd/compile/abi-internal.md, "amd64 architecture" register table);
 *   - at a syscall it is the thread-local word g: the linker puts it at
 *     -8 from the thread pointer in internally linked ELF programs
 *     (`cmd/link/internal/ld/sym.go (*Link).computeTLSOffset`: Tlsoffset =
 *     -PtrSize); cancelchain.c works it out (and for cgo programs).
 *   g.goid is an int64 (`runtime/runtime2.go g`).
 *
 * The callers of a cancel: at the entry of a function nothing is pushed
 * yet, so [RSP] is the return address into the immediate caller, and RBP
 * is still the caller's frame pointer: [RBP] its caller's RBP, [RBP+8] the
 * return address into the caller's caller, and so on up. A frame-pointer
 * walk from RBP alone (bpf_get_stack) would skip the immediate caller.
 * Go saves RBP below the return PC in every function that has a frame or
 * makes a call, but for frameless NOSPLIT runtime internals
 * (cmd/compile/abi-internal.md "Stack layout";
 * `cmd/internal/obj/x86/obj6.go preprocess`: bpsize), so the callers of a cancel all have one; C is built
 * with -fno-omit-frame-pointer (Makefile CFLAGS).
 *
 * Whether the context is done already: Go's (*cancelCtx).cancel receives
 * c in RAX, the first integer argument register of ABIInternal
 * (cmd/compile/abi-internal.md, amd64: RAX, RBX, RCX, RDI, ...), and
 * c.err, an interface, is nil exactly when its first word (the itab) is
 * (`runtime/runtime2.go iface`); C's context_cancel(ctx) gets ctx in
 * RDI, and ctx->err is CONTEXT_ALIVE (0) until cancelled. Read at entry,
 * without the context's lock: two cancels at the same instant could both
 * read "not done".
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "cancelchain.h"
#include "lib/events.bpf.h"

#define EPOLL_CTL_DEL 2

const volatile __u32 targ_tgid = 0;
const volatile __s64 goid_off = -1;
const volatile __s64 tls_g_off = 0;
const volatile __s64 ctx_err_off = -1;
const volatile __u32 ctx_err_size = 0;

/* The goroutine id of the g at G, or -1. */
static __always_inline __s64 goid_of(__u64 g)
{
	__s64 id;

	if (goid_off < 0 || !g || bpf_probe_read_user(&id, sizeof(id), (void *)(g + goid_off)))
		return -1;
	return id;
}

/* The current goroutine's id at a syscall, from the thread's g word. */
static __always_inline __s64 goid_at_syscall(void)
{
	struct task_struct *task;
	__u64 g = 0;

	if (goid_off < 0 || !tls_g_off)
		return -1;
	task = bpf_get_current_task_btf();
	if (bpf_probe_read_user(&g, sizeof(g), (void *)(BPF_CORE_READ(task, thread.fsbase) + tls_g_off)))
		return -1;
	return goid_of(g);
}

/* 1 if the context at CTXP is done already (its err is set), 0 if not,
 * -1 if that cannot be read. */
static __always_inline __s32 context_done(__u64 ctxp)
{
	__u64 v = 0;
	long err;

	if (ctx_err_off < 0 || !ctxp)
		return -1;
	if (ctx_err_size == 8)
		err = bpf_probe_read_user(&v, 8, (void *)(ctxp + ctx_err_off));
	else if (ctx_err_size == 4)
		err = bpf_probe_read_user(&v, 4, (void *)(ctxp + ctx_err_off));
	else
		return -1;
	return err ? -1 : v != 0;
}

/* The return addresses of the callers: [RSP], then the frame-pointer
 * chain from RBP (see the header comment). */
static __always_inline void caller_frames(struct pt_regs *ctx, struct cc_event *e)
{
	__u64 bp = ctx->bp, frame[2];

	e->nr_frames = 0;
	if (bpf_probe_read_user(&e->frames[0], sizeof(e->frames[0]), (void *)ctx->sp) || !e->frames[0])
		return;
	e->nr_frames = 1;
	for (int i = 1; i < CC_MAX_FRAMES; i++) {
		if (!bp || bpf_probe_read_user(frame, sizeof(frame), (void *)bp) || !frame[1])
			break;
		e->frames[i] = frame[1];
		e->nr_frames = i + 1;
		if (frame[0] <= bp) /* callers' frames sit higher up: the end, or junk */
			break;
		bp = frame[0];
	}
}

static __always_inline struct cc_event *new_event(__u32 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct cc_event *e;

	if ((__u32)(pid_tgid >> 32) != targ_tgid)
		return NULL;
	e = reserve_event(sizeof(*e));
	if (!e)
		return NULL;
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->tid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->step = 0;
	e->args = CC_ARGS_NONE;
	e->err = 0;
	e->a0 = 0;
	e->a1 = 0;
	e->goid = -1;
	e->ip = 0;
	e->ax = 0;
	e->di = 0;
	e->ret = 0;
	e->ctx_done = -1;
	e->nr_frames = 0;
	return e;
}

SEC("uprobe")
int cc_uprobe(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct cc_event *e = new_event(CC_EV_UPROBE);
	__u64 p = 0;
	__s64 fd = 0;
	long err = 0;

	if (!e)
		return 0;
	e->step = CC_COOKIE_STEP(cookie);
	e->args = CC_COOKIE_ARGS(cookie);
	/* The probed function's address (a PIE's load bias is ip minus its
	 * link-time address) and, in Go, the current g (R14). */
	e->ip = ctx->ip;
	e->goid = goid_of(ctx->r14);
	e->ax = ctx->ax;
	e->di = ctx->di;
	bpf_probe_read_user(&e->ret, sizeof(e->ret), (void *)ctx->sp);
	switch (e->args) {
	case CC_ARGS_GO_FD:
		err = bpf_probe_read_user(&fd, sizeof(fd), (void *)(ctx->ax + CC_GO_SYSFD_OFF));
		e->a0 = fd;
		break;
	case CC_ARGS_GO_CONN:
		err = bpf_probe_read_user(&p, sizeof(p), (void *)ctx->ax);
		if (!err)
			err = bpf_probe_read_user(&fd, sizeof(fd), (void *)(p + CC_GO_SYSFD_OFF));
		e->a0 = fd;
		break;
	case CC_ARGS_C_2INT:
		e->a0 = (int)ctx->di;
		e->a1 = (int)ctx->si;
		break;
	case CC_ARGS_GO_CANCEL:
		e->ctx_done = context_done(ctx->ax);
		caller_frames(ctx, e);
		break;
	case CC_ARGS_C_CANCEL:
		e->ctx_done = context_done(ctx->di);
		caller_frames(ctx, e);
		break;
	}
	e->err = (__s32)err;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_epoll_ctl")
int cc_epoll_ctl(struct trace_event_raw_sys_enter *ctx)
{
	struct cc_event *e;

	if ((int)ctx->args[1] != EPOLL_CTL_DEL)
		return 0;
	e = new_event(CC_EV_EPOLL_DEL);
	if (!e)
		return 0;
	e->a0 = (int)ctx->args[0];
	e->a1 = (int)ctx->args[2];
	e->goid = goid_at_syscall();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int cc_close(struct trace_event_raw_sys_enter *ctx)
{
	struct cc_event *e = new_event(CC_EV_CLOSE);

	if (!e)
		return 0;
	e->a0 = (int)ctx->args[0];
	e->goid = goid_at_syscall();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
