#!/usr/bin/env bash
# c-cancel, stage 5: a request bound to a context, cancelled by a thread (-c)
# or by its deadline (-t); the usual paths; no leak under valgrind; and the
# strace story of the done eventfd.
source "$(dirname "$0")/../lib.sh"

start_labserver || exit 1
URL=http://127.0.0.1:$PORT

# The article's experiment: cancel 1 ms after the first body byte.
run_client c-cancel -c 1 -q "$URL/hello?n=100000000"
expect_result "c-cancel -c 1 /hello?n=100000000" 1 '^result: error="context canceled" bytes=[0-9]+ '
bytes=$(result_field bytes)
check "c-cancel -c 1 stops mid-body, before 11,000,000 bytes (bytes=$bytes)" "bytes=$bytes" between "$bytes" 1 10999999

run_client c-cancel -q "$URL/hello"
expect_result "c-cancel /hello without -c" 0 '^result: ok status=200 bytes=11000000 '

run_client c-cancel -c 10000 -q "$URL/hello"
expect_result "c-cancel -c 10000 /hello: the body wins, the canceller is let go" 0 \
  '^result: ok status=200 bytes=11000000 '
elapsed=$(result_field elapsed_ms)
check "c-cancel -c 10000 /hello does not wait for the canceller" "elapsed_ms=$elapsed" between "$elapsed" 0 5000

run_client c-cancel -t 200 -q "$URL/stall"
expect_result "c-cancel -t 200 /stall" 1 '^result: error="context deadline exceeded" bytes=0 '
elapsed=$(result_field elapsed_ms)
check "c-cancel -t 200 /stall ends between 200 and 250 ms" "elapsed_ms=$elapsed" between "$elapsed" 200 250

run_client c-cancel -t 200 -q "$URL/stall-body"
expect_result "c-cancel -t 200 /stall-body keeps the bytes it read" 1 \
  '^result: error="context deadline exceeded" bytes=110 '

run_client c-cancel -t 100 -c 10000 -q "$URL/trickle?ms=40&n=11"
expect_result "c-cancel -t 100 -c 10000: the deadline comes first" 1 \
  '^result: error="context deadline exceeded" bytes=[1-9] '

run_client c-cancel -t 10000 -c 1 -q "$URL/trickle?ms=40&n=11"
expect_result "c-cancel -t 10000 -c 1: the cancel comes first" 1 '^result: error="context canceled" bytes=1 '

run_client c-cancel "$URL/ok"
expect_result "c-cancel /ok" 0 '^result: ok status=200 bytes=3 elapsed_ms=[0-9.]+'
check "c-cancel /ok body" "body is '$(head -c 40 "$T/out")'" cmp -s "$T/out" <(printf 'ok\n')
run_client c-cancel "$URL/reset"
expect_result "c-cancel /reset" 1 '^result: error="connection reset by peer" bytes=0 '
run_client c-cancel "$URL/close"
expect_result "c-cancel /close" 1 '^result: error="unexpected EOF" bytes=0 '
run_client c-cancel "$URL/garbage"
expect_result "c-cancel /garbage" 1 '^result: error="malformed HTTP response" bytes=0 '

# valgrind: nothing allocated, no fd open but inherited ones.
expect_clean "c-cancel -c 1 /hello leaks nothing" c-cancel -c 1 -q "$URL/hello?n=100000000"
expect_clean "c-cancel -t 300 /stall leaks nothing" c-cancel -t 300 -q "$URL/stall"
expect_clean "c-cancel -c 10000 /ok leaks nothing" c-cancel -c 10000 "$URL/ok"

# The strace story. On /hello the body never stops coming, so the loop sees
# the cancel in context_err() before a read, without waiting (Go's trace has
# no wait there either); on /trickle it is waiting, and the done fd wakes it.
if command -v strace >/dev/null; then
  trace=$T/cancel-hello.trace
  timeout --foreground -k 2 20 strace -f -o "$trace" -e trace=eventfd2,epoll_ctl,epoll_wait,close,write \
    "$BIN/c-cancel" -c 1 -q "$URL/hello" >/dev/null 2>"$T/err" </dev/null
  expect_story "strace c-cancel -c 1 /hello: done fd in the set, cancel, DEL and close of the socket" "$trace" \
    '^[0-9]+ +eventfd2\(0, EFD_CLOEXEC\|EFD_NONBLOCK\) = 3$' \
    'epoll_ctl\([0-9]+, EPOLL_CTL_ADD, 3, \{events=EPOLLIN' \
    'epoll_ctl\([0-9]+, EPOLL_CTL_ADD, 4, \{events=EPOLLOUT' \
    'write\(3, "\\1\\0\\0\\0\\0\\0\\0\\0", 8' \
    'epoll_ctl\([0-9]+, EPOLL_CTL_DEL, 4, NULL' \
    'close\(4' \
    'write\(2, "result: error=\\"context canceled'

  trace=$T/cancel-trickle.trace
  timeout --foreground -k 2 20 strace -f -o "$trace" -e trace=eventfd2,epoll_ctl,epoll_wait,close,write \
    "$BIN/c-cancel" -c 1 -q "$URL/trickle?ms=40&n=11" >/dev/null 2>"$T/err" </dev/null
  expect_story "strace c-cancel -c 1 /trickle: the wait returns the done fd, then DEL and close" "$trace" \
    '^[0-9]+ +eventfd2\(0, EFD_CLOEXEC\|EFD_NONBLOCK\) = 3$' \
    'epoll_ctl\([0-9]+, EPOLL_CTL_ADD, 3, \{events=EPOLLIN' \
    'epoll_wait.*\[\{events=EPOLLIN, data=\{u32=3,' \
    'epoll_ctl\([0-9]+, EPOLL_CTL_DEL, 4, NULL' \
    'close\(4' \
    'write\(2, "result: error=\\"context canceled'
else
  not_ok "strace story" "strace is not installed"
fi

# A canceller thread's cancel is the one in the result, even on a busy machine.
run_client c-cancel -c 1 -q "$URL/hello?n=100000000"
expect_result "c-cancel -c 1 /hello?n=100000000" 1 '^result: error="context canceled" bytes=[1-9][0-9]* '
