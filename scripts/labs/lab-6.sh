# help: who calls close()? eBPF stacks for C and Go (root)
# needs: root btf kernel>=5.8 tools=closesnoop,bpftrace,strace,go-client
# Lab 6, who calls close()? closesnoop's stacks of the socket's close in
# c-deadline and in go-client, with strace -k and bpftrace as two more
# witnesses, and the frame that frame-pointer unwinding skips.
lab_needs_ebpf 6 closesnoop bpftrace
lab_begin 6 "who calls close()?"

for client in c-deadline go-client; do
  closesnoop_run "$client.closes" -- "$BIN/$client" -q -t 200 "$URL/stall"
  printf -v "result_${client//-/_}" '%s' "$RESULT"
  socket_stack "$OUT/$client.closes" >"$OUT/$client.socket-close.txt"
  closesnoop_run "$client.folded" --folded -- "$BIN/$client" -q -t 200 "$URL/stall"
  # Witness 2: strace unwinds with libdw at each close.
  lab_run_to /dev/null /dev/null strace -f -qq -k -e trace=socket,close -e signal=none \
    -o "$OUT/$client.strace-k" "$BIN/$client" -q -t 200 "$URL/stall"
done
# The two stacks in two columns (Go's up to the frame that started it all).
two_columns 47 "$OUT/c-deadline.socket-close.txt" <(sed '/readLoop\|roundTrip/q' "$OUT/go-client.socket-close.txt" | head -n 15) \
  >"$OUT/socket-closes.txt"

# Witness 3: the blog's bpftrace one-liner, as a script, on exactly this
# lab's go-client: the client waits on a pipe until bpftrace is attached,
# and the script keeps only its pid.
gate=$OUT/.start-go-client
mkfifo "$gate"
(read -r _ <"$gate" && exec "$BIN/go-client" -q -t 200 "$URL/stall") >/dev/null 2>&1 </dev/null &
client=$!
lab_started "$client"
bpftrace "$ROOT/bpf/close-stacks.bt" go-client 0 "$client" >"$OUT/go-client.bpftrace" \
  2>"$OUT/go-client.bpftrace.log" </dev/null &
tracer=$!
lab_started "$tracer"
for i in $(seq 100); do
  grep -q '^Tracing' "$OUT/go-client.bpftrace" || ! kill -0 "$tracer" 2>/dev/null && break
  sleep 0.1
done
echo go >"$gate"
lab_wait "$client"
rm -f "$gate"
sleep 0.2 # bpftrace prints the last events after the process is gone
kill -INT "$tracer" 2>/dev/null
lab_wait "$tracer"

# What each witness saw of the socket's close. Each is its own run, so Go's
# closer may differ between them; what they must agree on is the frame
# after the leaf, which closesnoop recovers from the CFI.
# socket_fd_closed CLIENT: the fd of the socket closesnoop saw CLIENT close.
socket_fd_closed() { awk 'NR == 1 { print $5 }' "$OUT/$1.socket-close.txt"; }
# cfi_frame CLIENT: the function closesnoop recovered from the CFI.
cfi_frame() { awk '/\[from CFI\]/ { sub(/\+0x.*/, "", $1); print $1; exit }' "$OUT/$1.socket-close.txt"; }
# strace_k_frames CLIENT FD: the functions of strace -k's stack of the
# close(FD) that follows the socket() = FD (fd numbers come back: the
# loader closed an fd 3 too). strace prints a stack when the call returns,
# so a close it split in two has its stack under the resumed half.
strace_k_frames() {
  awk -v fd="$2" '
    $1 !~ /^[0-9]+$/ { if (keep && /^ > /) { sub(/^[^(]*\(/, ""); sub(/\+0x[0-9a-f]+\).*/, ""); print }; next }
    { keep = 0 }
    /socket\(|<\.\.\. socket resumed>/ && $NF == fd && $(NF - 1) == "=" { sock = 1; next }
    sock && $2 == "close(" fd ")" { keep = 1; sock = 0; next }
    sock && $2 == "close(" fd && /<unfinished/ { split_by = $1; next }
    sock && split_by == $1 && /<\.\.\. close resumed>/ { keep = 1; sock = 0 }' "$OUT/$1.strace-k"
}
# strace_k_line CLIENT: what strace -k's stack of the socket's close has.
strace_k_line() {
  local fd frames skipped
  fd=$(socket_fd_closed "$1")
  skipped=$(cfi_frame "$1")
  [ -n "$skipped" ] || skipped="the leaf's caller"
  frames=$(strace_k_frames "$1" "$fd")
  if [ -z "$fd" ]; then
    echo "$1: no closesnoop stack to compare with"
  elif [ -z "$frames" ]; then
    echo "$1 close($fd): no stack"
  else
    echo "$1 close($fd): $(grep -c . <<<"$frames") frames, $(grep -qxF "$skipped" <<<"$frames" &&
      echo "with" || echo "without") $skipped"
  fi
}
go_fd=$(socket_fd_closed go-client)
bt_frames=$(awk -v call="close($go_fd)" '/^[0-9]/ { keep = $NF == call; next } keep && /^\t/' "$OUT/go-client.bpftrace")
bt_total=$(grep -c . <<<"$bt_frames")
bt_raw=$(grep -c '(\[unknown\])$' <<<"$bt_frames")
from_cfi=$(cat "$OUT"/*.socket-close.txt | grep -c '\[from CFI\]')
go_stack=$OUT/go-client.socket-close.txt

say "c-deadline  $result_c_deadline"
say "go-client   $result_go_client"
say ""
say "The socket's close, innermost frame first (closesnoop, out/lab-6/socket-closes.txt):"
cut -c1-100 "$OUT/socket-closes.txt"
case $(go_closer "$go_stack") in
  none)
    say "Go: closesnoop saw no close of the socket: no conclusion." ;;
  read-loop)
    say "Go: the goroutine blocked in readLoop's read (FD.Read -> readUnlock -> destroy) closed it." ;;
  cancel-chain)
    say "Go: the cancelling goroutine (closeLocked -> conn.Close -> destroy) closed it." ;;
  *)
    say "Go: a path this lab does not classify closed it (see go-client.socket-close.txt)." ;;
esac
say ""
say "  strace -k (own run)  $(strace_k_line c-deadline)"
say "  strace -k (own run)  $(strace_k_line go-client)"
if [ "$bt_total" -eq 0 ]; then
  say "  bpftrace (own run)   printed no close(${go_fd:-?}) of go-client: nothing to compare (see its .log)"
else
  say "  bpftrace (own run)   go-client close($go_fd): named $((bt_total - bt_raw)) of $bt_total frames" \
    "$([ "$bt_raw" -gt 0 ] && echo "(go-client had exited first)")"
fi
say "Look at: glibc's __close and Go's Syscall6 are leaves that keep no frame pointer, so a"
say "frame-pointer walk skips their caller; closesnoop recovered $from_cfi such frames from the CFI."
say "Question: which function of c-deadline would be missing without the CFI step, and why?"
say ""
lab_end
