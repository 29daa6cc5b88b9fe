#!/usr/bin/env bash
# The syscall story of each stage, under strace with a syscall filter: the
# key calls must appear in this order.
source "$(dirname "$0")/../lib.sh"

start_labserver || exit 1
URL=http://127.0.0.1:$PORT
SYSCALLS=$("$BIN/tracediff" syscalls),clock_nanosleep # the labs' list

# trace NAME CLIENT ARGS...: strace the client into $T/NAME.trace; sets S to
# the fd its socket() returned.
trace() {
  local name=$1
  shift
  timeout --foreground -k 2 "$CLIENT_TIMEOUT" strace -qq -o "$T/$name.trace" -e trace=$SYSCALLS "$BIN/$@" \
    >/dev/null 2>"$T/$name.err" </dev/null
  TRACE=$T/$name.trace
  sed -E -i 's/\) +=/) =/' "$TRACE" # strace pads results into a column
  S=$(sed -n 's/^socket(.*) = \([0-9]*\)$/\1/p' "$TRACE" | head -n 1)
  [ -n "$S" ] || S=NONE
}

trace blocking-ok c-blocking "$URL/ok"
expect_story "c-blocking /ok: socket, connect, write, read, close" "$TRACE" \
  '^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = [0-9]+$' \
  "^connect\\($S, \\{sa_family=AF_INET, sin_port=htons\\($PORT\\).* = 0$" \
  "^write\\($S, \"GET /ok HTTP/1.1\\\\r\\\\n" \
  "^read\\($S, \"HTTP/1.1 200 OK" \
  "^close\\($S\\) = 0$"

# Stopped after a second while blocked: the last call is a read that never
# returned a result of its own (strace shows "= ?" or unfinished).
CLIENT_TIMEOUT=1 trace blocking-stall c-blocking "$URL/stall"
last_call=$(grep -v '^+++\|^---' "$TRACE" | tail -n 1)
check "c-blocking /stall: the trace ends in a read that never returned" "last call: $last_call" \
  awk -v s="$S" -v line="$last_call" 'BEGIN { exit !(index(line, "read(" s ", ") == 1 && line !~ / = -?[0-9]+/) }'

trace nonblock-stall c-nonblock -t 200 "$URL/stall"
expect_story "c-nonblock -t 200 /stall: EINPROGRESS, EAGAIN and sleep, close" "$TRACE" \
  '^socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK, IPPROTO_IP\) = [0-9]+$' \
  "^connect\\($S, .* = -1 EINPROGRESS" \
  "^connect\\($S, .* = (0|-1 EISCONN)" \
  "^write\\($S, \"GET /stall HTTP/1.1" \
  "^read\\($S, .* = -1 EAGAIN" \
  '^clock_nanosleep\(CLOCK_MONOTONIC, 0, \{tv_sec=0, tv_nsec=1000000\}' \
  "^read\\($S, .* = -1 EAGAIN" \
  "^close\\($S\\) = 0$"
check "c-nonblock: no epoll at all" "found epoll calls" bash -c "! grep -q '^epoll' '$TRACE'"

trace nonblock-spin c-nonblock --spin -t 100 "$URL/stall"
check "c-nonblock --spin: EAGAINs without sleeping" "$(grep -c EAGAIN "$TRACE") EAGAINs, $(grep -c clock_nanosleep "$TRACE") sleeps" \
  bash -c "[ \$(grep -c EAGAIN '$TRACE') -gt 10 ] && ! grep -q clock_nanosleep '$TRACE'"

trace epoll-ok c-epoll "$URL/ok"
expect_story "c-epoll /ok: the blog's epoll sequence" "$TRACE" \
  '^socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK, IPPROTO_IP\) = [0-9]+$' \
  "^connect\\($S, .* = -1 EINPROGRESS" \
  '^epoll_create1\(0\) = [0-9]+$' \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_ADD, $S, \\{events=EPOLLOUT," \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLOUT, data=\\{u32=$S," \
  "^getsockopt\\($S, SOL_SOCKET, SO_ERROR, \\[0\\], \\[4\\]\\) = 0" \
  "^write\\($S, \"GET /ok HTTP/1.1" \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_MOD, $S, \\{events=EPOLLIN," \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLIN, data=\\{u32=$S," \
  "^read\\($S, \"HTTP/1.1 200 OK" \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_DEL, $S, NULL\\) = 0" \
  "^close\\($S\\) = 0$"
check "c-epoll /ok: waits before its first read, so no EAGAIN" "$(grep -c EAGAIN "$TRACE") EAGAIN" \
  bash -c "! grep -q 'EAGAIN' '$TRACE'"

trace epoll-trickle c-epoll "$URL/trickle?ms=20&n=3"
expect_story "c-epoll /trickle: read until EAGAIN, wait, read again" "$TRACE" \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_MOD, $S, \\{events=EPOLLIN," \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLIN, data=\\{u32=$S," \
  "^read\\($S, \"HTTP/1.1 200 OK" \
  "^read\\($S, .* = -1 EAGAIN" \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLIN, data=\\{u32=$S," \
  "^read\\($S, \"[a-z]\", 128\\) = 1$" \
  "^read\\($S, .* = -1 EAGAIN" \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLIN, data=\\{u32=$S," \
  "^read\\($S, \"[a-z]\", 128\\) = 1$" \
  "^close\\($S\\) = 0$"

trace deadline-stall c-deadline -t 200 "$URL/stall"
T_FD=$(sed -n 's/^timerfd_create(CLOCK_MONOTONIC, 0) = \([0-9]*\)$/\1/p' "$TRACE")
expect_story "c-deadline -t 200 /stall: the deadline ends the wait, then DEL and close" "$TRACE" \
  '^socket\(AF_INET, SOCK_STREAM\|SOCK_NONBLOCK, IPPROTO_IP\) = [0-9]+$' \
  "^connect\\($S, .* = -1 EINPROGRESS" \
  "^timerfd_settime\\(${T_FD:-NONE}, TFD_TIMER_ABSTIME, " \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_ADD, $S, \\{events=EPOLLOUT," \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLOUT, data=\\{u32=$S," \
  "^getsockopt\\($S, SOL_SOCKET, SO_ERROR, \\[0\\], \\[4\\]\\) = 0" \
  "^write\\($S, \"GET /stall HTTP/1.1" \
  "^read\\($S, .* = -1 EAGAIN" \
  "^epoll_wait\\([0-9]+, \\[\\{events=EPOLLIN, data=\\{u32=${T_FD:-NONE}," \
  "^epoll_ctl\\([0-9]+, EPOLL_CTL_DEL, $S, NULL\\) = 0" \
  "^close\\($S\\) = 0$"
check "c-deadline -t 200 /stall: result under strace" "$(tail -n 1 "$T/deadline-stall.err")" \
  grep -q '^result: error="context deadline exceeded"' "$T/deadline-stall.err"

trace deadline-ok c-deadline -t 5000 "$URL/ok"
expect_story "c-deadline -t 5000 /ok: the timer never fires" "$TRACE" \
  "^read\\($S, \"HTTP/1.1 200 OK" "^epoll_ctl\\([0-9]+, EPOLL_CTL_DEL, $S, NULL\\) = 0" "^close\\($S\\) = 0$"
check "c-deadline -t 5000 /ok: no wait ended by the timer" "the timer fired" \
  bash -c "! grep -q 'epoll_wait.*data={u32=${T_FD:-NONE},' '$TRACE'"
