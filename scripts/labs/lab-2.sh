# help: non-blocking sockets, EAGAIN, and what retrying costs
# needs: tools=strace
# Lab 2, non-blocking: EINPROGRESS, the EAGAIN loop, and the CPU that
# retrying costs, sleeping between tries or spinning; each measured under
# strace (the story) and without it (the real cost).
lab_begin 2 "non-blocking: EAGAIN, and what retrying costs"

lab_trace nonblock-sleep "$BIN/c-nonblock" -q -t 200 "$URL/stall"
lab_trace nonblock-spin "$BIN/c-nonblock" -q --spin -t 200 "$URL/stall"
# strace stops the client at every syscall (tens of µs each here), so the
# costs are measured again without it.
lab_run nonblock-sleep.untraced "$BIN/c-nonblock" -q -t 200 "$URL/stall"
lab_run nonblock-spin.untraced "$BIN/c-nonblock" -q --spin -t 200 "$URL/stall"
# The two stories differ only in how often they loop: compare them with
# their real counts.
for way in sleep spin; do
  "$BIN/tracediff" normalize --counts "$OUT/nonblock-$way.strace" >"$OUT/nonblock-$way.counts"
done
lab_compare nonblock-sleep-vs-spin nonblock-sleep.counts nonblock-spin.counts \
  "c-nonblock -t 200 (sleeps 1 ms)" "c-nonblock --spin -t 200"
sleeps=$(grep -cE '^[0-9]+ +clock_nanosleep' "$OUT/nonblock-sleep.strace")

# cost WAY: "EAGAINS CPU_MS" traced, then "EAGAINS CPU_MS" untraced.
cost() {
  printf '%9s %8s %13s %8s' "$(result_field "$OUT/nonblock-$1.stderr" eagain)" \
    "$(result_field "$OUT/nonblock-$1.stderr" cpu_ms)" \
    "$(result_field "$OUT/nonblock-$1.untraced.stderr" eagain)" \
    "$(result_field "$OUT/nonblock-$1.untraced.stderr" cpu_ms)"
}

if cmp -s <(grep -v "^#" "$OUT/nonblock-sleep.story") <(grep -v "^#" "$OUT/nonblock-spin.story"); then
  say "One story for both ways of waiting; only the EAGAIN line's count differs (side by side:"
  say "nonblock-sleep-vs-spin.txt). Sleeping:"
else
  say "The story of sleeping (spinning tells another one: nonblock-sleep-vs-spin.txt):"
fi
grep -v '^#' "$OUT/nonblock-sleep.story" | sed 's/^/  /' | fit
say ""
say "What 200 ms of waiting cost:      under strace         without strace"
say "                              EAGAINs   cpu_ms      EAGAINs   cpu_ms"
say "  sleeping 1 ms between tries $(cost sleep)"
say "  spinning (--spin)           $(cost spin)"
say "Under strace the sleeping client also slept $sleeps times (clock_nanosleep in its .strace)."
say ""
say "Look at: connect returns EINPROGRESS and asking again says when it is done; each read"
say "returns EAGAIN at once, so the program gets control back and can check the clock: past"
say "the deadline it closes the socket (the blog's snippet). The price is the retry loop:"
say "sleep and answer late, or spin and burn a core (cpu_ms). And strace, which stops the"
say "client at every syscall, changes what it measures: compare the spin's two counts."
say "Question: how late can the sleeping client notice the deadline, and why?"
say ""
lab_end nonblock-sleep-vs-spin.html
