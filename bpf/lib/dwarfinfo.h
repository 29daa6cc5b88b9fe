/*
 * dwarfinfo.h: the little a tracer needs from an executable's DWARF, read
 * with libdw: where a member of a structure type sits (so that a BPF
 * program can read it, as g.goid of Go's runtime.g), and which compilation
 * unit holds an address (which source file a function comes from).
 *
 * Compressed debug sections are read as they are: Go 1.19's linker writes
 * SHF_COMPRESSED .debug_* sections (zlib), which libdw inflates when it
 * loads them (elfutils 0.188 here), as it does the older .zdebug_* ones.
 */
#ifndef CTXLAB_DWARFINFO_H
#define CTXLAB_DWARFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct dwarfinfo;

/*
 * Opens PATH's DWARF. NULL with *err set when there is none to read:
 * -ENODATA when PATH has no DWARF (stripped, or Go's -ldflags=-w), another
 * -errno when PATH cannot be opened or read.
 */
struct dwarfinfo *dwarfinfo_open(const char *path, int *err);
void dwarfinfo_close(struct dwarfinfo *di);

/*
 * The offset and size in bytes of MEMBER in the structure type named
 * STRUCT_NAME ("runtime.g", "context.cancelCtx", "context" for C's struct
 * context), from its DW_AT_data_member_location and its type's size. Only
 * complete types are looked at (not declarations). 0, or -ENOENT when no
 * such structure with that member is there.
 */
int dwarfinfo_member(struct dwarfinfo *di, const char *struct_name, const char *member, __u64 *offset,
		     __u64 *size);

/* The name of the compilation unit (DW_AT_name: the source file as given
 * to the compiler) whose code holds VADDR, a link-time address; NULL if
 * none does. Valid until dwarfinfo_close(). */
const char *dwarfinfo_unit_of(struct dwarfinfo *di, __u64 vaddr);

#endif
