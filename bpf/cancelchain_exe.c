/*
 * cancelchain_exe.c: the traced executable's symbols, TLS segment and
 * DWARF, for cancelchain (see cancelchain_exe.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cancelchain_exe.h"
#include "lib/dwarfinfo.h"

/* ---- ELF: functions and the TLS segment ---- */

void exe_free(struct exe *x)
{
	for (size_t i = 0; i < x->nfuncs; i++)
		free(x->funcs[i].name);
	free(x->funcs);
	x->funcs = NULL;
	x->nfuncs = 0;
}

static int func_cmp(const void *a, const void *b)
{
	const struct func *fa = a, *fb = b;

	return fa->start < fb->start ? -1 : fa->start > fb->start;
}

const struct func *exe_func_at(const struct exe *x, __u64 vaddr)
{
	size_t lo = 0, hi = x->nfuncs;

	while (lo < hi) { /* the first function starting after vaddr */
		size_t mid = lo + (hi - lo) / 2;

		if (x->funcs[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || vaddr >= x->funcs[lo - 1].start + x->funcs[lo - 1].size)
		return NULL;
	return &x->funcs[lo - 1];
}

__u64 exe_func_vaddr(const struct exe *x, const char *name)
{
	for (size_t i = 0; i < x->nfuncs; i++)
		if (strcmp(x->funcs[i].name, name) == 0)
			return x->funcs[i].start;
	return 0;
}

/* One symbol: runtime.tlsg, or a function. 0, or -ENOMEM. */
static int exe_add_symbol(struct exe *x, const GElf_Sym *sym, const char *name, size_t *cap)
{
	if (GELF_ST_TYPE(sym->st_info) == STT_TLS) {
		if (strcmp(name, "runtime.tlsg") == 0) {
			x->has_tlsg = true;
			x->tlsg = sym->st_value;
		}
		return 0;
	}
	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF || sym->st_value == 0 ||
	    sym->st_size == 0)
		return 0;
	if (x->nfuncs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		struct func *f = realloc(x->funcs, ncap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		x->funcs = f;
		*cap = ncap;
	}
	x->funcs[x->nfuncs].name = strdup(name);
	if (!x->funcs[x->nfuncs].name)
		return -ENOMEM;
	x->funcs[x->nfuncs].start = sym->st_value;
	x->funcs[x->nfuncs].size = sym->st_size;
	x->nfuncs++;
	return 0;
}

int exe_read(const char *path, const char *shown, struct exe *x)
{
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	size_t nphdr = 0, cap = 0;
	int fd, ret = -1;

	memset(x, 0, sizeof(*x));
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "cancelchain: libelf is too old\n");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cancelchain: cannot open %s: %s\n", shown, strerror(errno));
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nphdr) != 0) {
		fprintf(stderr, "cancelchain: %s is not an ELF executable\n", shown);
		goto out;
	}
	for (size_t p = 0; p < nphdr; p++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)p, &ph) && ph.p_type == PT_TLS) {
			x->has_tls = true;
			x->tls_memsz = ph.p_memsz;
			x->tls_align = ph.p_align;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		if (!(data = elf_getdata(scn, NULL)) || sh.sh_entsize == 0)
			continue;
		for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)k, &sym) || !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			if (exe_add_symbol(x, &sym, name, &cap) != 0) {
				fprintf(stderr, "cancelchain: out of memory reading the symbols of %s\n", shown);
				exe_free(x);
				ret = -ENOMEM;
				goto out;
			}
		}
	}
	if (x->nfuncs) /* a stripped file may have none (and funcs NULL) */
		qsort(x->funcs, x->nfuncs, sizeof(*x->funcs), func_cmp);
	ret = 0;
out:
	elf_end(elf);
	close(fd);
	return ret;
}

/* ---- what the BPF side reads at (TLS, DWARF), and compilation units ---- */

/*
 * Where a Go program keeps the current g, from the thread pointer; 0 if
 * unknown. Linked by Go's own linker (no PT_TLS segment) it is -8
 * (`cmd/link/internal/ld/sym.go (*Link).computeTLSOffset`: Tlsoffset = -PtrSize on
 * ELF). Linked by an external linker (cgo), it is the TLS variable
 * runtime.tlsg, pointer-sized (`cmd/link/internal/ld/lib.go (*Link).loadlib`), in the
 * executable's TLS block, which ends at the thread pointer (x86-64 TLS
 * variant II: the block is the segment's size rounded up to its
 * alignment). The external linker may drop the symbol; a segment of one
 * pointer then holds runtime.tlsg alone, at 0.
 */
static __s64 go_tls_g_off(const struct exe *x)
{
	__u64 align, block, tlsg;

	if (!x->has_tls)
		return -8;
	if (x->has_tlsg)
		tlsg = x->tlsg;
	else if (x->tls_memsz == 8)
		tlsg = 0;
	else
		return 0;
	align = x->tls_align ? x->tls_align : 1;
	block = (x->tls_memsz + align - 1) / align * align;
	return (__s64)tlsg - (__s64)block;
}

/* The size to read of a context's err field: Go's error is an interface
 * whose first word (its itab) is nil exactly when the error is
 * (`runtime/runtime2.go iface`); C's is an enum, CONTEXT_ALIVE = 0. */
static __u32 err_read_size(__u64 size)
{
	return size >= 8 ? 8 : size == 4 ? 4 : 0;
}

void exe_read_dwarf(const char *path, const char *shown, const struct exe *x, bool go, __u64 cancel_vaddr,
		    bool verbose, struct bpf_offsets *ro, struct origins *og)
{
	const char *ctx_struct = go ? "context.cancelCtx" : "context"; /* C: clients/lib/context.c */
	struct dwarfinfo *di;
	__u64 off = 0, size = 0;
	int err = 0;

	*ro = (struct bpf_offsets){ .goid_off = -1, .tls_g_off = 0, .ctx_err_off = -1, .ctx_err_size = 0 };
	*og = (struct origins){ .go = go };
	di = dwarfinfo_open(path, &err);
	if (!di) {
		if (go && err == -ENODATA)
			fprintf(stderr, "cancelchain: %s has no DWARF (built with -ldflags=-w?): goroutine ids and "
				"cancel labels not shown\n", shown);
		else if (err == -ENODATA)
			fprintf(stderr, "cancelchain: %s has no DWARF for struct context: cancels not labelled "
				"(build it with -g)\n", shown);
		else
			fprintf(stderr, "cancelchain: cannot read the DWARF of %s: %s: %s\n", shown, strerror(-err),
				go ? "goroutine ids and cancel labels not shown" : "cancels not labelled");
		return;
	}
	if (go) {
		/* `runtime/runtime2.go g`: goid int64 */
		if (dwarfinfo_member(di, "runtime.g", "goid", &off, &size) == 0 && size == 8) {
			ro->goid_off = (__s64)off;
			ro->tls_g_off = go_tls_g_off(x);
		} else {
			fprintf(stderr, "cancelchain: %s has DWARF but no 8-byte runtime.g.goid in it (not Go 1.19?): "
				"goroutine ids not shown\n", shown);
		}
	}
	/* Go: `context/context.go cancelCtx`, err error; C:
	 * clients/lib/context.c struct context, enum context_err err. */
	if (dwarfinfo_member(di, ctx_struct, "err", &off, &size) == 0 && err_read_size(size)) {
		ro->ctx_err_off = (__s64)off;
		ro->ctx_err_size = err_read_size(size);
	} else {
		fprintf(stderr, "cancelchain: %s has no %s.err in its DWARF: cancels not labelled\n", shown, ctx_struct);
	}
	if (!go && ro->ctx_err_off >= 0) {
		__u64 main_vaddr = exe_func_vaddr(x, "main");

		og->context_unit = dwarfinfo_unit_of(di, cancel_vaddr);
		og->main_unit = main_vaddr ? dwarfinfo_unit_of(di, main_vaddr) : NULL;
		if (!og->context_unit || !og->main_unit) {
			fprintf(stderr, "cancelchain: %s's DWARF does not say which files define context_cancel "
				"and main: cancels not labelled\n", shown);
			ro->ctx_err_off = -1;
			ro->ctx_err_size = 0;
		}
	}
	og->labels = ro->ctx_err_off >= 0;
	if (verbose && go)
		fprintf(stderr, "cancelchain: from the DWARF of %s: goid at %+lld in runtime.g (-1: none), g at "
			"fs%+lld (0: unknown), err at %+lld in context.cancelCtx (-1: none)\n", shown,
			(long long)ro->goid_off, (long long)ro->tls_g_off, (long long)ro->ctx_err_off);
	else if (verbose)
		fprintf(stderr, "cancelchain: from the DWARF of %s: err at %+lld in struct context (-1: none), "
			"context_cancel in %s, main in %s\n", shown, (long long)ro->ctx_err_off,
			og->context_unit ? og->context_unit : "?", og->main_unit ? og->main_unit : "?");
	if (!go && og->labels)
		og->dwarf = di; /* the units' names live in it */
	else
		dwarfinfo_close(di);
}

