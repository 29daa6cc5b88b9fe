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
 * Filter, set by cancelchain.c before loading (read-only data):
 *   targ_tgid  only this process and its threads (-p PID, or the command)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "cancelchain.h"
#include "lib/events.bpf.h"

#define EPOLL_CTL_DEL 2

const volatile __u32 targ_tgid = 0;

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
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
