/*
 * events.bpf.h: the ring buffer a tool sends its records through, and the
 * per-CPU count of records that found it full, which the loader reports as
 * `lost N events` (tool_sum_percpu in lib/tool.h). Include after vmlinux.h
 * and bpf_helpers.h; define EVENTS_RINGBUF_BYTES first to size the buffer.
 */
#ifndef CTXLAB_EVENTS_BPF_H
#define CTXLAB_EVENTS_BPF_H

#ifndef EVENTS_RINGBUF_BYTES
#define EVENTS_RINGBUF_BYTES (1 << 20)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Room for a record of size bytes, or NULL, counted as lost: never silent. */
static __always_inline void *reserve_event(__u64 size)
{
	void *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);

		if (n)
			*n += 1; /* per-CPU: no other writer */
	}
	return e;
}

#endif
