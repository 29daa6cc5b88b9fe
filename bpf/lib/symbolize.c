/*
 * symbolize.c: user stacks from BPF to names (see symbolize.h for the
 * design: build-id pairs, /proc/PID/maps snapshots, the static executable,
 * and the CFI step that recovers the frame a frame-pointer walk skips).
 *
 * Files are "modules": one per (device, inode), opened once, reported to a
 * Dwfl of their own at their link-time addresses, and kept until
 * symbolizer_free(). A file that is not ELF (or cannot be opened) is kept
 * too, marked unusable, so that it is not tried again.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/printable.h"
#include "lib/symbolize.h"
#include "lib/tool.h"

#define MAX_SEGMENTS 16
#define BUILD_ID_MAX 20
#define MAX_PLACED 32
#define SNAPSHOT_BUCKETS 256
#define SNAPSHOT_MAX 4096

/* DWARF register numbers on x86-64. */
#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7
#define DWARF_REG_RIP 16

struct segment {
	__u64 off, filesz, vaddr, memsz; /* a PT_LOAD */
};

struct module {
	struct module *next;
	char *path;       /* as mapped (or as given) */
	const char *name; /* base name, inside path */
	__u64 dev, ino;   /* kernel dev_t encoding, as in /proc/PID/maps */
	bool usable;      /* an ELF file that libdw opened */
	bool is_exec;     /* ET_EXEC: addresses need no load bias */
	unsigned char build_id[BUILD_ID_MAX];
	int build_id_len;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf_Addr bias; /* Dwfl address = ELF vaddr + bias */
	int nsegs;
	struct segment segs[MAX_SEGMENTS];
};

/* Where a module sits in one process: run-time address = vaddr + bias. */
struct placed {
	struct module *module;
	__u64 bias;
};

struct mapping {
	__u64 start, end, off, dev, ino;
	struct module *module; /* NULL for anonymous memory */
	char *name;            /* path or "[vdso]", NULL if anonymous */
};

struct snapshot {
	struct snapshot *next;
	int pid;
	bool dead;          /* the maps could not be read: do not try again */
	bool for_gap;       /* taken because an address was in no mapping */
	bool gone;          /* reading it again failed: the process exited */
	__u64 taken_ns;     /* CLOCK_MONOTONIC, before reading */
	__u64 exe_dev, exe_ino; /* for dead markers: which image they stand for */
	unsigned long gen;
	int n;
	struct mapping *maps;
	/* Placements learnt from build-id frames of earlier events of this
	 * image: they hold while it runs, and serve an event whose frames the
	 * kernel could only give as plain IPs (it fetches build-ids only if
	 * it gets the mm lock at once). */
	struct placed learnt[MAX_PLACED];
	int nlearnt;
};

/* Symbol names without their version ("close@@GLIBC_2.2.5" -> "close"),
 * kept until symbolizer_free(). */
struct name {
	struct name *next;
	char text[];
};

#define NAME_BUCKETS 256

struct symbolizer {
	bool verbose;
	struct name *names[NAME_BUCKETS];
	struct module *modules;
	struct snapshot *buckets[SNAPSHOT_BUCKETS];
	int nsnapshots;
	unsigned long gen;
};

/* What is known about the address space of one event's process. */
struct view {
	struct placed placed[MAX_PLACED];
	int nplaced;
	struct snapshot *snap;
	struct module *exe;
};

/* Local files only: separate debuginfo under /usr/lib/debug/.build-id if
 * installed, never debuginfod (a tracer must not wait on the network). */
static int find_no_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		       char **file_name, Elf **elfp)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name, (void)elfp;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = find_no_elf,
	.find_debuginfo = dwfl_build_id_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The kernel's internal dev_t, as BPF reads it from a super_block. */
static __u64 kernel_dev(unsigned int major, unsigned int minor)
{
	return ((__u64)major << 20) | minor;
}

/* ---- modules ---- */

static struct module *module_by_id(struct symbolizer *sz, __u64 dev, __u64 ino)
{
	for (struct module *m = sz->modules; m; m = m->next)
		if (m->ino == ino && m->dev == dev)
			return m;
	return NULL;
}

static struct module *module_by_build_id(struct symbolizer *sz, const unsigned char *id)
{
	for (struct module *m = sz->modules; m; m = m->next) {
		if (!m->usable || m->build_id_len == 0)
			continue;
		/* The kernel pads shorter build-ids with zeros to 20 bytes. */
		if (memcmp(m->build_id, id, (size_t)m->build_id_len) != 0)
			continue;
		for (int i = m->build_id_len; i < BUILD_ID_MAX; i++)
			if (id[i] != 0)
				goto next;
		return m;
next:;
	}
	return NULL;
}

static void module_read_elf(struct module *m)
{
	Elf *elf = dwfl_module_getelf(m->mod, &m->bias);
	const void *id;
	GElf_Ehdr ehdr;
	size_t nphdr;
	ssize_t len;

	if (!elf || !gelf_getehdr(elf, &ehdr) || elf_getphdrnum(elf, &nphdr) != 0)
		return;
	m->is_exec = ehdr.e_type == ET_EXEC;
	for (size_t i = 0; i < nphdr && m->nsegs < MAX_SEGMENTS; i++) {
		GElf_Phdr phdr;

		if (!gelf_getphdr(elf, (int)i, &phdr) || phdr.p_type != PT_LOAD)
			continue;
		m->segs[m->nsegs++] = (struct segment){
			.off = phdr.p_offset, .filesz = phdr.p_filesz,
			.vaddr = phdr.p_vaddr, .memsz = phdr.p_memsz,
		};
	}
	len = dwelf_elf_gnu_build_id(elf, &id);
	if (len > 0) {
		m->build_id_len = len > BUILD_ID_MAX ? BUILD_ID_MAX : (int)len;
		memcpy(m->build_id, id, (size_t)m->build_id_len);
	}
	m->usable = m->nsegs > 0;
}

/*
 * Makes a module of the file open at FD (taken over: closed here or by
 * libdw), mapped as PATH. DEV and INO identify it; 0, 0 to take them from
 * fstat. Always returns a module (unusable if FD is not an ELF file), or
 * NULL when out of memory.
 */
static struct module *module_from_fd(struct symbolizer *sz, int fd, const char *path, __u64 dev, __u64 ino)
{
	struct module *m = calloc(1, sizeof(*m));
	unsigned char magic[SELFMAG];
	struct stat st;
	const char *slash;

	if (!m || !(m->path = strdup(path))) {
		free(m);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	slash = strrchr(m->path, '/');
	m->name = slash ? slash + 1 : m->path;
	m->dev = dev;
	m->ino = ino;
	m->next = sz->modules;
	sz->modules = m;
	if (fd < 0)
		return m;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, magic, SELFMAG, 0) != SELFMAG || memcmp(magic, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return m;
	}
	if (!dev && !ino) {
		m->dev = kernel_dev(major(st.st_dev), minor(st.st_dev));
		m->ino = st.st_ino;
	}
	m->dwfl = dwfl_begin(&offline_callbacks);
	if (!m->dwfl) {
		close(fd);
		return m;
	}
	dwfl_report_begin(m->dwfl);
	/* Link-time addresses (base 0): one Dwfl per file, so files never
	 * overlap, and a file's names serve every process that maps it. */
	m->mod = dwfl_report_elf(m->dwfl, m->name, m->path, fd, 0, false);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod) {
		if (sz->verbose)
			fprintf(stderr, "symbolize: %s: %s\n", printable(m->path), dwfl_errmsg(-1));
		close(fd); /* dwfl_report_elf consumes it on success only */
		return m;
	}
	module_read_elf(m);
	return m;
}

static void module_free(struct module *m)
{
	if (m->dwfl)
		dwfl_end(m->dwfl);
	free(m->path);
	free(m);
}

/* File offset (as in a build-id frame) to link-time address. */
static bool module_off_to_vaddr(const struct module *m, __u64 off, __u64 *vaddr)
{
	for (int i = 0; i < m->nsegs; i++) {
		const struct segment *s = &m->segs[i];

		if (off >= s->off && off < s->off + s->filesz) {
			*vaddr = off - s->off + s->vaddr;
			return true;
		}
	}
	return false;
}

static bool module_has_vaddr(const struct module *m, __u64 vaddr)
{
	for (int i = 0; i < m->nsegs; i++)
		if (vaddr >= m->segs[i].vaddr && vaddr < m->segs[i].vaddr + m->segs[i].memsz)
			return true;
	return false;
}

/* NAME without "@VERSION" or "@@VERSION", interned. */
static const char *unversioned(struct symbolizer *sz, const char *name)
{
	size_t len = strcspn(name, "@");
	unsigned int h = 0;
	struct name *n;

	if (!name[len] || len == 0)
		return name;
	for (size_t i = 0; i < len; i++)
		h = h * 31 + (unsigned char)name[i];
	for (n = sz->names[h % NAME_BUCKETS]; n; n = n->next)
		if (strncmp(n->text, name, len) == 0 && n->text[len] == '\0')
			return n->text;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return name;
	memcpy(n->text, name, len);
	n->text[len] = '\0';
	n->next = sz->names[h % NAME_BUCKETS];
	sz->names[h % NAME_BUCKETS] = n;
	return n->text;
}

/* A return address points after its call: look the symbol up one byte
 * before it, so that a call ending a function names that function. */
static void module_symbol(struct symbolizer *sz, const struct module *m, __u64 vaddr, bool is_return,
			  struct frame *f)
{
	Dwarf_Addr addr = vaddr + m->bias - (is_return ? 1 : 0);
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(m->mod, addr, &off, &sym, NULL, NULL, NULL);

	if (name && *name) {
		f->sym = unversioned(sz, name);
		f->off = off + (is_return ? 1 : 0);
	}
}

int symbolizer_add_file(struct symbolizer *sz, const char *path)
{
	struct stat st;
	int fd;

	/* Every process opens libc: a stat() says whether we know it. */
	if (stat(path, &st) == 0 && module_by_id(sz, kernel_dev(major(st.st_dev), minor(st.st_dev)), st.st_ino))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (module_by_id(sz, kernel_dev(major(st.st_dev), minor(st.st_dev)), st.st_ino)) {
		close(fd);
		return 0;
	}
	return module_from_fd(sz, fd, path, 0, 0) ? 0 : -ENOMEM;
}

/* ---- /proc/PID/maps snapshots ---- */

static struct snapshot **snapshot_slot(struct symbolizer *sz, int pid)
{
	struct snapshot **p = &sz->buckets[(unsigned int)pid % SNAPSHOT_BUCKETS];

	while (*p && (*p)->pid != pid)
		p = &(*p)->next;
	return p;
}

static void snapshot_free(struct snapshot *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->maps[i].name);
	free(s->maps);
	free(s);
}

void symbolizer_forget(struct symbolizer *sz, int pid)
{
	struct snapshot **p = snapshot_slot(sz, pid), *s = *p;

	if (s) {
		*p = s->next;
		snapshot_free(s);
		sz->nsnapshots--;
	}
}

/* Keeps memory bounded when tracing every process: drop the oldest. */
static void snapshot_evict_oldest(struct symbolizer *sz)
{
	struct snapshot *oldest = NULL;

	for (int b = 0; b < SNAPSHOT_BUCKETS; b++)
		for (struct snapshot *s = sz->buckets[b]; s; s = s->next)
			if (!oldest || s->gen < oldest->gen)
				oldest = s;
	if (oldest)
		symbolizer_forget(sz, oldest->pid);
}

static void snapshot_insert(struct symbolizer *sz, struct snapshot *s)
{
	struct snapshot **p;

	symbolizer_forget(sz, s->pid);
	if (sz->nsnapshots >= SNAPSHOT_MAX)
		snapshot_evict_oldest(sz);
	p = &sz->buckets[(unsigned int)s->pid % SNAPSHOT_BUCKETS];
	s->gen = ++sz->gen;
	s->next = *p;
	*p = s;
	sz->nsnapshots++;
}

/* Opens the file behind a mapping: through map_files first (the very file
 * mapped, even deleted or in another mount namespace), else by path. */
static int open_mapped_file(int pid, __u64 start, __u64 end, const char *path)
{
	char buf[4096 + 64];
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/map_files/%llx-%llx", pid, (unsigned long long)start,
		 (unsigned long long)end);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(buf, sizeof(buf), "/proc/%d/root%s", pid, path);
	return open(buf, O_RDONLY | O_CLOEXEC);
}

static int snapshot_add_line(struct symbolizer *sz, struct snapshot *s, int pid, char *line, int *cap)
{
	unsigned long long start, end, off, ino;
	unsigned int major, minor;
	struct mapping *mp;
	char perms[8];
	int name_at = 0;
	char *name, *nl;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &major, &minor, &ino,
		   &name_at) < 7)
		return 0;
	if (s->n == *cap) {
		int ncap = *cap ? *cap * 2 : 32;
		struct mapping *grown = realloc(s->maps, (size_t)ncap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->maps = grown;
		*cap = ncap;
	}
	mp = &s->maps[s->n];
	*mp = (struct mapping){ .start = start, .end = end, .off = off, .dev = kernel_dev(major, minor), .ino = ino };
	name = name_at ? line + name_at : line + strlen(line);
	if ((nl = strchr(name, '\n')))
		*nl = '\0';
	if (*name) {
		size_t len = strlen(name);
		const char *deleted = " (deleted)";

		if (len > strlen(deleted) && strcmp(name + len - strlen(deleted), deleted) == 0)
			name[len - strlen(deleted)] = '\0';
		if (!(mp->name = strdup(name)))
			return -ENOMEM;
	}
	s->n++;
	if (ino == 0 || !mp->name || mp->name[0] != '/')
		return 0;
	mp->module = module_by_id(sz, mp->dev, ino);
	if (!mp->module)
		mp->module = module_from_fd(sz, open_mapped_file(pid, start, end, mp->name), mp->name, mp->dev, ino);
	return mp->module ? 0 : -ENOMEM;
}

static int snapshot_take(struct symbolizer *sz, int pid, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	char path[64], *line = NULL;
	size_t line_cap = 0;
	int cap = 0, err = 0;
	FILE *f;

	if (!s)
		return -ENOMEM;
	s->pid = pid;
	s->taken_ns = tool_monotonic_ns();
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		free(s);
		return err;
	}
	while (!err && getline(&line, &line_cap, f) > 0)
		err = snapshot_add_line(sz, s, pid, line, &cap);
	free(line);
	fclose(f);
	/* A process that has exited (or a zombie) shows an empty map. */
	if (!err && s->n == 0)
		err = -ESRCH;
	if (err) {
		snapshot_free(s);
		return err;
	}
	snapshot_insert(sz, s);
	if (out)
		*out = s;
	return 0;
}

int symbolizer_snapshot(struct symbolizer *sz, int pid)
{
	return snapshot_take(sz, pid, NULL);
}

static const struct mapping *snapshot_find_addr(const struct snapshot *s, __u64 addr)
{
	for (int i = 0; s && i < s->n; i++)
		if (addr >= s->maps[i].start && addr < s->maps[i].end)
			return &s->maps[i];
	return NULL;
}

/* Does the snapshot show the image the capture was taken in? A pid can be
 * reused, or exec another program since. */
static bool snapshot_fits(const struct snapshot *s, const struct ustack *us)
{
	if (us->exe_ino == 0)
		return true;
	if (s->dead)
		return s->exe_dev == us->exe_dev && s->exe_ino == us->exe_ino;
	for (int i = 0; i < s->n; i++)
		if (s->maps[i].ino == us->exe_ino && s->maps[i].dev == us->exe_dev)
			return true;
	return false;
}

/* The snapshot for an event: the one we have if it fits, else a new one if
 * the process still runs, else a marker that it is gone. */
static struct snapshot *snapshot_for(struct symbolizer *sz, int pid, const struct ustack *us)
{
	struct snapshot *s = *snapshot_slot(sz, pid);

	if (s && snapshot_fits(s, us))
		return s;
	if (snapshot_take(sz, pid, &s) == 0 && snapshot_fits(s, us))
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->pid = pid;
	s->dead = true;
	s->taken_ns = tool_monotonic_ns();
	s->exe_dev = us->exe_dev;
	s->exe_ino = us->exe_ino;
	snapshot_insert(sz, s);
	return s;
}

/* ---- one event's address space ---- */

static void place(struct placed *list, int *n, struct module *m, __u64 bias)
{
	for (int i = 0; i < *n; i++)
		if (list[i].module == m)
			return;
	if (*n < MAX_PLACED)
		list[(*n)++] = (struct placed){ m, bias };
}

static void view_place(struct view *v, struct module *m, __u64 bias)
{
	place(v->placed, &v->nplaced, m, bias);
	if (v->snap)
		place(v->snap->learnt, &v->snap->nlearnt, m, bias);
}

static struct module *placed_lookup(const struct placed *list, int n, __u64 addr, __u64 *vaddr)
{
	for (int i = 0; i < n; i++) {
		if (module_has_vaddr(list[i].module, addr - list[i].bias)) {
			*vaddr = addr - list[i].bias;
			return list[i].module;
		}
	}
	return NULL;
}

static int nr_frames(__s32 n)
{
	return n < 0 ? 0 : n > USTACK_MAX_FRAMES ? USTACK_MAX_FRAMES : n;
}

/* Frames of the walk worth naming: it ends where a frame pointer led
 * nowhere (ld.so and _start leave rbp 0, and the walk then reports IP 0,
 * which the kernel even pairs with the first mapping's build-id). */
static int nr_ips(const struct ustack *us)
{
	int n = nr_frames(us->nr_ips);

	for (int i = 0; i < n; i++)
		if (us->ips[i] < 4096)
			return i;
	return n;
}

/* Placements from (build-id, offset) + IP pairs. Returns how many
 * build-ids have no known file. */
static int view_place_build_ids(struct symbolizer *sz, struct view *v, const struct ustack *us)
{
	int nips = nr_frames(us->nr_ips), nbids = nr_frames(us->nr_bids), unknown = 0;

	v->nplaced = 0;
	/* Two walks of one stopped stack agree; if not, pair nothing. */
	if (nips != nbids)
		return 0;
	for (int i = 0; i < nbids; i++)
		if (us->bids[i].status == USTACK_BID_IP && us->bids[i].offset_or_ip != us->ips[i])
			return 0;
	nbids = nr_ips(us);
	for (int i = 0; i < nbids; i++) {
		const struct ustack_bid_frame *b = &us->bids[i];
		struct module *m;
		__u64 vaddr;

		if (b->status != USTACK_BID_VALID)
			continue;
		m = module_by_build_id(sz, b->build_id);
		if (!m)
			unknown++;
		else if (module_off_to_vaddr(m, b->offset_or_ip, &vaddr))
			view_place(v, m, us->ips[i] - vaddr);
	}
	return unknown;
}

/* Which module holds ADDR, at which link-time address. */
static struct module *view_lookup(const struct view *v, __u64 addr, __u64 *vaddr)
{
	const struct mapping *mp;
	struct module *m = placed_lookup(v->placed, v->nplaced, addr, vaddr);

	if (m)
		return m;
	if (v->snap && (m = placed_lookup(v->snap->learnt, v->snap->nlearnt, addr, vaddr)))
		return m;
	mp = snapshot_find_addr(v->snap, addr);
	if (mp && mp->module && mp->module->usable &&
	    module_off_to_vaddr(mp->module, addr - mp->start + mp->off, vaddr))
		return mp->module;
	if (v->exe && v->exe->usable && v->exe->is_exec && module_has_vaddr(v->exe, addr)) {
		*vaddr = addr;
		return v->exe;
	}
	return NULL;
}

/* Is there an address the current snapshot does not even cover? */
static bool view_has_gaps(const struct view *v, const struct ustack *us)
{
	__u64 vaddr;

	for (int i = 0; i < nr_ips(us); i++)
		if (!view_lookup(v, us->ips[i], &vaddr) && !snapshot_find_addr(v->snap, us->ips[i]))
			return true;
	return false;
}

static void view_build(struct symbolizer *sz, struct view *v, int pid, __u64 ts_ns, const struct ustack *us)
{
	int unknown;

	v->snap = snapshot_for(sz, pid, us);
	v->exe = us->exe_ino ? module_by_id(sz, us->exe_dev, us->exe_ino) : NULL;
	unknown = view_place_build_ids(sz, v, us);
	/* Libraries loaded after the snapshot (the exec-time one sees only
	 * the executable and ld.so): look again if the process still runs
	 * and the snapshot is older than the event. A build-id we do not
	 * know is a sure sign; an address outside every mapping may also be
	 * a stray frame pointer in code built without them, so after one
	 * such re-read, the next ones come at most once a second. */
	if (v->snap && !v->snap->dead && !v->snap->gone && v->snap->taken_ns < ts_ns &&
	    (unknown || ((!v->snap->for_gap || tool_monotonic_ns() - v->snap->taken_ns > 1000000000ull) &&
			 view_has_gaps(v, us)))) {
		struct placed learnt[MAX_PLACED];
		int nlearnt = v->snap->nlearnt;
		struct snapshot *fresh;

		memcpy(learnt, v->snap->learnt, sizeof(learnt));
		if (snapshot_take(sz, pid, &fresh) == 0) {
			fresh->for_gap = !unknown;
			memcpy(fresh->learnt, learnt, sizeof(learnt)); /* same image */
			fresh->nlearnt = nlearnt;
			v->snap = snapshot_fits(fresh, us) ? fresh : NULL;
			v->exe = us->exe_ino ? module_by_id(sz, us->exe_dev, us->exe_ino) : NULL;
			view_place_build_ids(sz, v, us);
		} else {
			v->snap->gone = true; /* keep what it knows; stop asking */
		}
	}
}

/* ---- the frame a frame-pointer walk skips ---- */

static bool reg_value(const struct ustack *us, unsigned int reg, __u64 *val)
{
	switch (reg) {
	case DWARF_REG_RSP: *val = us->sp; return true;
	case DWARF_REG_RBP: *val = us->bp; return true;
	case DWARF_REG_RIP: *val = us->ips[0]; return true;
	default: return false;
	}
}

/* Memory the capture holds: the words from sp upwards. */
static bool stack_word(const struct ustack *us, __u64 addr, __u64 *val)
{
	__u64 delta = addr - us->sp;

	if (addr < us->sp || delta % 8 || delta / 8 >= (__u64)us->nr_words)
		return false;
	*val = us->words[delta / 8];
	return true;
}

/* Evaluates the small DWARF expressions CFI uses (CFA rules, register
 * rules, PLT entries) against the captured registers and stack words.
 * *IS_VALUE is false when the result is a location to read. */
static bool eval_cfi_ops(const Dwarf_Op *ops, size_t nops, const struct ustack *us, const __u64 *cfa,
			 __u64 *result, bool *is_value)
{
	__u64 st[16], a, b;
	int top = 0;

	*is_value = false;
	for (size_t i = 0; i < nops; i++) {
		unsigned int atom = ops[i].atom;

		if (top >= (int)(sizeof(st) / sizeof(st[0])))
			return false;
		if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
			st[top++] = atom - DW_OP_lit0;
			continue;
		}
		if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31) {
			if (!reg_value(us, atom - DW_OP_breg0, &a))
				return false;
			st[top++] = a + ops[i].number;
			continue;
		}
		switch (atom) {
		case DW_OP_call_frame_cfa:
			if (!cfa)
				return false;
			st[top++] = *cfa;
			break;
		case DW_OP_bregx:
			if (!reg_value(us, (unsigned int)ops[i].number, &a))
				return false;
			st[top++] = a + ops[i].number2;
			break;
		case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u: case DW_OP_const2s:
		case DW_OP_const4u: case DW_OP_const4s: case DW_OP_const8u: case DW_OP_const8s:
		case DW_OP_constu: case DW_OP_consts:
			st[top++] = ops[i].number;
			break;
		case DW_OP_plus_uconst:
			if (top < 1)
				return false;
			st[top - 1] += ops[i].number;
			break;
		case DW_OP_deref:
			if (top < 1 || !stack_word(us, st[top - 1], &st[top - 1]))
				return false;
			break;
		case DW_OP_stack_value:
			if (i + 1 != nops)
				return false;
			*is_value = true;
			break;
		case DW_OP_plus: case DW_OP_minus: case DW_OP_and: case DW_OP_or: case DW_OP_mul:
		case DW_OP_shl: case DW_OP_shr: case DW_OP_ge: case DW_OP_gt: case DW_OP_le:
		case DW_OP_lt: case DW_OP_eq: case DW_OP_ne:
			if (top < 2)
				return false;
			b = st[--top];
			a = st[top - 1];
			switch (atom) {
			case DW_OP_plus: a += b; break;
			case DW_OP_minus: a -= b; break;
			case DW_OP_and: a &= b; break;
			case DW_OP_or: a |= b; break;
			case DW_OP_mul: a *= b; break;
			case DW_OP_shl: a = b < 64 ? a << b : 0; break;
			case DW_OP_shr: a = b < 64 ? a >> b : 0; break;
			case DW_OP_ge: a = (__s64)a >= (__s64)b; break;
			case DW_OP_gt: a = (__s64)a > (__s64)b; break;
			case DW_OP_le: a = (__s64)a <= (__s64)b; break;
			case DW_OP_lt: a = (__s64)a < (__s64)b; break;
			case DW_OP_eq: a = a == b; break;
			default: a = a != b; break;
			}
			st[top - 1] = a;
			break;
		default:
			return false;
		}
	}
	if (top < 1)
		return false;
	*result = st[top - 1];
	return true;
}

static Dwarf_Frame *leaf_cfi_frame(const struct module *m, __u64 vaddr)
{
	Dwarf_Addr addr = vaddr + m->bias, cfi_bias;
	Dwarf_Frame *frame;
	Dwarf_CFI *cfi;

	/* The leaf's IP is where it stopped, not a return address: no -1. */
	cfi = dwfl_module_eh_cfi(m->mod, &cfi_bias);
	if (cfi && dwarf_cfi_addrframe(cfi, addr - cfi_bias, &frame) == 0)
		return frame;
	cfi = dwfl_module_dwarf_cfi(m->mod, &cfi_bias);
	if (cfi && dwarf_cfi_addrframe(cfi, addr - cfi_bias, &frame) == 0)
		return frame;
	return NULL;
}

/* The leaf's return address, from its CFI at the leaf's IP: CFA from sp
 * (or bp), then the return-address column's rule (CFA - 8 on x86-64),
 * read from the captured stack words. */
static bool cfi_return_address(struct symbolizer *sz, const struct module *m, __u64 vaddr,
			       const struct ustack *us, __u64 *ra)
{
	Dwarf_Frame *frame = leaf_cfi_frame(m, vaddr);
	Dwarf_Op ops_mem[3], *ops;
	size_t nops;
	__u64 cfa, loc;
	bool is_value, ok = false;
	int ra_reg;

	if (!frame) {
		if (sz->verbose)
			fprintf(stderr, "symbolize: no CFI in %s at 0x%llx\n", printable(m->path), (unsigned long long)vaddr);
		return false;
	}
	ra_reg = dwarf_frame_info(frame, NULL, NULL, NULL);
	if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops > 0 && eval_cfi_ops(ops, nops, us, NULL, &cfa, &is_value) &&
	    ra_reg >= 0 && dwarf_frame_register(frame, ra_reg, ops_mem, &ops, &nops) == 0 && nops > 0 &&
	    eval_cfi_ops(ops, nops, us, &cfa, &loc, &is_value)) {
		if (is_value) {
			*ra = loc;
			ok = true;
		} else {
			ok = stack_word(us, loc, ra);
		}
	}
	if (!ok && sz->verbose)
		fprintf(stderr, "symbolize: CFI rule at %s+0x%llx not usable with %d stack words\n", printable(m->name),
			(unsigned long long)vaddr, us->nr_words);
	free(frame);
	return ok && *ra != 0;
}

/* ---- frames ---- */

static void fill_frame(struct symbolizer *sz, const struct view *v, const struct ustack *us, int bid_index,
		       __u64 ip, bool is_return, struct frame *f)
{
	struct module *m;
	__u64 vaddr;

	memset(f, 0, sizeof(*f));
	f->ip = ip;
	m = view_lookup(v, ip, &vaddr);
	if (m) {
		f->module = m->name;
		f->path = m->path;
		if (m == v->exe)
			f->flags |= FRAME_EXE;
		module_symbol(sz, m, vaddr, is_return, f);
		return;
	}
	/* Unknown: say what we still know, a mapping's name or a build-id. */
	const struct mapping *mp = snapshot_find_addr(v->snap, ip);

	if (mp && mp->name) {
		const char *slash = strrchr(mp->name, '/');

		f->module = slash ? slash + 1 : mp->name;
		f->path = mp->name;
	}
	if (bid_index >= 0 && bid_index < nr_frames(us->nr_bids) &&
	    us->bids[bid_index].status == USTACK_BID_VALID) {
		/* A known file, but not a place in it that it loads (a stray
		 * frame pointer into its bss, say): name the file only. */
		m = module_by_build_id(sz, us->bids[bid_index].build_id);
		if (m) {
			f->module = m->name;
			f->path = m->path;
			return;
		}
		for (int i = 0; i < BUILD_ID_MAX; i++)
			snprintf(f->build_id + 2 * i, 3, "%02x", us->bids[bid_index].build_id[i]);
		f->file_off = us->bids[bid_index].offset_or_ip;
	}
}

int symbolizer_resolve(struct symbolizer *sz, int pid, __u64 ts_ns, const struct ustack *us, struct frame *out,
		       int max)
{
	int nips = nr_ips(us), n = 0;
	struct view v;
	struct module *leaf;
	__u64 vaddr, ra;

	if (nips == 0 || max <= 0)
		return 0;
	memset(&v, 0, sizeof(v));
	view_build(sz, &v, pid, ts_ns, us);
	fill_frame(sz, &v, us, 0, us->ips[0], false, &out[n++]);
	leaf = view_lookup(&v, us->ips[0], &vaddr);
	if (leaf && n < max && us->nr_words > 0 && cfi_return_address(sz, leaf, vaddr, us, &ra) &&
	    (nips < 2 || ra != us->ips[1])) {
		fill_frame(sz, &v, us, -1, ra, true, &out[n]);
		out[n++].flags |= FRAME_CFI;
	}
	for (int i = 1; i < nips && n < max; i++)
		fill_frame(sz, &v, us, i, us->ips[i], true, &out[n++]);
	return n;
}

int ustack_path_join(const struct ustack_path *p, char *buf, size_t len)
{
	size_t used = 0;

	if (!p->complete || p->depth <= 0 || p->depth > USTACK_PATH_DEPTH)
		return -ENOENT;
	for (int i = p->depth - 1; i >= 0; i--) {
		int n = snprintf(buf + used, len - used, "/%.*s", USTACK_PATH_NAME, p->names[i]);

		if (n < 0 || (size_t)n >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)n;
	}
	return 0;
}

/* ---- life cycle ---- */

struct symbolizer *symbolizer_new(bool verbose)
{
	struct symbolizer *sz = calloc(1, sizeof(*sz));

	if (!sz)
		return NULL;
	sz->verbose = verbose;
	elf_version(EV_CURRENT);
	return sz;
}

void symbolizer_free(struct symbolizer *sz)
{
	if (!sz)
		return;
	for (int b = 0; b < SNAPSHOT_BUCKETS; b++) {
		while (sz->buckets[b]) {
			struct snapshot *s = sz->buckets[b];

			sz->buckets[b] = s->next;
			snapshot_free(s);
		}
	}
	while (sz->modules) {
		struct module *m = sz->modules;

		sz->modules = m->next;
		module_free(m);
	}
	for (int b = 0; b < NAME_BUCKETS; b++) {
		while (sz->names[b]) {
			struct name *n = sz->names[b];

			sz->names[b] = n->next;
			free(n);
		}
	}
	free(sz);
}
