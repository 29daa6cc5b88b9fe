// SPDX-License-Identifier: GPL-2.0
/*
 * closesnoop.bpf.c: who calls close(), on what, from where.
 *
 * handle_close runs at syscalls/sys_enter_close, before the fd is gone, so
 * it can still look the fd up in the task's table and say what it is. It
 * sends one close_event per call to the ring buffer with the user stack
 * (lib/ustack.bpf.h). handle_exec helps userspace name the frames of a
 * process that is gone by the time its events are read: when a traced
 * process exec()s, it sends the absolute path of the new executable (from
 * mm->exe_file: execve's own argument may be relative to a cwd that is
 * gone too), so userspace indexes that file before any close() of the new
 * image is read, and reads /proc/PID/maps while the process most likely
 * still runs. (bpf_d_path would be simpler, but tracepoints may not call
 * it, and fentry programs, which may, do not load on this lab's kernel:
 * it is locked down.)
 *
 * Filters, set by closesnoop.c before loading (read-only data):
 *   targ_tgid  only this process (-p PID, or the command run after --)
 *   targ_comm  only tasks with this comm (-n COMM)
 *   self_tgid  never closesnoop itself: reading /proc closes files, and
 *              tracing those closes would feed on itself.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "closesnoop.h"
#define EVENTS_RINGBUF_BYTES (4 << 20)
#include "lib/events.bpf.h"
#include "lib/ustack.bpf.h"

#define ANON_INODE_FS_MAGIC 0x09041934
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

const volatile __u32 targ_tgid = 0;
const volatile __u32 self_tgid = 0;
const volatile bool filter_comm = false;
const volatile char targ_comm[CLOSESNOOP_COMM_LEN] = {};

/* Is NAME (a comm) the -n COMM? */
static __always_inline bool comm_matches(const char *name)
{
	for (int i = 0; i < CLOSESNOOP_COMM_LEN - 1; i++) {
		if (name[i] != targ_comm[i])
			return false;
		if (name[i] == '\0')
			break;
	}
	return true;
}

static __always_inline bool tgid_traced(__u32 tgid)
{
	return tgid != self_tgid && (!targ_tgid || tgid == targ_tgid);
}

static __always_inline bool traced(__u32 tgid)
{
	char comm[CLOSESNOOP_COMM_LEN];

	if (!tgid_traced(tgid))
		return false;
	if (!filter_comm)
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	return comm_matches(comm);
}

/* Every record starts with its type, then the process's tgid
 * (closesnoop.h). */
struct record_head {
	__u32 type;
	__u32 pid;
};
_Static_assert(__builtin_offsetof(struct close_event, pid) == __builtin_offsetof(struct record_head, pid) &&
		       __builtin_offsetof(struct exec_event, pid) == __builtin_offsetof(struct record_head, pid),
	       "a record starts with its type and pid");

/* Room in the ring buffer for a record of TYPE and SIZE bytes from the
 * current process, its head filled in; NULL if the process is not traced,
 * or if the buffer is full (counted as lost). */
static __always_inline void *new_record(__u32 type, __u64 size)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct record_head *head;

	if (!traced(tgid))
		return NULL;
	head = reserve_event(size);
	if (!head)
		return NULL;
	head->type = type;
	head->pid = tgid;
	return head;
}

/* task->files->fdt->fd[fd] -> file -> inode: what kind of file it is. */
static __always_inline void fd_kind(struct task_struct *task, int fd, struct close_event *e)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct inode *inode;
	__u32 mode;

	e->name[0] = '\0';
	if (!fdt) {
		e->kind = FD_KIND_UNKNOWN;
		return;
	}
	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds)) {
		e->kind = FD_KIND_BADF;
		return;
	}
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) < 0) {
		e->kind = FD_KIND_UNKNOWN;
		return;
	}
	if (!file) {
		e->kind = FD_KIND_BADF;
		return;
	}
	inode = BPF_CORE_READ(file, f_inode);
	/* Anon inodes share one inode whose mode says little (and changed
	 * across kernel versions); their filesystem says what they are. */
	if (BPF_CORE_READ(inode, i_sb, s_magic) == ANON_INODE_FS_MAGIC) {
		e->kind = FD_KIND_ANON;
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
		return;
	}
	mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
	switch (mode) {
	case S_IFSOCK: e->kind = FD_KIND_SOCKET; break;
	case S_IFIFO: e->kind = FD_KIND_PIPE; break;
	case S_IFREG: e->kind = FD_KIND_FILE; break;
	case S_IFDIR: e->kind = FD_KIND_DIR; break;
	case S_IFCHR: e->kind = FD_KIND_CHR; break;
	case S_IFBLK: e->kind = FD_KIND_BLK; break;
	default: e->kind = FD_KIND_OTHER; break;
	}
}

SEC("tracepoint/syscalls/sys_enter_close")
int handle_close(struct trace_event_raw_sys_enter *ctx)
{
	struct close_event *e = new_record(RECORD_CLOSE, sizeof(*e));

	if (!e)
		return 0;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->fd = (int)ctx->args[0];
	e->ts_ns = bpf_ktime_get_ns();
	e->reserved = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fd_kind(bpf_get_current_task_btf(), e->fd, e);
	ustack_capture(ctx, &e->stack);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct exec_event *e = new_record(RECORD_EXEC, sizeof(*e));
	struct task_struct *task;
	struct inode *exe;

	if (!e)
		return 0;
	task = bpf_get_current_task_btf();
	exe = BPF_CORE_READ(task, mm, exe_file, f_inode);
	e->ts_ns = bpf_ktime_get_ns();
	e->exe_ino = BPF_CORE_READ(exe, i_ino);
	e->exe_dev = BPF_CORE_READ(exe, i_sb, s_dev);
	ustack_path_of(BPF_CORE_READ(task, mm, exe_file), &e->exe_path);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				  (void *)ctx + (ctx->__data_loc_filename & 0xFFFF));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
