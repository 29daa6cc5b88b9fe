/*
 * closesnoop_output.c: a close() as text, as JSON, or counted as a folded
 * stack (see closesnoop_output.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "closesnoop.h"
#include "closesnoop_output.h"
#include "lib/json.h"
#include "lib/printable.h"
#include "lib/symbolize.h"

/* What the fd was, as every format names it: "socket", "anon:[timerfd]". */
static const char *kind_text(const struct close_event *e, char *buf, size_t len)
{
	switch (e->kind) {
	case FD_KIND_SOCKET: return "socket";
	case FD_KIND_PIPE: return "pipe";
	case FD_KIND_FILE: return "file";
	case FD_KIND_DIR: return "dir";
	case FD_KIND_CHR: return "chr";
	case FD_KIND_BLK: return "blk";
	case FD_KIND_OTHER: return "other";
	case FD_KIND_BADF: return "badf";
	case FD_KIND_ANON:
		snprintf(buf, len, "anon:%.*s", CLOSESNOOP_NAME_LEN, e->name[0] ? e->name : "?");
		return buf;
	default: return "?";
	}
}

/* ---- text: a line per event, then its frames, then a blank line ---- */

void output_header(enum output_format format)
{
	if (format == OUTPUT_TEXT)
		printf("%-12s %-16s %7s %7s %4s %s\n", "TIME(s)", "COMM", "PID", "TID", "FD", "KIND");
}

static void print_text(const struct close_shown *c, const char *comm, const char *kind)
{
	const struct close_event *e = c->event;
	char time[32];

	snprintf(time, sizeof(time), "%llu.%06llu", (unsigned long long)(c->since_ns / 1000000000),
		 (unsigned long long)(c->since_ns % 1000000000 / 1000));
	printf("%-12s %-16s %7u %7u %4d %s\n", time, printable(comm), e->pid, e->tid, e->fd, printable(kind));
	if (c->nframes == 0) {
		if (e->stack.nr_ips < 0)
			printf("    [no user stack: error %d]\n", e->stack.nr_ips);
		else
			printf("    [no user stack]\n");
	}
	for (int i = 0; i < c->nframes; i++) {
		const struct frame *f = &c->frames[i];

		if (f->sym)
			printf("    %s+0x%llx", printable(f->sym), (unsigned long long)f->off);
		else
			printf("    0x%llx", (unsigned long long)f->ip);
		if (f->module && !(f->flags & FRAME_EXE))
			printf(" (%s)", printable(f->module));
		else if (!f->module && f->build_id[0])
			printf(" (build-id %s+0x%llx)", f->build_id, (unsigned long long)f->file_off);
		if (f->flags & FRAME_CFI)
			printf(" [from CFI]");
		putchar('\n');
	}
	putchar('\n');
}

/* ---- JSON: one object per event and line ---- */

static void print_json(const struct close_shown *c, const char *comm, const char *kind)
{
	const struct close_event *e = c->event;

	printf("{\"time_us\":%llu,\"comm\":", (unsigned long long)(c->since_ns / 1000));
	json_write_string(stdout, comm);
	printf(",\"pid\":%u,\"tid\":%u,\"fd\":%d,\"kind\":", e->pid, e->tid, e->fd);
	json_write_string(stdout, kind);
	printf(",\"stack\":[");
	for (int i = 0; i < c->nframes; i++) {
		const struct frame *f = &c->frames[i];

		printf("%s{\"ip\":\"0x%llx\",\"sym\":", i ? "," : "", (unsigned long long)f->ip);
		if (f->sym) {
			json_write_string(stdout, f->sym);
			printf(",\"off\":%llu", (unsigned long long)f->off);
		} else {
			printf("null,\"off\":null");
		}
		printf(",\"module\":");
		if (f->module)
			json_write_string(stdout, f->module);
		else
			printf("null");
		if (f->build_id[0])
			printf(",\"build_id\":\"%s\",\"file_off\":%llu", f->build_id, (unsigned long long)f->file_off);
		if (f->flags & FRAME_CFI)
			printf(",\"cfi\":true");
		putchar('}');
	}
	printf("]}\n");
}

/* ---- folded: comm;outermost;...;innermost COUNT, counted until the end ---- */

struct folded_entry {
	struct folded_entry *next;
	unsigned long long count;
	char key[];
};

#define FOLDED_BUCKETS 1024

static struct folded_entry *folded[FOLDED_BUCKETS];
static size_t nfolded;

/* A frame's name in a folded line: no offset, no ';' and no spaces, and
 * what is not printable escaped (lib/printable.h). */
static void put_folded_name(FILE *f, const char *name)
{
	for (const char *p = printable(name); *p; p++)
		putc(*p == ';' || *p == ' ' ? '_' : *p, f);
}

static unsigned long hash_string(const char *s)
{
	unsigned long h = 1469598103934665603ul; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ul;
	return h;
}

static int count_folded(const struct close_shown *c, const char *comm)
{
	struct folded_entry **slot, *entry;
	size_t len = 0;
	char *key = NULL;
	FILE *f = open_memstream(&key, &len);

	if (!f)
		return -ENOMEM;
	put_folded_name(f, comm[0] ? comm : "[unknown]");
	for (int i = c->nframes - 1; i >= 0; i--) {
		const struct frame *fr = &c->frames[i];

		putc(';', f);
		if (fr->sym)
			put_folded_name(f, fr->sym);
		else
			fprintf(f, "[%s]", fr->module ? printable(fr->module) : "unknown");
	}
	if (c->nframes == 0)
		fputs(";[no user stack]", f);
	if (fclose(f) != 0) {
		free(key);
		return -ENOMEM;
	}
	slot = &folded[hash_string(key) % FOLDED_BUCKETS];
	for (entry = *slot; entry; entry = entry->next) {
		if (strcmp(entry->key, key) == 0) {
			entry->count++;
			free(key);
			return 0;
		}
	}
	entry = malloc(sizeof(*entry) + len + 1);
	if (!entry) {
		free(key);
		return -ENOMEM;
	}
	memcpy(entry->key, key, len + 1);
	free(key);
	entry->count = 1;
	entry->next = *slot;
	*slot = entry;
	nfolded++;
	return 0;
}

static int compare_folded(const void *a, const void *b)
{
	return strcmp((*(struct folded_entry *const *)a)->key, (*(struct folded_entry *const *)b)->key);
}

static void print_folded(void)
{
	struct folded_entry **all = calloc(nfolded ? nfolded : 1, sizeof(*all));
	size_t n = 0;

	if (!all) {
		fprintf(stderr, "closesnoop: out of memory for the folded stacks\n");
		return;
	}
	for (int b = 0; b < FOLDED_BUCKETS; b++)
		for (struct folded_entry *e = folded[b]; e; e = e->next)
			all[n++] = e;
	qsort(all, n, sizeof(*all), compare_folded);
	for (size_t i = 0; i < n; i++)
		printf("%s %llu\n", all[i]->key, all[i]->count);
	free(all);
}

void output_free(void)
{
	for (int b = 0; b < FOLDED_BUCKETS; b++) {
		while (folded[b]) {
			struct folded_entry *e = folded[b];

			folded[b] = e->next;
			free(e);
		}
	}
	nfolded = 0;
}

/* ---- every format ---- */

void output_close(enum output_format format, const struct close_shown *c)
{
	char comm[CLOSESNOOP_COMM_LEN + 1], kind_buf[CLOSESNOOP_NAME_LEN + 8];
	const char *kind = kind_text(c->event, kind_buf, sizeof(kind_buf));

	snprintf(comm, sizeof(comm), "%.*s", CLOSESNOOP_COMM_LEN, c->event->comm);
	switch (format) {
	case OUTPUT_TEXT:
		print_text(c, comm, kind);
		fflush(stdout);
		break;
	case OUTPUT_JSON:
		print_json(c, comm, kind);
		fflush(stdout);
		break;
	case OUTPUT_FOLDED:
		if (count_folded(c, comm) != 0)
			fprintf(stderr, "closesnoop: out of memory for the folded stacks\n");
		break;
	}
}

void output_end(enum output_format format)
{
	if (format == OUTPUT_FOLDED)
		print_folded();
}
