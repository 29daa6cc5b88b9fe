/*
 * symbolize.h: names the frames of a user stack captured by a BPF program
 * (struct ustack, lib/ustack.h), for C programs (PIE + shared libraries)
 * and Go programs (static, not PIE), also after the process has exited.
 * Shared by every ctxlab eBPF tool; it knows nothing about any of them.
 *
 * Three sources say which file an address belongs to and where that file
 * was loaded; they are tried in this order for every address:
 *
 *  1. the capture itself: frames the kernel reported as (GNU build-id,
 *     file offset), paired with the same frame's plain IP, give the load
 *     bias of every such file in this very stack. That survives the
 *     process: the kernel read it while the process ran. What it needs
 *     from us is a file for each build-id: every ELF file the symbolizer
 *     opens is indexed by its build-id: every file in a memory map it
 *     reads (the tool's own map first: libc and ld.so, which most C
 *     programs share), and every file the tool adds (closesnoop: the
 *     command it runs, and each traced exec()'s executable, whose
 *     absolute path its BPF side reads from mm->exe_file; see
 *     ustack_path_of() in lib/ustack.bpf.h). Placements learnt this way
 *     are kept per process image, for events whose frames the kernel
 *     could only give as plain IPs.
 *  2. a snapshot of /proc/PID/maps, taken as early as the caller can (at
 *     exec, at attach, on the first event of a new pid) and again when an
 *     event shows an address or build-id the snapshot lacks, as long as
 *     the process lives. Each file of the map is opened at once (through
 *     /proc/PID/map_files when allowed, so a deleted or rebuilt binary
 *     still resolves) and kept open.
 *  3. the process's executable, known by (device, inode) from the capture,
 *     when it is not PIE: Go 1.19 binaries carry no GNU build-id, so their
 *     frames come back as plain IPs, which are link-time addresses of the
 *     static executable and need no load bias at all.
 *
 * Within a file, libdw's Dwfl finds the symbol (.symtab, else .dynsym) and
 * the CFI (.eh_frame, else .debug_frame: Go writes only the latter).
 *
 * The frame-pointer walk misses the caller of a frameless leaf (glibc's
 * close() wrapper, Go's runtime/internal/syscall.Syscall6): such a leaf
 * keeps the caller's rbp, so the walk goes from the leaf straight to the
 * caller's caller. symbolizer_resolve() recovers it exactly: it asks the
 * leaf's CFI for the rule at the leaf's IP (CFA = rsp + N, return address
 * at CFA - 8), reads the return address from the stack words captured
 * above sp, and inserts it as the second frame, flagged FRAME_CFI, unless
 * the frame-pointer walk already has it (a leaf that did push rbp).
 */
#ifndef CTXLAB_SYMBOLIZE_H
#define CTXLAB_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "lib/ustack.h"

#define SYMBOLIZE_MAX_FRAMES (USTACK_MAX_FRAMES + 1)

enum frame_flags {
	FRAME_CFI = 1,  /* recovered from the leaf's CFI: the walk skipped it */
	FRAME_EXE = 2,  /* in the process's main executable */
};

struct frame {
	__u64 ip;           /* address in the process */
	const char *sym;    /* symbol name, NULL if unknown */
	__u64 off;          /* ip - start of sym */
	const char *module; /* file's base name ("libc.so.6"), NULL if unknown */
	const char *path;   /* file's path as mapped, NULL if unknown */
	unsigned int flags; /* enum frame_flags */
	char build_id[41];  /* hex build-id when the file is unknown, else "" */
	__u64 file_off;     /* file offset that goes with build_id */
};

struct symbolizer;

/* verbose: say on stderr why a frame or the CFI step failed. */
struct symbolizer *symbolizer_new(bool verbose);
void symbolizer_free(struct symbolizer *sz);

/* Reads /proc/PID/maps now and opens the files it names. 0 or -errno. */
int symbolizer_snapshot(struct symbolizer *sz, int pid);
/* Drops what is known about PID's memory (it exec()ed, or exited). */
void symbolizer_forget(struct symbolizer *sz, int pid);
/* Indexes an ELF file by build-id and identity. 0 or -errno. */
int symbolizer_add_file(struct symbolizer *sz, const char *path);

/* Joins a path captured by ustack_path_of() into BUF: 0, or -ENOENT if
 * it is incomplete, -ENAMETOOLONG if BUF is too small. */
int ustack_path_join(const struct ustack_path *p, char *buf, size_t len);

/*
 * Names the frames of US, captured in process PID at TS_NS
 * (CLOCK_MONOTONIC), innermost first, into OUT (SYMBOLIZE_MAX_FRAMES
 * entries is always enough). Returns how many. Strings in OUT stay valid
 * until symbolizer_free().
 */
int symbolizer_resolve(struct symbolizer *sz, int pid, __u64 ts_ns, const struct ustack *us,
		       struct frame *out, int max);

#endif
