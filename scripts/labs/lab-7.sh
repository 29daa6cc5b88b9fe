# help: cancel during the body, C and Go cancel chains (root)
# needs: root btf kernel>=5.8 tools=cancelchain,closesnoop,go-client
# Lab 7, cancel during the body: c-cancel and go-client read a large body
# 128 bytes at a time and cancel 1 ms after the first byte. Their results,
# both cancel chains (cancelchain), and, over 10 more runs of go-client,
# who closes its socket and how much it read before the cancel took.
lab_needs_ebpf 7 cancelchain closesnoop
lab_begin 7 "cancel during the body"
# A body far larger than what 1 ms can carry, so the cancel always lands mid-body.
BODY_URL="$URL/hello?n=100000000"
RUNS=10

for client in c-cancel go-client; do
  cancelchain_run "$client.chain" "$BIN/$client" -q -c 1 -r 128 "$BODY_URL"
  printf -v "result_${client//-/_}" '%s' "$RESULT"
  chain_from_user "$OUT/$client.chain" >"$OUT/$client.chain-from-user.txt"
done
two_columns 0 "$OUT/go-client.chain-from-user.txt" "$OUT/c-cancel.chain-from-user.txt" >"$OUT/chains.txt"

# Which stack closed go-client's socket, over RUNS runs.
body_reader=0 cancel_chain=0 read_loop=0 write_loop=0 other=0 unseen=0
for run in $(seq $RUNS); do
  closesnoop_run "go-client.run-$run.closes" -- "$BIN/go-client" -q -c 1 -r 128 "$BODY_URL"
  stack=$OUT/go-client.run-$run.socket-close.txt
  socket_stack "$OUT/go-client.run-$run.closes" >"$stack"
  case $(go_closer "$stack") in
    none) unseen=$((unseen + 1)) ;;
    cancel-chain) cancel_chain=$((cancel_chain + 1)) ;;
    body-reader) body_reader=$((body_reader + 1)) ;;
    read-loop) read_loop=$((read_loop + 1)) ;;
    write-loop) write_loop=$((write_loop + 1)) ;;
    *) other=$((other + 1)) ;;
  esac
done
seen=$((RUNS - unseen))
if [ "$seen" -eq 0 ]; then
  verdict="none seen, no conclusion (see the .closes.log files)"
elif [ "$body_reader" -eq "$seen" ]; then
  verdict="the body reader, every time"
elif [ "$cancel_chain" -eq "$seen" ]; then
  verdict="the cancel chain, every time"
else
  verdict="it varied"
fi

# What each go-client run read before the cancel took, and how long it ran.
results=$(cat "$OUT/go-client.chain.log" "$OUT"/go-client.run-*.closes.log | grep '^result: error="context canceled"')
spread() { # FIELD UNIT DIVISOR: "MIN to MAX UNIT (median M)" of FIELD over the results
  sed -n "s/.* $1=\\([0-9.]*\\).*/\\1/p" <<<"$results" | sort -n |
    awk -v unit="$2" -v div="$3" '{ v[NR] = $1 / div }
      END { if (NR) printf "%.1f to %.1f %s (median %.1f)", v[1], v[NR], unit, v[int((NR + 1) / 2)] }'
}
ncancelled=$(grep -c . <<<"$results")
# The cancels before the user's: who made them.
earlier=$(sed '/(the user.s cancel)/,$d' "$OUT/go-client.chain" | grep -oE 'cancelCtx\)\.cancel +from [^ ]+' |
  sed 's/.* from //' | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
last() { tail -n 1 "$OUT/$1.chain-from-user.txt" | awk '{ print $1 }' | tr -d +; }

say "c-cancel   $result_c_cancel"
say "go-client  $result_go_client"
say ""
if [ -s "$OUT/go-client.chain-from-user.txt" ] && [ -s "$OUT/c-cancel.chain-from-user.txt" ]; then
  say "The cancel chains, µs after the user's cancel, to the socket's close (cancelchain):"
  two_columns 0 <(echo "go-client (g N: the goroutine)"; cat "$OUT/go-client.chain-from-user.txt") \
    <(echo "c-cancel (its functions play Go's roles)"; cat "$OUT/c-cancel.chain-from-user.txt")
  say "From the user's cancel to close(2): go-client $(last go-client) µs, c-cancel $(last c-cancel) µs."
  if [ -n "$earlier" ]; then
    say "Not shown: earlier cancels, none the user's: $earlier."
  fi
else
  say "cancelchain labelled no user's cancel in a timeline: no chain to show (see out/lab-7/*.chain)."
fi
say ""
say "Who closed go-client's socket, $RUNS runs (closesnoop, *.socket-close.txt): $verdict"
say "  $body_reader  the body reader: main.fetch -> bodyEOFSignal.Read -> ... -> FD.Read -> destroy"
say "  $cancel_chain  the cancel chain: readLoop -> cancelRequest -> closeLocked -> conn.Close -> destroy"
say "  $read_loop  readLoop's read;  $write_loop  writeLoop's write;  $other  something else;  $unseen  not seen"
if [ "$ncancelled" -gt 0 ]; then
  say "Before the cancel took, in the $ncancelled go-client runs that ended in context canceled:"
  say "  $(spread bytes MB 1000000) read, in $(spread elapsed_ms ms 1)"
else
  say "No go-client run ended in context canceled: nothing to say about when the cancel took."
fi
say ""
say "Look at: cancel() only marks the connection closed (closeLocked -> conn.Close); the fd is"
say "closed by whoever drops the last reference to it, and a read in progress holds one."
say "Question: why does Body.Read say \"context canceled\" and not \"use of closed connection\"?"
say ""
lab_end
