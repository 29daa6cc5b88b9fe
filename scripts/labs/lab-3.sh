# help: epoll, the kernel says when
# needs: tools=strace
# Lab 3, epoll: the blog's sequence on /ok, and on /trickle how many times
# the kernel wakes the client compared with how many reads it makes.
lab_begin 3 "epoll: let the kernel say when"

lab_trace epoll-ok "$BIN/c-epoll" "$URL/ok"
ok_result=$RESULT
lab_trace epoll-trickle "$BIN/c-epoll" "$URL/trickle?ms=30&n=5"
trickle_result=$RESULT
lab_compare epoll-ok-vs-trickle epoll-ok.story epoll-trickle.story "c-epoll /ok" "c-epoll /trickle?ms=30&n=5"
wakeups=$(count_calls epoll-trickle wait-readable)
reads=$(count_calls epoll-trickle read)
eagains=$(count_calls epoll-trickle read '= -1 EAGAIN')

say "c-epoll /ok       $ok_result"
say "c-epoll /trickle  $trickle_result"
say ""
say "The blog's sequence, on /ok:"
story_lines epoll-ok create connect register wait-writable check-error send wait-readable read \
  deregister close | sed 's/^/  /' | fit
say ""
say "On /trickle (a byte every 30 ms): $wakeups wake-ups with SOCK readable for $reads reads of SOCK,"
say "$eagains of them EAGAIN: after each wake-up, reads until the socket is drained, then a wait."
say ""
say "Look at: epoll_wait sleeps in the kernel with no CPU cost, and returns only when the"
say "socket is ready; EPOLL_CTL_MOD switches from waiting to write (connect done) to waiting"
say "to read. But epoll_wait(..., -1) still waits forever on /stall: no deadline yet."
say "Question: the blog does ADD, DEL, ADD where this client does one MOD. Why does it work?"
say ""
lab_end epoll-ok-vs-trickle.html
