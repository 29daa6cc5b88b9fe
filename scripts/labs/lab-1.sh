# help: a blocking client, and why it cannot be cancelled
# needs: tools=strace
# Lab 1, blocking: c-blocking works on /ok; on /stall it sleeps in read()
# and nothing but the lab stopping it from outside can end that.
lab_begin 1 "blocking: a read nothing can cancel"

lab_trace blocking-ok "$BIN/c-blocking" "$URL/ok"
ok_result=$RESULT
lab_trace blocking-stall --stop-after 2 "$BIN/c-blocking" "$URL/stall"
stall_result=$RESULT
lab_compare blocking-ok-vs-stall blocking-ok.story blocking-stall.story "c-blocking /ok" "c-blocking /stall (stopped after 2 s)"
refusal=$("$BIN/c-blocking" -t 200 "$URL/stall" 2>&1)

say "c-blocking /ok     $ok_result"
say "c-blocking /stall  ${stall_result:-(no result line: still blocked after 2 s, stopped by the lab)}"
say ""
say "The /stall story, from the socket to the read that never returned:"
grep -v '^#' "$OUT/blocking-stall.story" | sed 's/^/  /' | fit
say ""
say "Look at: connect and write return at once; then read() sleeps in the kernel until data,"
say "EOF or an error arrives, and no line of this thread runs meanwhile. A socket timeout"
say "(SO_RCVTIMEO) could bound each call, another thread could shutdown() the socket, but"
say "nothing lets this thread wait for the socket and for a cancel at once. This stage says so:"
say "  $refusal"
say "Question: what would it take to give this client a 200 ms deadline? (Lab 2.)"
say ""
lab_end blocking-ok-vs-stall.html
