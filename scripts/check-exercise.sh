#!/usr/bin/env bash
# scripts/check-exercise.sh N [FILE]: checks exercise N (1-5, docs/exercises/N.md).
# Builds FILE (default exercises/work/NAME.c, copied from the stage's file
# first when it does not exist) with the stage clients' flags and lib, runs
# it against a labserver of its own under strace with tracediff's syscall
# list, turns the trace into a story (tracediff normalize --calls --all) and
# checks that the phases the exercise is about are there, in order, and the
# result line. On a failure it says which phase is missing and gives one
# hint. Exit 0 pass, 1 fail, 2 usage (or nothing built to check with).
# The files of the last run: out/exercises/N/ (EXERCISE_OUT overrides).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/build/bin

usage() {
  echo "usage: scripts/check-exercise.sh N [FILE]   (N = 1..5; see docs/exercises/README.md)" >&2
  exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
case $1 in 1 | 2 | 3 | 4 | 5) N=$1 ;; *) usage ;; esac

# exercise -> work file name, starter (the stage file), what it runs
case $N in
  1) NAME=1-read-first STARTER=clients/03-epoll.c ARGS=(-q '/trickle?ms=20&n=3') ;;
  2) NAME=2-rcvtimeo STARTER=clients/01-blocking.c ARGS=(-q -t 200 /stall) ;;
  3) NAME=3-pwait2 STARTER=clients/04-deadline.c ARGS=(-q -t 200 /stall) ;;
  4) NAME=4-eventfd-cancel STARTER=clients/03-epoll.c ARGS=(-q -c 50 '/trickle?ms=20&n=20') ;;
  5) NAME=5-close-elsewhere STARTER=clients/05-cancel.c ARGS=(-q -c 1 /hello) ;;
esac
STOP_AFTER=3 # seconds: a run still going then is stopped (a wait that never ends)

FILE=${2:-$ROOT/exercises/work/$NAME.c}
if [ $# -eq 1 ] && [ ! -e "$FILE" ]; then
  mkdir -p "$(dirname "$FILE")" && cp "$ROOT/$STARTER" "$FILE" || exit 2
  echo "exercise $N: exercises/work/$NAME.c did not exist: copied the starter ($STARTER) there; change it as docs/exercises/$N.md says"
fi
[ -r "$FILE" ] || { echo "exercise $N: cannot read $FILE" >&2; exit 2; }

for tool in "$BIN/labserver" "$BIN/tracediff"; do
  [ -x "$tool" ] || { echo "exercise $N: $tool is missing; run make first" >&2; exit 2; }
done
# The stage clients' compiler, flags and lib, from the Makefile (make passes
# them; run by hand, ask it), so an exercise is built as the stages are.
if [ -z "${CFLAGS:-}" ]; then
  flags=$(make -s --no-print-directory -C "$ROOT" exercise-build-flags) || exit 2
  CC=${flags%%|*}
  flags=${flags#*|}
  CFLAGS=${flags%%|*}
  STACK_FLAGS=
  CLIENT_LIB_OBJ=${flags#*|}
fi
CC=${CC:-cc}
read -r -a LIB_OBJ <<<"$CLIENT_LIB_OBJ"
for obj in "${LIB_OBJ[@]}"; do
  [ -r "$ROOT/$obj" ] || [ -r "$obj" ] || { echo "exercise $N: $obj is missing; run make first" >&2; exit 2; }
done

OUT=${EXERCISE_OUT:-$ROOT/out/exercises/$N}
rm -rf "$OUT" && mkdir -p "$OUT" || exit 2
show=${OUT#"$ROOT"/}

# --- build, with the stage clients' flags and lib --------------------------
cd "$ROOT" || exit 2
# shellcheck disable=SC2086 # the flags are words
if ! $CC $CFLAGS $STACK_FLAGS -Iclients "$FILE" "${LIB_OBJ[@]}" -pthread -o "$OUT/$NAME" 2>"$OUT/build.log"; then
  echo "exercise $N: FAIL: $FILE does not build:"
  head -n 20 "$OUT/build.log" | sed 's/^/  /'
  exit 1
fi

# --- run it against a labserver of our own, under strace -------------------
# The labs' helpers: the labserver, the processes to stop, the calls to trace.
source "$ROOT/scripts/labs/common.sh"
trap lab_stop_all EXIT
trap 'echo; echo "exercise $N: interrupted; everything it started is stopped"; exit 130' INT TERM

lab_start_labserver 2>"$OUT/labserver.why" ||
  { echo "exercise $N: $(cat "$OUT/labserver.why")" >&2; exit 2; }
URL=$URL${ARGS[-1]}
unset 'ARGS[-1]'

# -I2: a Ctrl-C ends strace and its tracee too.
strace -f -I2 -qq -e signal=none -e trace="$STRACE_CALLS" -o "$OUT/trace" \
  "$OUT/$NAME" "${ARGS[@]}" "$URL" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null &
tracer=$!
lab_started "$tracer"
stopped=
for _ in $(seq $((STOP_AFTER * 20))); do
  kill -0 "$tracer" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$tracer" 2>/dev/null; then
  # The tracee is strace's child: stop it, and strace ends by itself.
  child=$(pgrep -P "$tracer" | head -n 1)
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  stopped=" (still running after ${STOP_AFTER} s: stopped)"
fi
lab_wait "$tracer"
RC=$?
lab_stop_all
"$BIN/tracediff" normalize "$OUT/trace" >"$OUT/story"
"$BIN/tracediff" normalize --calls --all "$OUT/trace" >"$OUT/calls"
RESULT=$(grep '^result:' "$OUT/stderr" | tail -n 1)
LAST_ERR=$(tail -n 1 "$OUT/stderr")

# --- verdicts ---------------------------------------------------------------
fail() { # fail WHAT HINT: the missing phase, one hint; exit 1
  echo "exercise $N: FAIL: missing $1"
  echo "  hint: $2"
  echo "  run:  $(basename "$FILE") ${ARGS[*]} ${URL#http://127.0.0.1:"$PORT"}$stopped; ${RESULT:-${LAST_ERR:-no output}}"
  echo "  files: $show/ (story: the story; calls: each call with its thread)"
  exit 1
}
pass() {
  echo "exercise $N: PASS ($1)"
  exit 0
}

# first_after FROM_ERE ERE: the first call line (of calls) matching ERE after
# the first one matching FROM_ERE ("" = from the start); empty when none.
first_after() {
  awk -v from="$1" -v re="$2" 'from == "" || seen { if ($0 ~ re) { print; exit } } $0 ~ from { seen = 1 }' "$OUT/calls"
}
# in_order LABEL ERE HINT ...: each ERE (on call lines "TID PHASE CALL")
# matches a line after the previous one's; the first that does not fails.
in_order() {
  local after=0 line
  while [ $# -ge 3 ]; do
    line=$(awk -v after="$after" -v re="$2" 'NR > after && $0 ~ re { print NR; exit }' "$OUT/calls")
    [ -n "$line" ] || fail "$1" "$3"
    after=$line
    shift 3
  done
}
usage_refused() { # the run ended at a usage error
  [ "$RC" -eq 2 ] && [ -z "$RESULT" ]
}
want_result() { # want_result ERE WHAT HINT
  [[ $RESULT =~ $1 ]] || fail "$2 (the result line is: ${RESULT:-none})" "$3"
}
call() { sed -E 's/^[^ ]+ +[^ ]+ +//' <<<"$1"; } # the CALL of a calls line

P='^[^ ]+ ' # a calls line's TID column
case $N in
  1)
    in_order "send: the request" "$P"'send +write\(SOCK, "GET ' "the request must go out as in stage 3; only the reading changes"
    first=$(first_after "$P"'send ' "$P"'(read|wait-readable) ')
    [[ $first =~ ^[^\ ]+\ +read ]] || fail "read: a read before the first wait-readable (after send, the story goes straight to: $(call "$first"))" \
      "Go's (*FD).Read calls read(2) first and parks in the poller only when it says EAGAIN; look at what your file does between the EPOLL_CTL_MOD and the read loop"
    bad=$(awk '$2 == "wait-readable" && prev !~ /^[^ ]+ +read .*= -1 EAGAIN/ { print NR; exit } $2 == "read" || $2 == "wait-readable" { prev = $0 }' "$OUT/calls")
    [ -z "$bad" ] || fail "read: a read = -1 EAGAIN right before each wait-readable (line $bad of calls)" \
      "wait only when a read has just said there is nothing yet (EAGAIN)"
    in_order "wait-readable: a wait after EAGAIN" "$P"'wait-readable ' "/trickle sends a byte every 20 ms: the loop must wait between them"
    want_result '^result: ok status=200 ' "result: ok status=200" "the body must still arrive whole"
    eagain=$(awk '$2 == "wait-readable" { print prev; exit } $2 == "read" { prev = $0 }' "$OUT/calls")
    pass "read before wait: $(call "$eagain") then wait-readable; $RESULT"
    ;;
  2)
    usage_refused && fail "socket: the run stopped at a usage error: $LAST_ERR" \
      "a stage accepts -t only if its struct client_stage lists FEATURE_DEADLINE"
    in_order "create: a blocking socket" "$P"'create +socket\(.*SOCK_STREAM, ' \
      "keep the socket blocking: no SOCK_NONBLOCK, no epoll; the kernel's timeout does the waiting" \
      "configure: setsockopt(SOCK, SOL_SOCKET, SO_RCVTIMEO...) before the read" "$P"'configure +setsockopt\(SOCK, SOL_SOCKET, SO_RCVTIMEO' \
      "setsockopt(SOL_SOCKET, SO_RCVTIMEO) takes a struct timeval: how long the next read may sleep; deadline_time_left() says how long is left" \
      "read: read(SOCK, ...) = -1 EAGAIN (the timeout ran out)" "$P"'read +read\(SOCK, .*= -1 EAGAIN' \
      "a read whose SO_RCVTIMEO runs out returns -1 EAGAIN; set it before each read, not once" \
      "close: close(SOCK)" "$P"'close +close\(SOCK\)' "the socket must be closed on every way out"
    poller=$(grep -m 1 -E "$P"'(register|wait-readable|wait-writable|deadline|wait|poll) ' "$OUT/calls")
    [ -z "$poller" ] || fail "nothing: no epoll or poll in this exercise, found $(call "$poller")" \
      "the point is to let the socket's own timeout wait: no epoll, no poll, no timer fd"
    want_result '^result: error="context deadline exceeded" ' 'result: error="context deadline exceeded"' \
      "a read that fails with EAGAIN after the timeout is the deadline: report CLIENT_DEADLINE_EXCEEDED"
    pass "blocking read with SO_RCVTIMEO: $(call "$(first_after "" "$P"'read +read\(SOCK, .*EAGAIN')"), no epoll; $RESULT"
    ;;
  3)
    in_order "deadline: epoll_pwait2(EPFD, [], 1, T, ...) = 0, a wait whose timeout ran out" "$P"'deadline +epoll_pwait2\(EPFD, \[\], [0-9]+, T, .*\) = 0' \
      "epoll_pwait2 takes its timeout as a struct timespec: pass the time left until the deadline (deadline_time_left) and read a return of 0 as the deadline" \
      "deregister: EPOLL_CTL_DEL of SOCK after the deadline" "$P"'deregister +epoll_ctl\(EPFD, EPOLL_CTL_DEL, SOCK' \
      "after the deadline, deregister the socket, then close it, as stage 4 does" \
      "close: close(SOCK)" "$P"'close +close\(SOCK\)' "close the socket after its EPOLL_CTL_DEL"
    timer=$(grep -m 1 -E 'timerfd_(create|settime)' "$OUT/calls")
    [ -z "$timer" ] || fail "nothing: no timer fd once the wait keeps the time, found $(call "$timer")" \
      "with the deadline as epoll_pwait2's timeout the timerfd has nothing left to do"
    want_result '^result: error="context deadline exceeded" ' 'result: error="context deadline exceeded"' \
      "a wait that returned 0 is the deadline: report CLIENT_DEADLINE_EXCEEDED"
    raw=$(grep -E 'epoll_pwait2\(.*\) += 0$' "$OUT/trace" | tail -n 1 | sed -E 's/^[0-9]+ +//; s/ +=/ =/')
    pass "deadline in the wait: $raw, no timerfd; $RESULT"
    ;;
  4)
    usage_refused && fail "eventfd2: the run stopped at a usage error: $LAST_ERR" \
      "a stage accepts -c only if its struct client_stage lists FEATURE_CANCEL; opts->cancel_ms then holds MS"
    in_order "create: eventfd2(...) = WAKE, the cancel's fd" "$P"'create +eventfd2\(' \
      "an eventfd (eventfd(2)) is the fd a cancel writes to; create it before the socket" \
      "register: epoll_ctl(EPFD, EPOLL_CTL_ADD, WAKE, ...), the cancel in the epoll set" "$P"'register +epoll_ctl\(EPFD, EPOLL_CTL_ADD, WAKE' \
      "put the eventfd in the same epoll set as the socket, watched for EPOLLIN" \
      "read: a body read" "$P"'read +read\(SOCK, [^)]*\) = N' "the cancel is started after the first body byte" \
      "wake: write(WAKE, ...), the cancel (from another thread, MS ms after the first body byte)" "$P"'wake +write\(WAKE, ' \
      "after the first body byte start a thread that waits -c MS and then writes 8 bytes (a uint64_t 1) to the eventfd" \
      "wake: epoll_wait returning WAKE, the wait the cancel ended" "$P"'wake +epoll_wait\(EPFD, \[\{events=EPOLLIN, data=WAKE\}\]' \
      "the loop must be waiting on the eventfd too when the cancel comes: epoll_wait then returns the eventfd's data" \
      "deregister: EPOLL_CTL_DEL of SOCK after the cancel" "$P"'deregister +epoll_ctl\(EPFD, EPOLL_CTL_DEL, SOCK' \
      "on a cancel, leave the loop and deregister then close the socket" \
      "close: close(SOCK)" "$P"'close +close\(SOCK\)' "close the socket after its EPOLL_CTL_DEL"
    want_result '^result: error="context canceled" ' 'result: error="context canceled"' \
      "a wait that returned the eventfd is a cancel: report CLIENT_CANCELED"
    canceller=$(first_after "" "$P"'wake +write\(WAKE, ' | cut -d ' ' -f 1)
    loop=$(first_after "" "$P"'create +socket\(' | cut -d ' ' -f 1)
    [ "$canceller" != "$loop" ] || fail "wake: the cancel's write(WAKE) from a thread other than the loop's" \
      "the cancel comes from another thread (pthread_create), as Go's cancel() comes from another goroutine"
    pass "cancel through an eventfd: write(WAKE) on thread $canceller, epoll_wait returned WAKE on thread $loop; $RESULT"
    ;;
  5)
    in_order "deadline: the canceller's poll(WAKE, ...) = 0, its -c wait" "$P"'deadline +poll\(\[\{fd=WAKE' \
      "keep stage 5's canceller thread: it waits -c MS on the done fd, then cancels"
    canceller=$(first_after "" "$P"'deadline +poll\(\[\{fd=WAKE' | cut -d ' ' -f 1)
    closer=$(first_after "" "$P"'close +close\(SOCK\)' | cut -d ' ' -f 1)
    [ -n "$closer" ] || fail "close: close(SOCK)" "the socket must be closed once, by the canceller"
    del=$(first_after "" "$P"'deregister +epoll_ctl\(EPFD, EPOLL_CTL_DEL, SOCK' | cut -d ' ' -f 1)
    [ "$closer" = "$canceller" ] && [ "$del" = "$canceller" ] ||
      fail "close: EPOLL_CTL_DEL and close(SOCK) on the canceller's thread ($canceller); thread $closer closed it" \
        "in c-cancel the close happens in cancel_request, which the loop calls; the canceller thread runs canceller_main"
    n_close=$(grep -cE "$P"'close +close\(SOCK\)' "$OUT/calls")
    [ "$n_close" -eq 1 ] || fail "close: one close(SOCK), found $n_close" "once the canceller closed the socket the loop must not close it again"
    again=$(grep -m 1 -E '^[0-9]+ +close\([0-9]+\) += -1 EBADF' "$OUT/trace")
    [ -z "$again" ] || fail "close: a single close of the socket's number; found ${again#* }" \
      "the loop closed the socket's number a second time: it must learn that the canceller already did"
    want_result '^result: error="context canceled" ' 'result: error="context canceled"' \
      "whatever the loop's last read said, a done context's error is the result (stage 5's condfn)"
    ebadf=$(grep -cE '^[0-9]+ +read\([0-9]+, .*= -1 EBADF' "$OUT/trace")
    pass "the canceller's thread $canceller deregistered and closed SOCK; the loop's reads that got EBADF: $ebadf; $RESULT"
    ;;
esac
