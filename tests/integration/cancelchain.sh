#!/usr/bin/env bash
# cancelchain: the steps from a cancelled context to close(2), for go-client and
# c-cancel, with goroutine ids and who called each cancel. Needs root
# (tests/run.sh runs as root), bpftool and setpriv; go for the binary built
# without DWARF. Every cancelchain run is time-limited, and the group checks
# after each one that none of its eBPF programs (cc_uprobe, cc_close,
# cc_epoll_ctl) stays loaded.
source "$(dirname "$0")/../lib.sh"

CC=${CANCELCHAIN:-$BIN/cancelchain} # CANCELCHAIN: try the checks on another build
LIMIT=(timeout --foreground -k 2)
RUNS=5

# Our programs, and those loaded since the group began.
prog_ids() { bpf_prog_ids cc_uprobe cc_close cc_epoll_ctl; }
BASELINE=$(prog_ids | tr '\n' ' ')
new_progs() { bpf_new_progs "$BASELINE" cc_uprobe cc_close cc_epoll_ctl; }
# left_progs: fails, printing their ids, when new ones are still loaded once
# a run has ended (the kernel frees a program shortly after its last fd
# closes: allow it a second).
left_progs() {
  local i left
  for i in $(seq 10); do
    left=$(new_progs | tr '\n' ' ')
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  echo "$left"
  return 1
}

# A line: "<us>  tid <tid>  [g <goid>  ]<what>[  from <caller>[ (label)]]".
LINE_RE='^ *[0-9]+\.[0-9]  tid [0-9]+  (g [0-9]+  )?[^ ]'

# chain OUT STEP...: cancelchain's output OUT has lines whose "what" starts
# with each STEP, in this order; the step "destroy:PREFIX" takes the fd from
# its line ("... fd N" at the end), and the next steps must name that fd:
# "epoll_del" (epoll_ctl(EPOLL_CTL_DEL, fd N)), then "close" (close(fd N)).
# Prints the first step not found; succeeds when all were.
chain() {
  local out=$1
  shift
  awk -v n=$# '
    BEGIN { for (i = 1; i <= n; i++) want[i] = ARGV[i]; ARGC = 1; k = 1 }
    k > n { next }
    {
      what = $0; sub(/^ *[0-9]+\.[0-9] +tid [0-9]+  /, "", what); sub(/^g [0-9]+  /, "", what)
      w = want[k]
      if (w ~ /^destroy:/) {
        p = substr(w, 9)
        if (substr(what, 1, length(p)) == p && match(what, / fd -?[0-9]+$/)) {
          fd = substr(what, RSTART + 4); k++
        }
      } else if (w == "epoll_del") {
        if (what ~ "^epoll_ctl\\(EPOLL_CTL_DEL, fd " fd "\\)") k++
      } else if (w == "close") {
        if (what == "close(fd " fd ")") k++
      } else if (substr(what, 1, length(w)) == w) {
        k++
      }
    }
    END { if (k <= n) { print want[k]; exit 1 } }
  ' "$@" <"$out"
}

GO_CHAIN=('context.(*cancelCtx).cancel' 'net/http.(*Transport).cancelRequest'
  'net/http.(*persistConn).cancelRequest' 'net/http.(*persistConn).closeLocked'
  'destroy:internal/poll.(*FD).destroy' epoll_del close)
C_CHAIN=('context_cancel (as context.(*cancelCtx).cancel)' 'cancel_request (as net/http.(*Transport).cancelRequest)'
  'destroy:close_connection (as internal/poll.(*FD).destroy)' epoll_del close)

# runs NAME CHAIN_VAR CLIENT ARGS...: RUNS traced runs (CLIENT is in build/bin
# unless it is a path); sets FULL (runs with the whole chain), BAD (runs where
# cancelchain failed: exit not the client's 1, no `lost 0 events`, a line not
# in the format, or anything else on stderr but the client's result),
# MISSING (what the first run without the chain lacked), LEFT (runs after
# which a cc_* program stayed loaded).
runs() {
  local name=$1 chainvar=$2[@] client=$3 i rc miss left
  shift 3
  [[ $client == */* ]] || client=$BIN/$client
  FULL=0 BAD="" MISSING="" LEFT=""
  for i in $(seq $RUNS); do
    "${LIMIT[@]}" 20 "$CC" -- "$client" "$@" >"$T/$name.$i.out" 2>"$T/$name.$i.err" </dev/null
    rc=$?
    if [ $rc -ne 1 ] || ! grep -qx 'lost 0 events' "$T/$name.$i.err" ||
      grep -qvE "$LINE_RE" "$T/$name.$i.out" ||
      ! grep -q '^Tracing the cancel chain of pid [0-9]* (.*)\.\.\. Ctrl-C to end\.$' "$T/$name.$i.err" ||
      grep -v '^Tracing the cancel chain of\|^lost 0 events$\|^result: ' "$T/$name.$i.err" |
        grep -qv "${EXPECT_STDERR:-^$}"; then
      BAD+="run $i: exit $rc, $(tr '\n' '|' <"$T/$name.$i.err" | head -c 300); "
    fi
    if miss=$(chain "$T/$name.$i.out" "${!chainvar}"); then
      FULL=$((FULL + 1))
    elif [ -z "$MISSING" ]; then
      MISSING="run $i lacks '$miss' in order: $(tr '\n' '|' <"$T/$name.$i.out" | head -c 900)"
    fi
    left=$(left_progs) || LEFT+="run $i left $left; "
  done
}

# every_run NAME TEST: runs `TEST FILE` on each run's output $T/NAME.N.out;
# prints "run N: why" for those where it fails, nothing when all pass.
every_run() {
  local name=$1 test=$2 i why
  for i in $(seq $RUNS); do
    why=$("$test" "$T/$name.$i.out") || printf 'run %s: %s; ' "$i" "$(head -c 600 <<<"$why" | tr '\n' '|')"
  done
}

# Tests on one timeline FILE: succeed, or print why and fail.
#   go_ids: a Go timeline: every uprobe line (all but the syscalls) has a
#   goroutine id, and there is at least one.
go_ids() {
  awk '/  (close|epoll_ctl)\(/ { next }
       { n++ } !/^ *[0-9.]+  tid [0-9]+  g [0-9]+  / { print "no goroutine id: " $0; bad = 1 }
       END { if (!n) print "no uprobe line"; exit bad || !n }' "$1"
}
#   socket_close_on_g: the close(2) of the fd that internal/poll.(*FD).destroy
#   was called for is on a line with a goroutine id.
socket_close_on_g() {
  awk 'match($0, /internal\/poll\.\(\*FD\)\.destroy fd [0-9]+$/) { fd = substr($0, RSTART + 31); next }
       fd != "" && $0 ~ ("  close\\(fd " fd "\\)$") { line = $0 }
       END {
         if (line == "") { print "no close of the destroyed fd"; exit 1 }
         if (line !~ /  tid [0-9]+  g [0-9]+  close/) { print "no goroutine id: " line; exit 1 }
       }' "$1"
}
#   no_ids: a C timeline has thread ids only.
no_ids() {
  ! grep -E '  tid [0-9]+  g ' "$1"
}
#   user_cancel_after_dial: exactly one "(the user's cancel)", on a Go cancel
#   from package main, after net.(*Dialer).DialContext's deferred cancel.
user_cancel_after_dial() {
  awk '/  context\.\(\*cancelCtx\)\.cancel  from net\.\(\*Dialer\)\.DialContext$/ && !dial { dial = NR }
       /\(the user.s cancel\)$/ { n++; user = NR; line = $0 }
       END {
         if (n != 1) { print n + 0 " user cancel lines"; exit 1 }
         if (line !~ /  context\.\(\*cancelCtx\)\.cancel  from main\.[^ ]+ \(the user.s cancel\)$/) {
           print "not a cancel from main: " line; exit 1 }
         if (!dial || user < dial) { print "not after the DialContext cancel (line " dial ")"; exit 1 }
       }' "$1"
}
#   deadline_timer: exactly one "(the deadline timer)", on a cancel from
#   context.WithDeadline's timer func, and no "(the user's cancel)".
deadline_timer() {
  awk '/\(the deadline timer\)$/ { n++; line = $0 } /\(the user.s cancel\)$/ { print "a user cancel: " $0; bad = 1 }
       END {
         if (n != 1) { print n + 0 " deadline timer lines"; exit 1 }
         if (line !~ /  context\.\(\*cancelCtx\)\.cancel  from context\.WithDeadline\.func[0-9]+ \(the deadline timer\)$/) {
           print "not the WithDeadline timer: " line; exit 1 }
         exit bad
       }' "$1"
}
#   c_user_cancel: c-cancel -c: exactly one labelled cancel, the canceller's.
c_user_cancel() {
  awk '/\((the user.s cancel|the deadline timer)\)$/ { n++; line = $0 }
       END {
         if (n != 1) { print n + 0 " labelled lines"; exit 1 }
         if (line !~ /  context_cancel \(as context\.\(\*cancelCtx\)\.cancel\)  from canceller_main \(the user.s cancel\)$/) {
           print "not the canceller: " line; exit 1 }
       }' "$1" && no_ids "$1"
}
#   c_deadline_timer: c-cancel -t: exactly one labelled cancel, timer_main's.
c_deadline_timer() {
  awk '/\((the user.s cancel|the deadline timer)\)$/ { n++; line = $0 }
       END {
         if (n != 1) { print n + 0 " labelled lines"; exit 1 }
         if (line !~ /  context_cancel \(as context\.\(\*cancelCtx\)\.cancel\)  from timer_main \(the deadline timer\)$/) {
           print "not the timer: " line; exit 1 }
       }' "$1" && no_ids "$1"
}

if [ "$(id -u)" -ne 0 ] || ! command -v bpftool >/dev/null || ! command -v setpriv >/dev/null || [ ! -x "$CC" ]; then
  not_ok "cancelchain group" "needs root, bpftool, setpriv and build/bin/cancelchain (make all)"
  exit 0
fi
start_labserver || { not_ok "cancelchain group" "labserver did not start"; exit 0; }
URL=http://127.0.0.1:$PORT

# 1. go-client, cancelled 1 ms into a long body.
runs go-c GO_CHAIN go-client -q -c 1 -r 128 "$URL/hello?n=100000000"
check "cancelchain -- go-client -c 1: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
echo "# go-client -c 1 /hello: the full chain in $FULL of $RUNS runs"
check "go-client -c 1: cancelCtx.cancel, Transport.cancelRequest, persistConn.cancelRequest, closeLocked, FD.destroy, EPOLL_CTL_DEL and close of its fd, in order, in at least one of $RUNS runs" \
  "$MISSING" [ "$FULL" -ge 1 ]
check "go-client -c 1: no cc_* program left loaded after any run" "$LEFT" [ -z "$LEFT" ]
why=$(every_run go-c go_ids)
check "go-client -c 1: every uprobe line has a goroutine id (g N), in every run" "$why" [ -z "$why" ]
why=$(every_run go-c socket_close_on_g)
check "go-client -c 1: the close(2) of the destroyed socket has a goroutine id, in every run" "$why" [ -z "$why" ]
why=$(every_run go-c user_cancel_after_dial)
check "go-client -c 1: exactly one '(the user's cancel)', a cancel from main.*, after the net.(*Dialer).DialContext one, in every run" \
  "$why" [ -z "$why" ]

# 2. go-client, its deadline passing while the server stalls.
runs go-t GO_CHAIN go-client -q -t 200 "$URL/stall"
check "cancelchain -- go-client -t 200: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
echo "# go-client -t 200 /stall: the full chain in $FULL of $RUNS runs"
check "go-client -t 200: the same chain, in order, in at least one of $RUNS runs" "$MISSING" [ "$FULL" -ge 1 ]
check "go-client -t 200: no cc_* program left loaded after any run" "$LEFT" [ -z "$LEFT" ]
why=$(every_run go-t go_ids)
check "go-client -t 200: every uprobe line has a goroutine id, in every run" "$why" [ -z "$why" ]
why=$(every_run go-t socket_close_on_g)
check "go-client -t 200: the close(2) of the destroyed socket has a goroutine id, in every run" "$why" [ -z "$why" ]
why=$(every_run go-t deadline_timer)
check "go-client -t 200: exactly one '(the deadline timer)', from context.WithDeadline's timer func, and no user's cancel, in every run" \
  "$why" [ -z "$why" ]

# 3. c-cancel, cancelled 1 ms into a long body.
runs c-c C_CHAIN c-cancel -q -c 1 -r 128 "$URL/hello?n=100000000"
check "cancelchain -- c-cancel -c 1: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
echo "# c-cancel -c 1 /hello: the full chain in $FULL of $RUNS runs"
check "c-cancel -c 1: context_cancel, cancel_request, close_connection, EPOLL_CTL_DEL and close of its fd, in order, in every run" \
  "$MISSING" [ "$FULL" -eq "$RUNS" ]
check "c-cancel: context_cancel runs again at the end (the deferred cancel), and is shown" \
  "$(tr '\n' '|' <"$T/c-c.1.out")" \
  bash -c "[ \$(grep -c '  context_cancel (as ' '$T/c-c.1.out') -ge 2 ]"
check "c-cancel -c 1: no cc_* program left loaded after any run" "$LEFT" [ -z "$LEFT" ]
why=$(every_run c-c c_user_cancel)
check "c-cancel -c 1: exactly one labelled cancel, 'from canceller_main (the user's cancel)', and no goroutine ids, in every run" \
  "$why" [ -z "$why" ]

# 3b. c-cancel, its deadline passing while the server stalls.
runs c-t C_CHAIN c-cancel -q -t 200 "$URL/stall"
check "cancelchain -- c-cancel -t 200: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
check "c-cancel -t 200: the chain, in order, in every run" "$MISSING" [ "$FULL" -eq "$RUNS" ]
check "c-cancel -t 200: no cc_* program left loaded after any run" "$LEFT" [ -z "$LEFT" ]
why=$(every_run c-t c_deadline_timer)
check "c-cancel -t 200: exactly one labelled cancel, 'from timer_main (the deadline timer)', in every run" \
  "$why" [ -z "$why" ]

# 3c. A Go binary without DWARF (go build -ldflags=-w): no goroutine ids and
#     no labels, said once on stderr; the timeline all the same.
NODWARF=$T/go-client-nodwarf
if ! command -v go >/dev/null; then
  not_ok "go-client built with -ldflags=-w" "needs go (make setup)"
elif ! (cd "$ROOT/go-reference" && CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$ROOT/build/go-cache" \
  GOPATH="$ROOT/build/gopath" HOME="$ROOT/build" go build -trimpath -ldflags=-w -o "$NODWARF" .) >"$T/nodwarf.build" 2>&1; then
  not_ok "go-client built with -ldflags=-w" "go build failed: $(head -c 300 "$T/nodwarf.build")"
elif readelf -S "$NODWARF" | grep -q '\.debug_info'; then
  not_ok "go-client built with -ldflags=-w" "it still has .debug_info"
else
  RUNS_WAS=$RUNS RUNS=2
  EXPECT_STDERR="^cancelchain: $NODWARF has no DWARF (built with -ldflags=-w?): goroutine ids and cancel labels not shown$" \
    runs nodwarf GO_CHAIN "$NODWARF" -q -c 1 -r 128 "$URL/hello?n=100000000"
  check "cancelchain -- go-client without DWARF: exits 1 as the client, 'lost 0 events', well-formed lines, nothing else on stderr but the DWARF line" \
    "$BAD" [ -z "$BAD" ]
  check "go-client without DWARF: the chain, in order, in at least one of $RUNS runs" "$MISSING" [ "$FULL" -ge 1 ]
  check "go-client without DWARF: no cc_* program left loaded after any run" "$LEFT" [ -z "$LEFT" ]
  why=$(for i in $(seq $RUNS); do
    n=$(grep -cxF "cancelchain: $NODWARF has no DWARF (built with -ldflags=-w?): goroutine ids and cancel labels not shown" "$T/nodwarf.$i.err")
    [ "$n" -eq 1 ] || echo "run $i: the DWARF line $n times: $(tr '\n' '|' <"$T/nodwarf.$i.err" | head -c 300); "
    no_ids "$T/nodwarf.$i.out" >/dev/null || echo "run $i: goroutine ids shown; "
    ! grep -q '(the user.s cancel)\|(the deadline timer)' "$T/nodwarf.$i.out" || echo "run $i: labels shown; "
    grep -q '  context\.(\*cancelCtx)\.cancel  from main\.' "$T/nodwarf.$i.out" || echo "run $i: no cancel from main.*; "
  done | tr '\n' ' ')
  check "go-client without DWARF: one line says goroutine ids and cancel labels are not shown, no g fields, no labels, callers still named" \
    "$why" [ -z "$why" ]
  RUNS=$RUNS_WAS
fi

# 4. Errors: one line, exit 2.
"${LIMIT[@]}" 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$CC" -- "$BIN/go-client" -q "$URL/hello" \
  >"$T/nobody.out" 2>"$T/nobody.err" </dev/null
rc=$?
check "cancelchain as nobody: exit 2 and the one-line privilege message" "exit $rc: $(head -c 300 "$T/nobody.err")" \
  bash -c "[ $rc -eq 2 ] && [ \"\$(cat '$T/nobody.err')\" = 'cancelchain: needs root or CAP_BPF and CAP_PERFMON to load eBPF programs: run it with sudo' ] && [ ! -s '$T/nobody.out' ]"
"${LIMIT[@]}" 10 "$CC" -- /bin/true >"$T/true.out" 2>"$T/true.err" </dev/null
rc=$?
check "cancelchain -- /bin/true: exit 2, one line naming the symbols it looked for" \
  "exit $rc: $(head -c 300 "$T/true.err")" \
  bash -c "[ $rc -eq 2 ] && [ \$(wc -l <'$T/true.err') -eq 1 ] &&
           grep -qF 'context.(*cancelCtx).cancel' '$T/true.err' && grep -qF 'context_cancel' '$T/true.err'"

# 4b. A script whose #! interpreter is missing: named, exit 127, before
#     anything is attached or printed.
printf '#!/nonexistent/interp\necho hi\n' >"$T/bad-shebang"
chmod +x "$T/bad-shebang"
"${LIMIT[@]}" 10 "$CC" -- "$T/bad-shebang" >"$T/shebang.out" 2>"$T/shebang.err" </dev/null
rc=$?
left=$(left_progs)
check "cancelchain -- a script whose #! interpreter is missing: exit 127, one line naming it, nothing attached" \
  "exit $rc, still loaded: $left: $(head -c 300 "$T/shebang.err")" \
  bash -c "[ $rc -eq 127 ] && [ \$(wc -l <'$T/shebang.err') -eq 1 ] && [ ! -s '$T/shebang.out' ] &&
           grep -qx \"cancelchain: cannot run '.*/bad-shebang': its interpreter /nonexistent/interp does not exist\" '$T/shebang.err' &&
           [ -z '$left' ]"

# 4c. A path with terminal escapes in it: shown escaped, no control byte.
EVIL_CMD="$T/run$(printf '\033]0;pwn\007\033[2J')"
cp /bin/true "$EVIL_CMD"
"${LIMIT[@]}" 10 "$CC" -- "$EVIL_CMD" >"$T/evil.out" 2>"$T/evil.err" </dev/null
rc=$?
ctl=$(cat "$T/evil.out" "$T/evil.err" | LC_ALL=C tr -d '\n\t\040-\176\200-\377' | wc -c)
check "cancelchain -- a path with ESC and BEL: exit 2, the path shown escaped, no control byte" \
  "exit $rc, $ctl control bytes: $(head -c 300 "$T/evil.err" | cat -v)" \
  bash -c "[ $rc -eq 2 ] && [ $ctl -eq 0 ] && grep -qF 'run\x1b]0;pwn\x07\x1b[2J has neither' '$T/evil.err'"

# 5. -p PID: attach to a running go-client. (a) it waits on a stalled server
#    for 1.5 s: the chain shows, and cancelchain ends with the process.
"$BIN/go-client" -q -t 1500 "$URL/stall" >/dev/null 2>&1 </dev/null &
client=$!
started_pids+=("$client")
"${LIMIT[@]}" 20 "$CC" -p "$client" >"$T/p.out" 2>"$T/p.err" </dev/null
rc=$?
wait "$client" 2>/dev/null
miss=$(chain "$T/p.out" "${GO_CHAIN[@]}")
check "cancelchain -p: the chain of a running go-client, then exit 0 when it ends" \
  "exit $rc, lacks '$miss': $(tr '\n' '|' <"$T/p.out" | head -c 600) stderr: $(tr '\n' '|' <"$T/p.err")" \
  bash -c "[ $rc -eq 0 ] && [ -z '$miss' ] && grep -qx 'lost 0 events' '$T/p.err'"

#    (b) SIGINT while the client still waits: exit 0, nothing left loaded.
"$BIN/go-client" -q -t 15000 "$URL/stall" >/dev/null 2>&1 </dev/null &
client=$!
started_pids+=("$client")
"${LIMIT[@]}" 20 "$CC" -p "$client" >"$T/int.out" 2>"$T/int.err" </dev/null &
wrap=$!
started_pids+=("$wrap")
ccpid=
for i in $(seq 100); do
  [ -z "$ccpid" ] && ccpid=$(pgrep -P "$wrap" -x cancelchain)
  grep -q '^Tracing the cancel chain of pid .*Ctrl-C to end\.$' "$T/int.err" && [ -n "$ccpid" ] && break
  sleep 0.05
done
loaded=$(new_progs | wc -l)
check "cancelchain -p: its 3 programs (cc_uprobe, cc_close, cc_epoll_ctl) are loaded while it runs" \
  "bpftool shows $loaded new cc_* programs; stderr: $(head -c 300 "$T/int.err")" [ "$loaded" -eq 3 ]
kill -INT "$ccpid" 2>/dev/null
wait "$wrap"
rc=$?
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
check "SIGINT on cancelchain -p: exit 0 and 'lost N events'" "exit $rc: $(tr '\n' '|' <"$T/int.err")" \
  bash -c "[ $rc -eq 0 ] && grep -qE '^lost [0-9]+ events$' '$T/int.err'"
left=$(new_progs | tr '\n' ' ')
check "after SIGINT: no cc_uprobe, cc_close or cc_epoll_ctl left in bpftool prog show" "still loaded: $left" \
  [ -z "$left" ]
