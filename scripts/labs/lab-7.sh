# Lab 7, cancel during the body: c-cancel and go-client read a large body
# 128 bytes at a time and cancel 1 ms after the first byte. Their results,
# both cancel chains (cancelchain), and who closes Go's socket over 10 runs.
lab_begin 7 "cancel during the body"
# A body far larger than what 1 ms can carry, so the cancel always lands mid-body.
BODY_URL="$URL/hello?n=100000000"

for client in c-cancel go-client; do
  cancelchain_run "$client.chain" "$BIN/$client" -q -c 1 -r 128 "$BODY_URL"
  printf -v "result_${client//-/_}" '%s' "$RESULT"
done
two_columns <(chain_lines "$OUT/c-cancel.chain" | sed -E 's/ \(as [^ ]*//') <(chain_lines "$OUT/go-client.chain") \
  >"$OUT/chains.txt"

# Which stack closed go-client's socket: classify 10 runs.
body_reader=0 cancel_chain=0 read_loop=0 other=0
for run in $(seq 10); do
  closesnoop_run "go-client.run-$run.closes" -- "$BIN/go-client" -q -c 1 -r 128 "$BODY_URL"
  stack=$OUT/go-client.run-$run.socket-close.txt
  socket_stack "$OUT/go-client.run-$run.closes" >"$stack"
  if grep -q 'closeLocked' "$stack"; then
    cancel_chain=$((cancel_chain + 1))
  elif grep -q 'bodyEOFSignal' "$stack"; then
    body_reader=$((body_reader + 1))
  elif grep -q 'readLoop' "$stack"; then
    read_loop=$((read_loop + 1))
  else
    other=$((other + 1))
  fi
done

say "c-cancel   $result_c_cancel"
say "go-client  $result_go_client"
say ""
say "The cancel chains from the first cancel, µs since the process's first event (cancelchain):"
cut -c1-100 "$OUT/chains.txt" | head -n 11
say "c-cancel's functions play Go's roles: context_cancel = cancelCtx.cancel, on_context_done ="
say "the cancelRequest chain, close_connection = FD.destroy (out/lab-7/*.chain names them)."
say ""
say "Who closed go-client's socket in 10 runs (closesnoop, go-client.run-N.socket-close.txt):"
say "  $body_reader  the body reader: main.fetch -> bodyEOFSignal.Read -> ... -> FD.Read -> destroy"
say "  $cancel_chain  the cancel chain: readLoop -> cancelRequest -> closeLocked -> conn.Close -> destroy"
say "  $read_loop  readLoop's own read;  $other  something else"
say ""
say "Look at: cancel() only marks the connection closed (closeLocked -> conn.Close); the fd is"
say "closed by whoever drops the last reference to it (internal/poll's fdMutex): a read in"
say "progress holds one, so the reader closes; with no read in flight, conn.Close does."
say "Question: why does Body.Read say \"context canceled\" and not \"use of closed connection\"?"
say ""
lab_end
