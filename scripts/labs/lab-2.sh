# Lab 2, non-blocking: EINPROGRESS, the EAGAIN loop, and the CPU that
# retrying costs, sleeping between tries or spinning.
lab_begin 2 "non-blocking: EAGAIN, and what retrying costs"

lab_trace nonblock-sleep "$BIN/c-nonblock" -t 200 "$URL/stall"
lab_trace nonblock-spin "$BIN/c-nonblock" --spin -t 200 "$URL/stall"
lab_compare nonblock-sleep-vs-spin nonblock-sleep nonblock-spin "c-nonblock -t 200 (sleeps 1 ms)" \
  "c-nonblock --spin -t 200"
# The costs are measured without strace, which adds tens of microseconds to
# every syscall and would hide how fast a spin really goes.
sleep_result=$("$BIN/c-nonblock" -q -t 200 "$URL/stall" 2>&1)
spin_result=$("$BIN/c-nonblock" -q --spin -t 200 "$URL/stall" 2>&1)
sleep_eagain=$(grep -c 'EAGAIN' "$OUT/nonblock-sleep.strace")
sleeps=$(grep -cE '^[0-9]+ +clock_nanosleep' "$OUT/nonblock-sleep.strace")

say "The story with sleeps (the spinning one differs only in how often it loops):"
grep -v '^#' "$OUT/nonblock-sleep.story" | sed 's/^/  /' | fit
say ""
say "Without strace, 200 ms of waiting cost:"
say "  sleeping 1 ms between tries  ${sleep_result#result: }"
say "  spinning (--spin)            ${spin_result#result: }"
say "Under strace the sleeping run saw $sleep_eagain EAGAINs and slept $sleeps times (see the .strace files)."
say ""
say "Look at: connect returns EINPROGRESS and asking again says when it is done;"
say "each read returns EAGAIN at once, so the program gets control back and can check"
say "the clock: past the deadline it closes the socket (the blog's snippet). The price is"
say "the retry loop: sleep and answer late, or spin and burn a core (cpu_ms)."
say "Question: how late can the sleeping client notice the deadline, and why?"
say ""
lab_end nonblock-sleep-vs-spin.html
