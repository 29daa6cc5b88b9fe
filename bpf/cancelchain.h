/*
 * cancelchain.h: the record cancelchain.bpf.c sends to cancelchain.c
 * through the ring buffer. Include vmlinux.h (BPF) or <linux/types.h>
 * (userspace) first.
 */
#ifndef CTXLAB_CANCELCHAIN_H
#define CTXLAB_CANCELCHAIN_H

/*
 * Each uprobe is attached with a bpf_cookie: the step's index in
 * cancelchain.c's table (low byte) and which arguments to read (next byte).
 */
#define CC_COOKIE(step, args) ((__u64)(step) | ((__u64)(args) << 8))
#define CC_COOKIE_STEP(c) ((__u32)((c) & 0xff))
#define CC_COOKIE_ARGS(c) ((__u32)(((c) >> 8) & 0xff))

/* Which arguments to read. A Go method's receiver is its first argument
 * (in Go's register ABI, not C's: cancelchain.bpf.c). */
enum cc_args {
	CC_ARGS_NONE = 0,
	CC_ARGS_GO_FD,   /* Go receiver *poll.FD: Sysfd at +16 */
	CC_ARGS_GO_CONN, /* Go receiver *net.conn: *netFD, whose poll.FD.Sysfd is at +16 */
	CC_ARGS_C_2INT,  /* C: the first two arguments, ints (close_connection(epfd, sock, ...)) */
	CC_ARGS_GO_CANCEL, /* Go (*cancelCtx).cancel: the receiver; the callers' frames */
	CC_ARGS_C_CANCEL,  /* C context_cancel(ctx): ctx; the callers' frames */
};

#define CC_GO_SYSFD_OFF 16 /* poll.FD{fdmu fdMutex (16 bytes); Sysfd int} in Go 1.19 */

enum cc_kind {
	CC_EV_UPROBE = 1, /* step: which function; a0, a1 as its cc_args say */
	CC_EV_EPOLL_DEL,  /* a0: epfd, a1: fd */
	CC_EV_CLOSE,      /* a0: fd */
};

/* Return addresses kept for a cancel: enough to get past the context
 * package's own frames (a parent cancelling its children adds two each). */
#define CC_MAX_FRAMES 16

struct cc_event {
	__u64 ts_ns; /* CLOCK_MONOTONIC, bpf_ktime_get_ns */
	__u32 kind;  /* enum cc_kind */
	__u32 tid;
	__u32 tgid;
	__u32 step;  /* CC_EV_UPROBE: the cookie's step */
	__u32 args;  /* CC_EV_UPROBE: the cookie's enum cc_args */
	__s32 err;   /* 0, or the error reading a user argument */
	__s64 a0, a1;
	__s64 goid;  /* Go: the current goroutine's id; -1 when not known */
	__u64 ip;    /* CC_EV_UPROBE: the probed function's run-time address */
	/* CC_EV_UPROBE: the first integer argument as Go's ABI passes it and
	 * as C's does (RAX and RDI on x86-64), and the return address at
	 * entry, to tell one call seen twice from two calls. One call can fire
	 * its entry probe twice. Seen here in about one Go run in ten: the
	 * same goroutine, stack pointer, arguments and return address, tens of
	 * µs apart, with GODEBUG=asyncpreemptoff=1 too; likely the kernel
	 * restarting the probed instruction after aborting its single-step
	 * (kernel/events/uprobes.c, handle_singlestep). And a Go function
	 * whose goroutine's stack must grow jumps back to its entry once
	 * `runtime/stack.go newstack` has moved the stack
	 * (`cmd/internal/obj/x86/obj6.go stacksplit`). */
	__u64 go_arg1, c_arg1, ret;
	/* CC_ARGS_*_CANCEL only: */
	__s32 ctx_done;  /* the context's err field at entry: 1 set (done already), 0 not, -1 unknown */
	__u32 nr_frames; /* in frames[]: the return address on the stack, then the frame-pointer chain */
	__u64 frames[CC_MAX_FRAMES];
};

#endif
