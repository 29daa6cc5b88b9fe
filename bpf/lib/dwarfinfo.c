/* dwarfinfo.c: structure members and compilation units from an
 * executable's DWARF (see dwarfinfo.h). */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dwarfinfo.h"

struct dwarfinfo {
	int fd;
	Elf *elf;
	Dwarf *dbg;
};

/* Whether ELF has a .debug_info (or .zdebug_info) section: what DWARF
 * means here, before libdw is asked to read it. */
static bool has_debug_info(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0))
			return true;
	}
	return false;
}

struct dwarfinfo *dwarfinfo_open(const char *path, int *err)
{
	struct dwarfinfo *di = calloc(1, sizeof(*di));

	if (!di) {
		*err = -ENOMEM;
		return NULL;
	}
	di->fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		*err = -ENOSYS;
		goto fail;
	}
	di->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (di->fd < 0) {
		*err = -errno;
		goto fail;
	}
	di->elf = elf_begin(di->fd, ELF_C_READ, NULL);
	if (!di->elf || elf_kind(di->elf) != ELF_K_ELF) {
		*err = -ENOEXEC;
		goto fail;
	}
	if (!has_debug_info(di->elf)) {
		*err = -ENODATA;
		goto fail;
	}
	/* libdw inflates SHF_COMPRESSED and .zdebug sections as it loads
	 * them (libdw/dwarf_begin_elf.c check_section). */
	di->dbg = dwarf_begin_elf(di->elf, DWARF_C_READ, NULL);
	if (!di->dbg) {
		*err = -ENODATA;
		goto fail;
	}
	return di;
fail:
	dwarfinfo_close(di);
	return NULL;
}

void dwarfinfo_close(struct dwarfinfo *di)
{
	if (!di)
		return;
	if (di->dbg)
		dwarf_end(di->dbg);
	if (di->elf)
		elf_end(di->elf);
	if (di->fd >= 0)
		close(di->fd);
	free(di);
}

/* DW_AT_data_member_location as a constant, or as the expression
 * DW_OP_plus_uconst N that older producers write. */
static bool member_location(Dwarf_Die *member, __u64 *offset)
{
	Dwarf_Attribute attr;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr(member, DW_AT_data_member_location, &attr))
		return false;
	switch (dwarf_whatform(&attr)) {
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
	case DW_FORM_udata:
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formudata(&attr, &w) != 0)
			return false;
		*offset = w;
		return true;
	default:
		if (dwarf_getlocation(&attr, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_plus_uconst)
			return false;
		*offset = ops[0].number;
		return true;
	}
}

/* The byte size of MEMBER's type, following typedefs; 0 if unknown. */
static __u64 member_size(Dwarf_Die *member)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;
	Dwarf_Word size;

	if (!dwarf_attr_integrate(member, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type))
		return 0;
	if (dwarf_aggregate_size(&type, &size) == 0)
		return size;
	return 0;
}

/* Looks for MEMBER in the structure STRUCT at the top level of UNIT. */
static bool unit_member(Dwarf_Die *unit, const char *struct_name, const char *member, __u64 *offset,
			__u64 *size)
{
	Dwarf_Die die, child;

	if (dwarf_child(unit, &die) != 0)
		return false;
	do {
		const char *name;

		if (dwarf_tag(&die) != DW_TAG_structure_type || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		name = dwarf_diename(&die);
		if (!name || strcmp(name, struct_name) != 0 || dwarf_child(&die, &child) != 0)
			continue;
		do {
			name = dwarf_diename(&child);
			if (dwarf_tag(&child) == DW_TAG_member && name && strcmp(name, member) == 0 &&
			    member_location(&child, offset)) {
				*size = member_size(&child);
				return true;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	} while (dwarf_siblingof(&die, &die) == 0);
	return false;
}

int dwarfinfo_member(struct dwarfinfo *di, const char *struct_name, const char *member, __u64 *offset,
		     __u64 *size)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(di->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die unit;

		if (dwarf_offdie(di->dbg, off + hsize, &unit) &&
		    unit_member(&unit, struct_name, member, offset, size))
			return 0;
		off = next;
	}
	return -ENOENT;
}

const char *dwarfinfo_unit_of(struct dwarfinfo *di, __u64 vaddr)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	/* Every unit's ranges (DW_AT_low_pc/high_pc or DW_AT_ranges): Go
	 * writes no .debug_aranges, which dwarf_addrdie would need. */
	while (dwarf_nextcu(di->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die unit;
		Dwarf_Addr base, start, end;
		ptrdiff_t r = 0;

		if (dwarf_offdie(di->dbg, off + hsize, &unit)) {
			while ((r = dwarf_ranges(&unit, r, &base, &start, &end)) > 0)
				if (vaddr >= start && vaddr < end)
					return dwarf_diename(&unit);
		}
		off = next;
	}
	return NULL;
}
