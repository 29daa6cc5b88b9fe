#!/usr/bin/env bash
# The labs: each runs in under 10 s, writes its files, shows the key lines
# of its story; a second run gives the same stories; Ctrl-C leaves nothing.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
OUT=$ROOT/out

# widest FILE: the longest line of FILE, in characters (mawk counts bytes).
widest() {
  local line max=0
  while IFS= read -r line; do
    [ "${#line}" -gt "$max" ] && max=${#line}
  done <"$1"
  echo "$max"
}
export LC_ALL=C.UTF-8

# run_lab N: runs lab N, its summary in $T/lab-N.txt; checks time and files.
run_lab() {
  local n=$1 start ms rc
  start=$(date +%s%N)
  timeout --foreground -k 2 60 scripts/lab.sh "$n" >"$T/lab-$n.txt" 2>&1 </dev/null
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  check "lab-$n runs in under 10 s and succeeds (${ms} ms)" "exit $rc: $(tail -n 3 "$T/lab-$n.txt")" \
    bash -c "[ $rc -eq 0 ] && [ $ms -lt 10000 ]"
  check "lab-$n: summary fits a projector (at most 30 lines, 100 columns)" \
    "$(wc -l <"$T/lab-$n.txt") lines, $(widest "$T/lab-$n.txt") columns" \
    bash -c "[ \$(wc -l <'$T/lab-$n.txt') -le 30 ] && [ $(widest "$T/lab-$n.txt") -le 100 ]"
  check "lab-$n: raw traces, stories, side by side and page written" "$(ls "$OUT/lab-$n" | tr '\n' ' ')" \
    bash -c "ls '$OUT/lab-$n'/*.strace && ls '$OUT/lab-$n'/*.story && ls '$OUT/lab-$n'/*.txt &&
             grep -q '^<!DOCTYPE html>' '$OUT/lab-$n'/*.html" >/dev/null 2>&1
}

# story_has NAME FILE REGEX...: the story FILE has these lines, in order.
story_has() {
  expect_story "$1" "$2" "${@:3}"
}

for n in 1 2 3 4 5; do run_lab "$n"; done

story_has "lab-1: /ok story: socket, connect, write, read, close" "$OUT/lab-1/blocking-ok.story" \
  '^create +socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = SOCK$' '^connect +connect\(SOCK, .*\) = 0$' \
  '^send +write\(SOCK, "GET /ok HTTP/1.1' '^read +read\(SOCK, ' '^close +close\(SOCK\) = 0$'
check "lab-1: the /stall story ends in a read that never returned" "$(tail -n 1 "$OUT/lab-1/blocking-stall.story")" \
  bash -c "tail -n 1 '$OUT/lab-1/blocking-stall.story' | grep -qE '^read +read\\(SOCK, .*= \\?'"

story_has "lab-2: EINPROGRESS, then EAGAIN over and over, then close" "$OUT/lab-2/nonblock-sleep.story" \
  '^connect +connect\(SOCK, .*EINPROGRESS' '^send +write\(SOCK, "GET /stall' \
  '^read +read\(SOCK, BUF, 128\) = -1 EAGAIN .* xN$' '^close +close\(SOCK\) = 0$'
check "lab-2: both runs report eagain and cpu_ms" "$(grep -c 'eagain=[0-9]* cpu_ms=' "$T/lab-2.txt") found" \
  [ "$(grep -c 'eagain=[0-9]* cpu_ms=' "$T/lab-2.txt")" -eq 2 ]

story_has "lab-3: the blog's epoll sequence on /ok" "$OUT/lab-3/epoll-ok.story" \
  '^create +epoll_create1' '^register +epoll_ctl\(EPFD, EPOLL_CTL_ADD, SOCK, \{events=EPOLLOUT' \
  '^wait-writable +epoll_wait' '^check-error +getsockopt\(SOCK, SOL_SOCKET, SO_ERROR' '^send +write\(SOCK' \
  '^register +epoll_ctl\(EPFD, EPOLL_CTL_MOD, SOCK, \{events=EPOLLIN' '^wait-readable +epoll_wait' \
  '^read +read\(SOCK, "HTTP/1.1 200 OK' '^close +close\(SOCK\) = 0$'
check "lab-3: counts wake-ups against reads on /trickle" "$(grep wake-ups "$T/lab-3.txt")" \
  grep -qE '[1-9][0-9]* wake-ups \(epoll_wait\) for [1-9][0-9]* reads' "$T/lab-3.txt"

for side in c-deadline go-client; do
  story_has "lab-4: $side story ends in a timed-out wait, EPOLL_CTL_DEL on SOCK, close(SOCK)" \
    "$OUT/lab-4/$side.story" '^read +read\(SOCK, BUF, [0-9]+\) = -1 EAGAIN' '^deadline +epoll_(p?wait)' \
    '^deregister +epoll_ctl\(EPFD, EPOLL_CTL_DEL, SOCK, ' '^close +close\(SOCK\) = 0$'
done
check "lab-4: both give up with context deadline exceeded" "$(grep result: "$T/lab-4.txt")" \
  [ "$(grep -c 'result: error="context deadline exceeded"' "$T/lab-4.txt")" -eq 2 ]

check "lab-5: checks the 2019 write-up against Go 1.19" "$(grep -A 8 '2019' "$T/lab-5.txt")" \
  bash -c "grep -q 'SO_BROADCAST on the TCP socket  gone' '$T/lab-5.txt' &&
           grep -q 'getpeername, getsockname        new' '$T/lab-5.txt' &&
           grep -qE 'the deadline  .* timeouts of 19[0-9] ' '$T/lab-5.txt' &&
           grep -qE 'who closes the socket  .*thread [0-9]+ \\(the main thread is [0-9]+\\)' '$T/lab-5.txt'"

# Lab 6: eBPF stacks of the socket's close, from closesnoop, with two witnesses.
timeout --foreground -k 2 60 scripts/lab.sh 6 >"$T/lab-6.txt" 2>&1 </dev/null
rc=$?
check "lab-6 succeeds and its summary fits a projector" "exit $rc, $(wc -l <"$T/lab-6.txt") lines, $(widest "$T/lab-6.txt") columns" \
  bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$T/lab-6.txt') -le 30 ] && [ $(widest "$T/lab-6.txt") -le 100 ]"
check "lab-6: c-deadline's socket close goes __close, fetch (from CFI), client_main, main" \
  "$(cat "$OUT/lab-6/c-deadline.socket-close.txt")" \
  bash -c "grep -A4 ' socket\$' '$OUT/lab-6/c-deadline.socket-close.txt' | tr -s ' ' | tr '\n' '|' |
           grep -qE '__close\+0x[0-9a-f]+ \(libc.so.6\)\| fetch\+0x[0-9a-f]+ \[from CFI\]\| client_main\+0x[0-9a-f]+\| main\+'"
# (readLoop's read closes it; about 1 run in 30, the main goroutine's cancelRequest)
check "lab-6: go-client's socket close comes from FD.destroy, in readLoop or cancelRequest" \
  "$(cat "$OUT/lab-6/go-client.socket-close.txt")" \
  bash -c "grep -q 'internal/poll.(\*FD).destroy+' '$OUT/lab-6/go-client.socket-close.txt' &&
           grep -qE 'net/http.\(\*persistConn\).(readLoop|cancelRequest)\+' '$OUT/lab-6/go-client.socket-close.txt'"
check "lab-6: folded stacks written, one 'comm;frames count' per line" "$(head -c 300 "$OUT/lab-6/go-client.folded")" \
  bash -c "[ -s '$OUT/lab-6/go-client.folded' ] && [ -s '$OUT/lab-6/c-deadline.folded' ] &&
           ! grep -qvE '^[^ ;]+(;[^;]+)* [0-9]+\$' '$OUT/lab-6/go-client.folded' '$OUT/lab-6/c-deadline.folded' &&
           grep -q ';internal/poll.(\*FD).destroy;' '$OUT/lab-6/go-client.folded'"
check "lab-6: strace -k witnesses fetch in C and FD.destroy in Go too" "" \
  bash -c "grep -q '(fetch+' '$OUT/lab-6/c-deadline.strace-k' && grep -q 'FD).destroy' '$OUT/lab-6/go-client.strace-k'"

check "lab-6: no eBPF program and no tracer left behind" "$(bpftool prog show 2>/dev/null | grep -E 'handle_close|handle_exec')" \
  bash -c "! bpftool prog show | grep -qE 'handle_close|handle_exec' && ! pgrep -x bpftrace >/dev/null && ! pgrep -x closesnoop >/dev/null"

# Lab 7: cancel during the body, both chains, who closes Go's socket.
start=$(date +%s%N)
timeout --foreground -k 2 60 scripts/lab.sh 7 >"$T/lab-7.txt" 2>&1 </dev/null
rc=$? ms=$((($(date +%s%N) - start) / 1000000))
check "lab-7 succeeds in under 10 s and its summary fits a projector (${ms} ms)" \
  "exit $rc, $(wc -l <"$T/lab-7.txt") lines, $(widest "$T/lab-7.txt") columns" \
  bash -c "[ $rc -eq 0 ] && [ $ms -lt 10000 ] && [ \$(wc -l <'$T/lab-7.txt') -le 30 ] && [ $(widest "$T/lab-7.txt") -le 100 ]"
check "lab-7: both clients end with context canceled, mid-body" "$(grep result: "$T/lab-7.txt")" \
  bash -c "[ \$(grep -cE 'result: error=\"context canceled\" bytes=[1-9][0-9]* ' '$T/lab-7.txt') -eq 2 ]"
expect_story "lab-7: c-cancel's chain: context_cancel, on_context_done, close_connection, DEL, close" \
  "$OUT/lab-7/c-cancel.chain" 'context_cancel' 'on_context_done' 'close_connection' \
  'epoll_ctl\(EPOLL_CTL_DEL, fd [0-9]+\)' 'close\(fd [0-9]+\)'
expect_story "lab-7: go-client's chain: cancel, cancelRequest x2, closeLocked, destroy, DEL, close" \
  "$OUT/lab-7/go-client.chain" 'context\.\(\*cancelCtx\)\.cancel' 'net/http\.\(\*Transport\)\.cancelRequest' \
  'net/http\.\(\*persistConn\)\.cancelRequest' 'closeLocked' 'internal/poll\.\(\*FD\)\.destroy fd 6' \
  'epoll_ctl\(EPOLL_CTL_DEL, fd 6\)' 'close\(fd 6\)'
check "lab-7: 10 runs of go-client, each close classified" "$(grep -A3 'in 10 runs' "$T/lab-7.txt")" \
  bash -c "grep -A3 'in 10 runs' '$T/lab-7.txt' | grep -oE '^ +[0-9]+ |;  [0-9]+ ' | tr -dc '0-9\n' |
           awk '{ s += \$1 } END { exit !(s == 10) }'"
check "lab-7: no eBPF program left behind" "$(bpftool prog show 2>/dev/null | grep -E 'cc_|handle_')" \
  bash -c "! bpftool prog show | grep -qE ' cc_(uprobe|close|epoll_ctl) | handle_(close|exec) '"

# A second run gives byte-identical stories.
mkdir -p "$T/first"
for n in 1 2 3 4 5; do cp -r "$OUT/lab-$n" "$T/first/"; done
for n in 1 2 3 4 5; do
  timeout --foreground -k 2 60 scripts/lab.sh "$n" >/dev/null 2>&1 </dev/null
  for story in "$T/first/lab-$n"/*.story; do
    name=lab-$n/$(basename "$story")
    check "second run: $name is identical" "$(diff "$story" "$OUT/$name" | head -n 6 | tr '\n' ' ')" \
      cmp -s "$story" "$OUT/$name"
  done
done

# Ctrl-C in the middle of a lab: it says so, and leaves nothing running.
env --default-signal=INT setsid scripts/lab.sh 1 >"$T/interrupted.txt" 2>&1 </dev/null &
lab_pid=$!
sleep 1
kill -INT -- "-$lab_pid"
wait "$lab_pid"
rc=$?
sleep 0.2
# (a zombie is not running: it only waits for init to collect its status)
left=$(ps -o pid=,stat= -g "$lab_pid" | awk '$2 !~ /^Z/ { printf "%s ", $1 }')
check "Ctrl-C mid-lab: exit 130, nothing of the lab left running" "exit $rc, still running: $left" \
  bash -c "[ $rc -eq 130 ] && [ -z '$left' ] && grep -q interrupted '$T/interrupted.txt'"
