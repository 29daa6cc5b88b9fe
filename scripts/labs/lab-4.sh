# help: a 200 ms deadline, C and Go side by side
# needs: tools=strace,go-client
# Lab 4, deadline: c-deadline and go-client, both with a 200 ms deadline,
# against /stall, side by side.
lab_begin 4 "deadline: C and Go give up at 200 ms"

lab_trace c-deadline "$BIN/c-deadline" -q -t 200 "$URL/stall"
c_result=$RESULT
lab_trace go-client "$BIN/go-client" -q -t 200 "$URL/stall"
go_result=$RESULT
lab_compare c-vs-go c-deadline.story go-client.story "c-deadline -t 200 /stall" "go-client -t 200 /stall"

say "c-deadline  $c_result"
say "go-client   $go_result"
say ""
say "How each story ends (out/lab-4/c-vs-go.txt has all of it):"
sbs_rows "$OUT/c-vs-go.txt" read deadline deregister close
say ""
say "Look at: both try a read that returns EAGAIN, wait, and when the time is up do the"
say "same two things: EPOLL_CTL_DEL on the socket, then close(SOCK). The wait differs:"
say "C keeps the deadline in a timerfd that wakes epoll_wait; Go passes the time left to"
say "its next timer as epoll_pwait's timeout, and the wait returns 0."
say "Question: which thread closes the socket in Go? (Lab 5 looks.)"
say ""
lab_end c-vs-go.html
