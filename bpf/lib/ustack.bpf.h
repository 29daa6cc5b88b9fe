/*
 * ustack.bpf.h: fills a struct ustack (lib/ustack.h) for the current task.
 * Include after vmlinux.h, bpf_helpers.h, bpf_core_read.h and
 * bpf_tracing.h, from a tracing program (tracepoint, kprobe, uprobe).
 * The struct is large (~2.9 KB): capture straight into ring buffer memory.
 */
#ifndef CTXLAB_USTACK_BPF_H
#define CTXLAB_USTACK_BPF_H

#include "lib/ustack.h"

static __always_inline void ustack_capture(void *ctx, struct ustack *us)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct inode *exe = BPF_CORE_READ(task, mm, exe_file, f_inode);
	long n;

	/* The user registers saved at kernel entry: in a syscall tracepoint,
	 * ip is the instruction after `syscall`, sp the leaf's stack. */
	us->ip = PT_REGS_IP_CORE(regs);
	us->sp = PT_REGS_SP_CORE(regs);
	us->bp = PT_REGS_FP_CORE(regs);
	us->exe_ino = BPF_CORE_READ(exe, i_ino);
	us->exe_dev = BPF_CORE_READ(exe, i_sb, s_dev);
	us->reserved = 0;

	n = bpf_get_stack(ctx, us->ips, sizeof(us->ips), BPF_F_USER_STACK);
	us->nr_ips = n < 0 ? (__s32)n : (__s32)(n / sizeof(us->ips[0]));
	n = bpf_get_stack(ctx, us->bids, sizeof(us->bids), BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
	us->nr_bids = n < 0 ? (__s32)n : (__s32)(n / sizeof(us->bids[0]));

	/* The stack grows down: what the leaf pushed, and its caller's return
	 * address, sit at sp and just above. */
	if (bpf_probe_read_user(us->words, sizeof(us->words), (void *)us->sp) == 0)
		us->nr_words = USTACK_WORDS;
	else if (bpf_probe_read_user(us->words, 8 * sizeof(us->words[0]), (void *)us->sp) == 0)
		us->nr_words = 8; /* sp is near the end of its mapping */
	else
		us->nr_words = 0;
}

struct ustack_path_walk {
	struct dentry *dentry;
	struct mount *mnt;
	struct ustack_path *out;
	int depth;
};

/* One step of the walk: up one name, or from a mount's root to where it
 * is mounted. Returns 1 to stop. */
static long ustack_path_step(__u32 index, void *ctx)
{
	struct ustack_path_walk *w = ctx;
	/* Locals: CO-RE reads must start from kernel types, not from w. */
	struct dentry *dentry = w->dentry;
	struct mount *mnt = w->mnt;
	struct vfsmount *vfsmnt = (void *)mnt + bpf_core_field_offset(struct mount, mnt);
	struct dentry *root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	int depth = w->depth;
	long len;

	(void)index;
	if (dentry == root || dentry == parent) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt || dentry != root) {
			w->out->complete = 1; /* the root of it all */
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	if (depth < 0 || depth >= USTACK_PATH_DEPTH)
		return 1;
	len = bpf_probe_read_kernel_str(w->out->names[depth], USTACK_PATH_NAME, BPF_CORE_READ(dentry, d_name.name));
	if (len <= 0 || len >= USTACK_PATH_NAME)
		return 1; /* unreadable, or cut short: incomplete */
	w->depth = depth + 1;
	w->dentry = parent;
	return 0;
}

/* Fills OUT with FILE's absolute path (see struct ustack_path). For the
 * executable: ustack_path_of(BPF_CORE_READ(task, mm, exe_file), out).
 * bpf_loop (kernel 5.17+) keeps the verifier from trying every mix of
 * name and mount steps. */
static __always_inline void ustack_path_of(struct file *file, struct ustack_path *out)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct ustack_path_walk walk = {
		.dentry = BPF_CORE_READ(file, f_path.dentry),
		.mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt),
		.out = out,
	};

	out->depth = 0;
	out->complete = 0;
	if (!walk.dentry || !vfsmnt)
		return;
	/* Room for every name and a few mount points. */
	bpf_loop(USTACK_PATH_DEPTH + 8, ustack_path_step, &walk, 0);
	out->depth = walk.depth;
}

#endif
