/*
 * ustack.h: what a BPF program records about the user stack of the task it
 * runs in, so that userspace can name every frame later, even after the
 * process has exited. Shared by the BPF side (lib/ustack.bpf.h, with
 * vmlinux.h types) and the userspace side (lib/symbolize.h, with
 * <linux/types.h>): include one of those first, not this file alone.
 *
 * One capture holds the same stack twice, plus a little raw memory:
 *
 *   ips[]   the frame-pointer walk as plain virtual addresses
 *           (bpf_get_stack with BPF_F_USER_STACK): innermost first.
 *   bids[]  the same walk again with BPF_F_USER_BUILD_ID: for frames in an
 *           ELF file with a GNU build-id the kernel gives (build-id, file
 *           offset), which stays meaningful after the process is gone;
 *           other frames (Go 1.19 binaries carry only a Go build-id note,
 *           the vdso, JIT code) come back as plain IPs.
 *           Pairing ips[i] with bids[i] tells userspace where each file was
 *           loaded (its load bias) without reading /proc/PID/maps.
 *   sp, words[]  the user stack pointer and the USTACK_WORDS 8-byte words
 *           above it: the frame-pointer walk skips the caller of a
 *           frameless leaf (glibc's close(), Go's Syscall6); with the
 *           leaf's CFI, userspace finds that caller's return address here.
 *   exe_dev, exe_ino  which file the process executes (mm->exe_file), to
 *           find its symbols when there is no build-id and no maps.
 */
#ifndef CTXLAB_USTACK_H
#define CTXLAB_USTACK_H

#define USTACK_MAX_FRAMES 64
#define USTACK_WORDS 32

/* Status values of a build-id frame (enum bpf_stack_build_id_status). */
#define USTACK_BID_EMPTY 0
#define USTACK_BID_VALID 1
#define USTACK_BID_IP 2

/* The layout of the kernel's struct bpf_stack_build_id (32 bytes). */
struct ustack_bid_frame {
	__s32 status;
	unsigned char build_id[20];
	__u64 offset_or_ip; /* file offset when VALID, else the IP */
};

struct ustack {
	__u64 ip, sp, bp;  /* the task's user registers */
	__u64 exe_dev;     /* kernel dev_t (major << 20 | minor), 0 if unknown */
	__u64 exe_ino;
	__s32 nr_ips;      /* frames in ips[], or a negative errno */
	__s32 nr_bids;     /* frames in bids[], or a negative errno */
	__s32 nr_words;    /* words copied from sp upwards (0 if unreadable) */
	__s32 reserved;
	__u64 ips[USTACK_MAX_FRAMES];
	struct ustack_bid_frame bids[USTACK_MAX_FRAMES];
	__u64 words[USTACK_WORDS];
};

/*
 * The absolute path of a file, as its dentry chain gives it (the way
 * d_path() walks it, crossing mount points): names[0] is the file's own
 * name, names[depth - 1] the one just below "/". Join with
 * ustack_path_join() (lib/symbolize.h). complete is 0 when the walk did
 * not reach the root within USTACK_PATH_DEPTH names, or a name was longer
 * than USTACK_PATH_NAME - 1: then the path is unknown.
 */
#define USTACK_PATH_DEPTH 16
#define USTACK_PATH_NAME 64

struct ustack_path {
	__s32 depth;
	__s32 complete;
	char names[USTACK_PATH_DEPTH][USTACK_PATH_NAME];
};

#endif
