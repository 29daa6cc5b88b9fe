# Lab 6, who calls close()? closesnoop's stacks of the socket's close in
# c-deadline and in go-client, with bpftrace and strace -k as two more
# witnesses, and the frame that frame-pointer unwinding skips.
lab_begin 6 "who calls close()?"

for client in c-deadline go-client; do
  closesnoop_run "$client.closes" -- "$BIN/$client" -q -t 200 "$URL/stall"
  printf -v "result_${client//-/_}" '%s' "$RESULT"
  socket_stack "$OUT/$client.closes" >"$OUT/$client.socket-close.txt"
  closesnoop_run "$client.folded" --folded -- "$BIN/$client" -q -t 200 "$URL/stall"
  # Witness 2: strace unwinds with libdw at each close.
  strace -f -qq -k -e trace=close -e signal=none -o "$OUT/$client.strace-k" \
    "$BIN/$client" -q -t 200 "$URL/stall" >/dev/null 2>&1 </dev/null &
  lab_pids+=("$!")
  wait "$!"
done
# The two stacks in two columns (Go's up to the frame that started it all).
two_columns "$OUT/c-deadline.socket-close.txt" <(sed '/readLoop/q' "$OUT/go-client.socket-close.txt" | head -n 15) \
  >"$OUT/socket-closes.txt"

# Witness 3: the blog's bpftrace one-liner, as a script, on go-client.
bpftrace "$ROOT/bpf/close-stacks.bt" go-client >"$OUT/go-client.bpftrace" 2>&1 </dev/null &
tracer=$!
lab_pids+=("$tracer")
for i in $(seq 100); do grep -q '^Attaching' "$OUT/go-client.bpftrace" && break; sleep 0.1; done
"$BIN/go-client" -q -t 200 "$URL/stall" 2>/dev/null
sleep 0.2
kill -INT "$tracer" 2>/dev/null
wait "$tracer"

# What each witness says about the socket's close, in one line each.
frames() { grep -oE '[A-Za-z_][A-Za-z0-9_./*()]*[A-Za-z0-9_)]\+0x[0-9a-f]+' "$1" | sed 's/+0x.*//' | tr '\n' ' '; }
has_frame() { grep -q -- "$2" "$1" && echo yes || echo no; }

say "c-deadline  $result_c_deadline"
say "go-client   $result_go_client"
say ""
say "The socket's close, innermost frame first (closesnoop, out/lab-6/socket-closes.txt):"
cut -c1-100 "$OUT/socket-closes.txt"
say ""
say "Witnesses: strace -k finds fetch+main in C: $(has_frame "$OUT/c-deadline.strace-k" '(fetch+')/$(has_frame "$OUT/c-deadline.strace-k" '(main+'), FD.destroy+readLoop in Go: $(has_frame "$OUT/go-client.strace-k" 'FD).destroy')/$(has_frame "$OUT/go-client.strace-k" 'readLoop');"
raw_frames=$(grep -c '(\[unknown\])$' "$OUT/go-client.bpftrace")
if [ "$raw_frames" -gt 0 ]; then
  say "  bpftrace 0.17 left $raw_frames frames as raw hex: go-client had exited before it printed."
else
  say "  bpftrace 0.17 named every frame this time: go-client was still alive when it printed."
fi
say ""
say "Look at: close happens in leaves that keep no frame pointer (glibc's __close, Go's Syscall6),"
say "so frame-pointer unwinding skips their caller; closesnoop recovers it from the CFI [from CFI]."
if grep -q 'readLoop' "$OUT/go-client.socket-close.txt"; then
  say "In Go the goroutine blocked in readLoop's read closes the socket, as in the 2019 write-up."
else
  say "This time Go's main goroutine (cancelRequest) closed it: readLoop, usually, did not hold the fd."
fi
say "Question: which function of c-deadline would be missing without the CFI step, and why?"
say ""
lab_end
