/*
 * closesnoop.h: the records closesnoop.bpf.c sends to closesnoop.c through
 * the ring buffer. Include vmlinux.h (BPF) or <linux/types.h> (userspace)
 * first.
 */
#ifndef CTXLAB_CLOSESNOOP_H
#define CTXLAB_CLOSESNOOP_H

#include "lib/ustack.h"

#define CLOSESNOOP_COMM_LEN 16 /* TASK_COMM_LEN */
#define CLOSESNOOP_NAME_LEN 32 /* anon inode names: "[timerfd]", "[eventpoll]" */
#define CLOSESNOOP_PATH_LEN 256

/* What the fd about to be closed refers to, read before the close. */
enum fd_kind {
	FD_KIND_UNKNOWN = 0, /* the fd table could not be read */
	FD_KIND_BADF,        /* no open file at that fd: close() will fail */
	FD_KIND_SOCKET,
	FD_KIND_PIPE,        /* pipe or FIFO */
	FD_KIND_FILE,        /* regular file */
	FD_KIND_DIR,
	FD_KIND_CHR,
	FD_KIND_BLK,
	FD_KIND_ANON,        /* anon inode: name holds "[timerfd]" and the like */
	FD_KIND_OTHER,
};

enum closesnoop_record {
	RECORD_CLOSE = 1,
	RECORD_EXEC = 2,
};

/* Every record starts with its type, then the process's tgid. */
struct close_event {
	__u32 type;        /* RECORD_CLOSE */
	__u32 pid;         /* tgid */
	__u32 tid;
	__s32 fd;
	__u64 ts_ns;       /* CLOCK_MONOTONIC, as bpf_ktime_get_ns */
	__u32 kind;        /* enum fd_kind */
	__u32 reserved;
	char comm[CLOSESNOOP_COMM_LEN];
	char name[CLOSESNOOP_NAME_LEN];
	struct ustack stack;
};

/* A traced process replaced its image: userspace looks at its memory map
 * again while the process most likely still runs. */
struct exec_event {
	__u32 type;        /* RECORD_EXEC */
	__u32 pid;
	__u64 ts_ns;
	__u64 exe_dev, exe_ino;
	char comm[CLOSESNOOP_COMM_LEN];
	char filename[CLOSESNOOP_PATH_LEN]; /* as given to execve() */
	struct ustack_path exe_path;        /* the executable's absolute path */
};

#endif
