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
 * Registers are read through bpf_tracing.h's PT_REGS_* (the C calling
 * convention: PT_REGS_PARM1 is C's first argument) and, for what Go's
 * register ABI puts elsewhere, GO_REGS_* below.
 *
 * The current goroutine (Go 1.19, amd64):
 *   - in a uprobe at a Go function's entry it is GO_REGS_G, R14: Go's
 *     ABIInternal keeps the current g in R14 at calls and in function
 *     bodies (cmd/compile/abi-internal.md, "amd64 architecture" register
 *     table);
 *   - at a syscall it is the thread-local word g: the linker puts it at
 *     -8 from the thread pointer in internally linked ELF programs
 *     (`cmd/link/internal/ld/sym.go (*Link).computeTLSOffset`: Tlsoffset =
 *     -PtrSize); cancelchain_exe.c works it out (and for cgo programs).
 *   g.goid is an int64 (`runtime/runtime2.go g`).
 *
 * The callers of a cancel: at the entry of a function nothing is pushed
 * yet, so the word at the stack pointer ([RSP]) is the return address into
 * the immediate caller, and the frame pointer (RBP) is still the caller's:
 * [RBP] its caller's RBP, [RBP+8] the return address into the caller's
 * caller, and so on up. A frame-pointer walk from RBP alone
 * (bpf_get_stack) would skip the immediate caller.
 * Go saves RBP below the return PC in every function that has a frame or
 * makes a call, but for frameless NOSPLIT runtime internals
 * (cmd/compile/abi-internal.md "Stack layout";
 * `cmd/internal/obj/x86/obj6.go preprocess`: bpsize), so the callers of a cancel all have one; C is built
 * with -fno-omit-frame-pointer (Makefile CFLAGS).
 *
 * Whether the context is done already: Go's (*cancelCtx).cancel receives
 * c in GO_REGS_PARM1, RAX, the first integer argument register of
 * ABIInternal (cmd/compile/abi-internal.md, amd64: RAX, RBX, RCX, RDI,
 * ...), and c.err, an interface, is nil exactly when its first word (the
 * itab) is (`runtime/runtime2.go iface`); C's context_cancel(ctx) gets ctx
 * in PT_REGS_PARM1 (RDI), and ctx->err is CONTEXT_ALIVE (0) until
 * cancelled. Read at entry, without the context's lock: two cancels at the
 * same instant could both read "not done".
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "cancelchain.h"
#include "lib/events.bpf.h"

#define EPOLL_CTL_DEL 2

/* Go's register ABI on amd64 (ABIInternal, cmd/compile/abi-internal.md):
 * the first integer argument, a method's receiver, in RAX; the current g
 * in R14. */
#if defined(bpf_target_x86)
#define GO_REGS_PARM1(x) ((x)->ax)
#define GO_REGS_G(x) ((x)->r14)
#else
#error "cancelchain knows Go's register ABI and the thread pointer on x86-64 only"
#endif

/* libbpf 1.2 names it; a uprobe gets the same pt_regs as a kprobe. */
#ifndef BPF_UPROBE
#define BPF_UPROBE(name, args...) BPF_KPROBE(name, ##args)
#endif

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

/* The current thread's thread pointer, where its TLS ends (x86-64: the
 * FS base). */
static __always_inline __u64 thread_pointer(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return BPF_CORE_READ(task, thread.fsbase);
}

/* The current goroutine's id at a syscall, from the thread's g word. */
static __always_inline __s64 goid_at_syscall(void)
{
	__u64 g = 0;

	if (goid_off < 0 || !tls_g_off)
		return -1;
	if (bpf_probe_read_user(&g, sizeof(g), (void *)(thread_pointer() + tls_g_off)))
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

/* At a function's entry, the return address into its caller: on top of
 * the stack, where the call put it. 0 or an error. */
static __always_inline long entry_return_address(struct pt_regs *ctx, __u64 *ret)
{
	return bpf_probe_read_user(ret, sizeof(*ret), (void *)PT_REGS_SP(ctx));
}

/* The return addresses of the callers: the one on top of the stack, then
 * the frame-pointer chain (see the header comment). */
static __always_inline void caller_frames(struct pt_regs *ctx, struct cc_event *e)
{
	__u64 bp = PT_REGS_FP(ctx), frame[2];

	e->nr_frames = 0;
	if (entry_return_address(ctx, &e->frames[0]) || !e->frames[0])
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
	e->go_arg1 = 0;
	e->c_arg1 = 0;
	e->ret = 0;
	e->ctx_done = -1;
	e->nr_frames = 0;
	return e;
}

SEC("uprobe")
int BPF_UPROBE(cc_uprobe)
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
	 * link-time address) and, in Go, the current g. */
	e->ip = PT_REGS_IP(ctx);
	e->goid = goid_of(GO_REGS_G(ctx));
	e->go_arg1 = GO_REGS_PARM1(ctx);
	e->c_arg1 = PT_REGS_PARM1(ctx);
	entry_return_address(ctx, &e->ret);
	switch (e->args) {
	case CC_ARGS_GO_FD:
		err = bpf_probe_read_user(&fd, sizeof(fd), (void *)(GO_REGS_PARM1(ctx) + CC_GO_SYSFD_OFF));
		e->a0 = fd;
		break;
	case CC_ARGS_GO_CONN:
		err = bpf_probe_read_user(&p, sizeof(p), (void *)GO_REGS_PARM1(ctx));
		if (!err)
			err = bpf_probe_read_user(&fd, sizeof(fd), (void *)(p + CC_GO_SYSFD_OFF));
		e->a0 = fd;
		break;
	case CC_ARGS_C_2INT:
		e->a0 = (int)PT_REGS_PARM1(ctx);
		e->a1 = (int)PT_REGS_PARM2(ctx);
		break;
	case CC_ARGS_GO_CANCEL:
		e->ctx_done = context_done(GO_REGS_PARM1(ctx));
		caller_frames(ctx, e);
		break;
	case CC_ARGS_C_CANCEL:
		e->ctx_done = context_done(PT_REGS_PARM1(ctx));
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
