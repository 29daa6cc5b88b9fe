#!/usr/bin/env bash
# cancelchain: the steps from a cancelled context to close(2), for go-client and
# c-cancel. Needs root (tests/run.sh runs as root), bpftool and setpriv. Every
# cancelchain run is time-limited, and the group checks that none of its eBPF
# programs (cc_uprobe, cc_close, cc_epoll_ctl) stays loaded.
source "$(dirname "$0")/../lib.sh"

CC=${CANCELCHAIN:-$BIN/cancelchain} # CANCELCHAIN: try the checks on another build
LIMIT=(timeout --foreground -k 2)
RUNS=5

# Our programs, and those loaded since the group began.
prog_ids() { bpf_prog_ids cc_uprobe cc_close cc_epoll_ctl; }
BASELINE=$(prog_ids | tr '\n' ' ')
new_progs() { bpf_new_progs "$BASELINE" cc_uprobe cc_close cc_epoll_ctl; }

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
      what = $0; sub(/^ *[0-9]+\.[0-9] +tid [0-9]+  /, "", what)
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
C_CHAIN=('context_cancel (as context.(*cancelCtx).cancel)' 'on_context_done (as net/http.(*Transport).cancelRequest)'
  'destroy:close_connection (as internal/poll.(*FD).destroy)' epoll_del close)

# runs NAME CHAIN_VAR CLIENT ARGS...: RUNS traced runs; sets FULL (runs with
# the whole chain), BAD (runs where cancelchain failed: exit not the client's
# 1, no `lost 0 events`, or a line not in the format), MISSING (what the first
# run without the chain lacked).
runs() {
  local name=$1 chainvar=$2[@] i rc miss
  shift 2
  FULL=0 BAD="" MISSING=""
  for i in $(seq $RUNS); do
    "${LIMIT[@]}" 20 "$CC" -- "$BIN/$1" "${@:2}" >"$T/$name.$i.out" 2>"$T/$name.$i.err" </dev/null
    rc=$?
    if [ $rc -ne 1 ] || ! grep -qx 'lost 0 events' "$T/$name.$i.err" ||
      grep -qvE '^ *[0-9]+\.[0-9]  tid [0-9]+  [^ ]' "$T/$name.$i.out" ||
      ! grep -q '^Tracing the cancel chain of pid [0-9]* (.*)\.\.\. Ctrl-C to end\.$' "$T/$name.$i.err"; then
      BAD+="run $i: exit $rc, $(tr '\n' '|' <"$T/$name.$i.err" | head -c 300); "
    fi
    if miss=$(chain "$T/$name.$i.out" "${!chainvar}"); then
      FULL=$((FULL + 1))
    elif [ -z "$MISSING" ]; then
      MISSING="run $i lacks '$miss' in order: $(tr '\n' '|' <"$T/$name.$i.out" | head -c 900)"
    fi
  done
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

# 2. go-client, its deadline passing while the server stalls.
runs go-t GO_CHAIN go-client -q -t 200 "$URL/stall"
check "cancelchain -- go-client -t 200: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
echo "# go-client -t 200 /stall: the full chain in $FULL of $RUNS runs"
check "go-client -t 200: the same chain, in order, in at least one of $RUNS runs" "$MISSING" [ "$FULL" -ge 1 ]

# 3. c-cancel, cancelled 1 ms into a long body.
runs c-c C_CHAIN c-cancel -q -c 1 -r 128 "$URL/hello?n=100000000"
check "cancelchain -- c-cancel -c 1: exits 1 as the client, 'Tracing ...' and 'lost 0 events', well-formed lines" \
  "$BAD" [ -z "$BAD" ]
echo "# c-cancel -c 1 /hello: the full chain in $FULL of $RUNS runs"
check "c-cancel -c 1: context_cancel, on_context_done, close_connection, EPOLL_CTL_DEL and close of its fd, in order, in every run" \
  "$MISSING" [ "$FULL" -eq "$RUNS" ]
check "c-cancel: context_cancel runs again at the end (the deferred cancel), and is shown" \
  "$(tr '\n' '|' <"$T/c-c.1.out")" \
  bash -c "[ \$(grep -c '  context_cancel (as ' '$T/c-c.1.out') -ge 2 ]"

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
