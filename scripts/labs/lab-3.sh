# Lab 3, epoll: the blog's sequence on /ok, and on /trickle how many times
# the kernel wakes the client compared with how many reads it makes.
lab_begin 3 "epoll: let the kernel say when"

lab_trace epoll-ok "$BIN/c-epoll" "$URL/ok"
ok_result=$RESULT
lab_trace epoll-trickle "$BIN/c-epoll" "$URL/trickle?ms=30&n=5"
trickle_result=$RESULT
lab_compare epoll-ok-vs-trickle epoll-ok epoll-trickle "c-epoll /ok" "c-epoll /trickle?ms=30&n=5"
sock=$(socket_fd "$OUT/epoll-trickle.strace")
wakeups=$(grep -cE '^[0-9]+ +epoll_wait\(' "$OUT/epoll-trickle.strace")
reads=$(calls_on "$OUT/epoll-trickle.strace" read "$sock")
eagains=$(grep -cE "^[0-9]+ +read\($sock,.*EAGAIN" "$OUT/epoll-trickle.strace")

say "c-epoll /ok       $ok_result"
say "c-epoll /trickle  $trickle_result"
say ""
say "The blog's sequence, on /ok:"
story_lines epoll-ok create connect register wait-writable check-error send wait-readable read \
  deregister close | sed 's/^/  /' | fit
say ""
say "On /trickle (one byte every 30 ms): $wakeups wake-ups (epoll_wait) for $reads reads, $eagains of them EAGAIN:"
say "each wake-up is followed by reads until the socket is drained (EAGAIN), then the next wait."
say ""
say "Look at: epoll_wait sleeps in the kernel with no CPU cost, and returns only when the"
say "socket is ready; EPOLL_CTL_MOD switches from waiting to write (connect done) to waiting"
say "to read. But epoll_wait(..., -1) still waits forever on /stall: no deadline yet."
say "Question: the blog does ADD, DEL, ADD where this client does one MOD. Why does it work?"
say ""
lab_end epoll-ok-vs-trickle.html
