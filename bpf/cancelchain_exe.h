/*
 * cancelchain_exe.h: what cancelchain reads from the traced executable.
 * From its ELF file: every function symbol (to tell a Go net/http client
 * from c-cancel, to know each probed function's link-time address, and to
 * name the callers of a cancel) and its TLS segment (where a Go program
 * keeps the current g). From its DWARF: the offsets the BPF side reads at,
 * and which compilation units the callers of a C cancel are in. Where the
 * uprobes go is libbpf's business (bpf_uprobe_opts.func_name).
 */
#ifndef CTXLAB_CANCELCHAIN_EXE_H
#define CTXLAB_CANCELCHAIN_EXE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct func {
	__u64 start, size;
	char *name;
};

struct exe {
	struct func *funcs;   /* every function symbol, sorted by address */
	size_t nfuncs;
	bool has_tls;         /* a PT_TLS segment: its size and alignment */
	__u64 tls_memsz, tls_align;
	bool has_tlsg;        /* Go's runtime.tlsg (STT_TLS): its offset in the segment */
	__u64 tlsg;
};

/* Reads PATH's function symbols (.symtab, then .dynsym; a function seen in
 * both is kept twice, which does no harm) and its TLS segment; SHOWN names
 * it in messages. 0, -1 after saying why PATH cannot be read as ELF, or
 * -ENOMEM after saying so. */
int exe_read(const char *path, const char *shown, struct exe *x);
void exe_free(struct exe *x);

/* The function whose code holds VADDR (link-time), or NULL. */
const struct func *exe_func_at(const struct exe *x, __u64 vaddr);

/* The link-time address of the function NAME; 0 if there is none. */
__u64 exe_func_vaddr(const struct exe *x, const char *name);

/* Offsets for the BPF side's read-only data (cancelchain.bpf.c). */
struct bpf_offsets {
	__s64 goid_off, tls_g_off, ctx_err_off;
	__u32 ctx_err_size;
};

/* How callers of a cancel are told apart (see cancelchain.c). */
struct origins {
	bool go;
	bool labels;              /* the context's err can be read: labels are shown */
	struct dwarfinfo *dwarf;  /* C: which compilation unit a caller is in */
	const char *context_unit; /* C: the unit defining the cancel function */
	const char *main_unit;    /* C: the unit defining main() */
};

/*
 * Reads from PATH's DWARF what the BPF side needs (*ro) and how to tell
 * the callers of a cancel apart (*og; og->dwarf stays open for that, to be
 * closed with dwarfinfo_close()). GO: a Go program; CANCEL_VADDR, C only:
 * where the cancel function (context_cancel) is. A binary without DWARF is
 * traced all the same: one line on stderr says what is not shown.
 */
void exe_read_dwarf(const char *path, const char *shown, const struct exe *x, bool go, __u64 cancel_vaddr,
		    bool verbose, struct bpf_offsets *ro, struct origins *og);

#endif
