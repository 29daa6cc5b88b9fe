# help: Go 1.19 under the microscope
# needs: tools=strace,go-client
# Lab 5, Go under the microscope: go-client's raw trace, what the story
# keeps of it, and what Go 1.19 does that the 2019 write-up does not show.
lab_begin 5 "Go under the microscope"

lab_trace go-stall "$BIN/go-client" -q -t 200 "$URL/stall"
raw=$OUT/go-stall.strace
# The runtime poller's own calls too (its wake-ups, empty polls, repeated
# timeouts): nearer the raw trace, and not the same from run to run.
"$BIN/tracediff" normalize --all --counts "$raw" >"$OUT/go-stall.all.txt"
"$BIN/tracediff" side-by-side --width 100 --html "$OUT/go-stall-all-vs-story.html" \
  --left-title "with the runtime's own calls (--all)" --right-title "the story" \
  "$OUT/go-stall.all.txt" "$OUT/go-stall.story" >"$OUT/go-stall-all-vs-story.txt"
pr -m -t -w 200 "$raw" "$OUT/go-stall.story" >"$OUT/go-stall.raw-and-story.txt"

threads=$(awk '{ print $1 }' "$raw" | sort -u | wc -l)
main_tid=$(awk 'NR == 1 { print $1 }' "$raw")
close_tid=$(call_tid go-stall close 'close\(SOCK\)')
deadline_tid=$(call_tid go-stall deadline '= 0$')
keepalive=$(grep -m 1 -oE 'TCP_KEEPIDLE, \[[0-9]+\]' "$OUT/go-stall.calls" | tr -dc '0-9')
# epoll_pwait(EPFD, EVENTS, 128, TIMEOUT, NULL, ...), resumed or not
timeouts=$(grep 'epoll_pwait' "$raw" | grep -oE ', 128, [1-9][0-9]*, NULL' | cut -d' ' -f3 | tr -d , |
  sort -rnu | head -n 3 | tr '\n' ' ')
has() { grep -q "$1" "$OUT/go-stall.calls"; }
if [ -z "$close_tid" ]; then
  closer="no close of the socket in this trace"
elif [ "$close_tid" = "$deadline_tid" ]; then
  closer="thread $close_tid, whose timed wait returned 0 (main: $main_tid)"
else
  closer="thread $close_tid; the timed wait returned 0 on ${deadline_tid:-none} (main: $main_tid)"
fi

say "go-client -t 200 /stall   $RESULT"
say "Raw trace: $(wc -l <"$raw") lines on $threads threads; the story keeps $(grep -vc '^#' "$OUT/go-stall.story")."
say "The story leaves out thread ids, pointers, and the runtime poller's own calls; this run:"
say "  $("$BIN/tracediff" normalize --counts "$raw" | sed -n 's/^# runtime poller, not shown: //p')"
say ""
say "The 2019 write-up against Go $(go version | awk '{ print $3 }' | sed 's/^go//') on this machine:"
say "  SO_BROADCAST on the TCP socket  $(has SO_BROADCAST && echo 'set' || echo 'not set: Go 1.19 sets it on UDP and raw sockets only')"
say "  getpeername, getsockname        $(has getpeername && echo 'made, as before: the write-up did not list them' || echo 'not made')"
say "  TCP_NODELAY, SO_KEEPALIVE       $(has TCP_NODELAY && echo "set, as before (keep-alive every ${keepalive:-?} s): not listed either" || echo 'not set')"
say "  the poller's wake-up            $(grep -m 1 -oE 'pipe2\(\[[0-9]+, [0-9]+\]' "$raw" || echo 'no pipe2'), ...): a pipe, its read end in the epoll set"
say "  first read before the request   $(grep -q 'races the send' "$OUT/go-stall.story" && echo 'yes: readLoop reads (EAGAIN) while the request is written' || echo 'no')"
say "  the deadline                    $([ -n "$timeouts" ] && echo "no syscall: epoll_pwait timeouts of ${timeouts}ms, then = 0" || echo 'no timed wait in this trace')"
say "  who closes the socket           $closer"
say "                                  (a thread; which goroutine ran there: lab 6's stacks)"
say ""
say "Look at: go-stall-all-vs-story.txt (what the story hides), go-stall.raw-and-story.txt."
say "Question: why is it not the timer's goroutine that closes the fd?"
say ""
lab_end go-stall-all-vs-story.html
