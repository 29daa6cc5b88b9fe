#!/usr/bin/env bash
# labserver on its own: command line, bad requests, many stalled
# connections, clean exit on signals.
source "$(dirname "$0")/../lib.sh"

# expect_server_usage_error NAME REGEX ARGS...
expect_server_usage_error() {
  local name=$1 regex=$2 rc
  shift 2
  timeout --foreground -k 2 5 "$BIN/labserver" "$@" >"$T/out" 2>"$T/err" </dev/null
  rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -qE "$regex" "$T/err"; then
    ok "$name"
  else
    not_ok "$name" "want exit 2 and one line /$regex/, got exit $rc: $(head -c 300 "$T/err")"
  fi
}
expect_server_usage_error "labserver --port 70000" "^labserver: invalid --port '70000'" --port 70000
expect_server_usage_error "labserver --port abc" "^labserver: invalid --port 'abc'" --port abc
expect_server_usage_error "labserver --bind example.com" "^labserver: .*'example.com'" --bind example.com
expect_server_usage_error "labserver unknown flag" "^labserver: .*--frobnicate" --frobnicate

check "labserver --help says it listens on 127.0.0.1 and ::1" "$("$BIN/labserver" --help | sed -n 5,7p)" \
  bash -c "'$BIN/labserver' --help | grep -q 'default: 127.0.0.1\$' && '$BIN/labserver' --help | grep -q 'and ::1 on one port'"

# launch OUT ARGS...: labserver ARGS in the background, stdout in OUT and
# stderr in OUT.err; sets LAUNCHED_PID (remembered for cleanup) and waits for
# its first line (both lines go out in one write).
launch() {
  local out=$1 i
  shift
  "$BIN/labserver" "$@" >"$out" 2>"$out.err" </dev/null &
  LAUNCHED_PID=$!
  started_pids+=("$LAUNCHED_PID")
  for i in $(seq 100); do
    grep -q '^listening on ' "$out" && return 0
    kill -0 "$LAUNCHED_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
# ::1 shows in /proc/net/if_inet6 as 31 zeros and a 1.
has_ipv6_loopback() { grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; }
# its_listeners PID: the local addresses PID listens on, one a line, sorted.
its_listeners() { ss -Hltnp 2>/dev/null | awk -v p="pid=$1," 'index($0, p) { print $4 }' | sort; }

start_labserver || exit 1
first_port=$PORT first_pid=$LABSERVER_PID

# By default: 127.0.0.1 and ::1, one port, and nothing else.
launch "$T/both.out" --port 0
both_port=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/both.out")
if has_ipv6_loopback; then
  check "default: listens on 127.0.0.1:PORT, then [::1] at the same port" "stdout: $(tr '\n' '|' <"$T/both.out")" \
    [ -n "$both_port" ] && [ "$(cat "$T/both.out")" = "$(printf 'listening on 127.0.0.1:%s\nlistening on [::1]:%s' "$both_port" "$both_port")" ]
  check "default: ss shows exactly those two listeners" "$(its_listeners "$LAUNCHED_PID" | tr '\n' ' ')" \
    [ "$(its_listeners "$LAUNCHED_PID" | tr '\n' ' ')" = "127.0.0.1:$both_port [::1]:$both_port " ]
  check "default: nothing on stderr" "$(cat "$T/both.out.err")" [ ! -s "$T/both.out.err" ]
else
  check "default without an IPv6 loopback: 127.0.0.1 only, and one line on stderr saying why" \
    "stdout: $(cat "$T/both.out"); stderr: $(cat "$T/both.out.err")" \
    bash -c "[ \$(wc -l <'$T/both.out') -eq 1 ] && [ \$(wc -l <'$T/both.out.err') -eq 1 ] && grep -q 'no IPv6 loopback' '$T/both.out.err'"
fi
stop_pid "$LAUNCHED_PID"

# --bind ADDR: that address only.
launch "$T/v4.out" --port 0 --bind 127.0.0.1
v4_port=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/v4.out")
check "--bind 127.0.0.1: one listening line" "stdout: $(tr '\n' '|' <"$T/v4.out")" \
  [ -n "$v4_port" ] && [ "$(wc -l <"$T/v4.out")" -eq 1 ]
run_client c-epoll "http://[::1]:$v4_port/ok"
expect_result "--bind 127.0.0.1: nothing listens on [::1] at its port" 1 '^result: error="connection refused" '
stop_pid "$LAUNCHED_PID"

if has_ipv6_loopback; then
  launch "$T/v6.out" --port 0 --bind ::1
  v6_port=$(sed -n '1s/^listening on \[::1\]:\([0-9]*\)$/\1/p' "$T/v6.out")
  check "--bind ::1: one line, listening on [::1]:PORT" "stdout: $(tr '\n' '|' <"$T/v6.out")" \
    [ -n "$v6_port" ] && [ "$(wc -l <"$T/v6.out")" -eq 1 ]
  run_client c-epoll "http://127.0.0.1:$v6_port/ok"
  expect_result "--bind ::1: nothing listens on 127.0.0.1 at its port" 1 '^result: error="connection refused" '
  # A port the user chose, taken on ::1 only: refused, naming [::1]:PORT.
  timeout --foreground -k 2 5 "$BIN/labserver" --port "$v6_port" >/dev/null 2>"$T/err" </dev/null
  rc=$?
  check "--port P with [::1]:P taken: exit 1, one line naming [::1]:P" "exit $rc: $(cat "$T/err")" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^labserver: cannot listen on \[::1\]:$v6_port: Address already in use' '$T/err'"
  stop_pid "$LAUNCHED_PID"
fi

# What cannot be arranged on a shared machine, arranged in a network
# namespace of its own (root, unshare): a loopback without IPv6, and an
# ephemeral range where ::1 already holds most ports, so --port 0 must try
# again. The inner script ends what it starts, Ctrl-C included.
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null &&
   command -v python3 >/dev/null && unshare -n true 2>/dev/null; then
  cat >"$T/netns.sh" <<'INNER'
BIN=$1 T=$2
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
trap 'exit 130' INT TERM
ip link set lo up || exit 3
# serve OUT ARGS...: labserver for as long as one /ok takes; its exit status in OUT.rc
serve() {
  local out=$1 i
  shift
  "$BIN/labserver" "$@" >"$out" 2>"$out.err" </dev/null &
  pids+=($!)
  for i in $(seq 100); do grep -q '^listening on' "$out" && break; sleep 0.05; done
  # the client needs an ephemeral port, and the narrowed range has none left
  sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
  "$BIN/c-epoll" -q "http://127.0.0.1:$(sed -n '1s/.*://p' "$out")/ok" 2>"$out.client" </dev/null
  kill -TERM "${pids[-1]}"
  wait "${pids[-1]}"
  echo $? >"$out.rc"
}
sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 || exit 3
serve "$T/nov6.out" --port 0
sysctl -qw net.ipv6.conf.lo.disable_ipv6=0 || exit 3
sysctl -qw net.ipv4.ip_local_port_range="40000 40003" || exit 3
python3 -c '
import signal, socket
held = []
for port in (40000, 40001, 40002):
    s = socket.socket(socket.AF_INET6)
    s.bind(("::1", port))
    s.listen()
    held.append(s)
print("held", flush=True)
signal.pause()' >"$T/held" </dev/null &
pids+=($!)
for i in $(seq 100); do grep -q held "$T/held" && break; sleep 0.05; done
serve "$T/retry.out" --port 0
INNER
  timeout --foreground -k 2 30 unshare -n bash "$T/netns.sh" "$BIN" "$T"
  rc=$?
  # served OUT LINES...: labserver printed exactly LINES, answered /ok, exited 0
  served() {
    local out=$1
    shift
    [ "$(cat "$out" 2>/dev/null)" = "$(printf '%s\n' "$@")" ] &&
      grep -q '^result: ok status=200' "$out.client" 2>/dev/null && [ "$(cat "$out.rc" 2>/dev/null)" = 0 ]
  }
  nov6_port=$(sed -n '1s/.*://p' "$T/nov6.out" 2>/dev/null)
  check "no IPv6 loopback: 127.0.0.1 only, answers /ok, exits 0" \
    "netns exit $rc; stdout: $(cat "$T/nov6.out" 2>/dev/null); client: $(cat "$T/nov6.out.client" 2>/dev/null)" \
    served "$T/nov6.out" "listening on 127.0.0.1:$nov6_port"
  check "no IPv6 loopback: one line on stderr saying so" "$(cat "$T/nov6.out.err" 2>/dev/null)" \
    [ "$(cat "$T/nov6.out.err" 2>/dev/null)" = "labserver: not listening on [::1]:$nov6_port: Cannot assign requested address (this machine has no IPv6 loopback); serving 127.0.0.1 only" ]
  check "--port 0 with ::1 holding 40000-40002 of 40000-40003: tries again, both on 40003" \
    "netns exit $rc; stdout: $(tr '\n' '|' <"$T/retry.out" 2>/dev/null) stderr: $(cat "$T/retry.out.err" 2>/dev/null)" \
    served "$T/retry.out" "listening on 127.0.0.1:40003" "listening on [::1]:40003"
else
  ok "no-IPv6 and port-retry checks skipped: they need root, unshare, ip and python3"
fi
timeout --foreground -k 2 5 "$BIN/labserver" --port "$first_port" >/dev/null 2>"$T/err" </dev/null
rc=$?
check "labserver on a busy port: exit 1 and says how to fix it" "exit $rc: $(cat "$T/err")" \
  bash -c "[ $rc -eq 1 ] && grep -q 'Address already in use.*--port 0' '$T/err'"

# raw_request REQUEST: sends bytes as they are and prints the answer's first line.
raw_request() {
  timeout --foreground 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 && printf "%b" "$1" >&3 && head -n 1 <&3' "$PORT" "$1" | tr -d '\r'
}
check "GET /ok answers 200" "$(raw_request 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n')" \
  [ "$(raw_request 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n')" = "HTTP/1.1 200 OK" ]
check "a malformed request line gets 400" "" \
  [ "$(raw_request 'NONSENSE\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
big_header=$(head -c 9000 /dev/zero | tr '\0' a)
check "9 KiB of headers gets 400" "" \
  [ "$(raw_request "GET /ok HTTP/1.1\\r\\nX-Big: $big_header\\r\\n\\r\\n")" = "HTTP/1.1 400 Bad Request" ]
check "/hello?n=abc gets 400" "" \
  [ "$(raw_request 'GET /hello?n=abc HTTP/1.1\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ]
check "an unknown path gets 404" "" \
  [ "$(raw_request 'GET /nowhere HTTP/1.1\r\n\r\n')" = "HTTP/1.1 404 Not Found" ]

# Clients that vanish mid-response never kill it (no SIGPIPE).
for i in 1 2 3; do
  timeout --foreground 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 && printf "GET /hello HTTP/1.1\r\n\r\n" >&3 && head -c 1000 <&3 >/dev/null' "$PORT"
done
check "clients that hang up mid-body do not kill it" "it died" kill -0 "$LABSERVER_PID"

out=$(timeout --foreground 60 "$TESTBIN/stallflood" "$PORT" 10000 2>&1)
check "holds 10,000 stalled connections and still answers /ok ($out)" "$out" \
  grep -q '^stallflood: 10000 stalled connections held' <<<"$out"

stop_pid "$first_pid"
check "SIGTERM: exits 0" "exit $STOP_RC" [ "$STOP_RC" -eq 0 ]

start_labserver || exit 1
kill -INT "$LABSERVER_PID"
wait "$LABSERVER_PID"
rc=$?
check "SIGINT: exits 0" "exit $rc" [ "$rc" -eq 0 ]

# Under valgrind, with connections still open at SIGTERM: nothing leaks.
valgrind --log-file="$T/vg.log" --track-fds=yes --leak-check=full --show-leak-kinds=all \
  --errors-for-leak-kinds=all --error-exitcode=99 "$BIN/labserver" --port 0 >"$T/vg.out" 2>/dev/null &
vg_pid=$!
started_pids+=("$vg_pid")
for i in $(seq 100); do grep -q '^listening on' "$T/vg.out" && break; sleep 0.1; done
PORT=$(sed -n '1s/.*://p' "$T/vg.out")
raw_request 'GET /ok HTTP/1.1\r\n\r\n' >/dev/null
exec 5<>/dev/tcp/127.0.0.1/$PORT && printf 'GET /stall HTTP/1.1\r\n\r\n' >&5
exec 6<>/dev/tcp/127.0.0.1/$PORT && printf 'GET /trickle?ms=50 HTTP/1.1\r\n\r\n' >&6
vg_listeners=$(wc -l <"$T/vg.out")
if has_ipv6_loopback; then
  # the second listener, with one connection of its own left open
  exec 7<>/dev/tcp/::1/$PORT && printf 'GET /stall HTTP/1.1\r\n\r\n' >&7
  check "labserver under valgrind listens on both 127.0.0.1 and ::1" "$(cat "$T/vg.out")" [ "$vg_listeners" -eq 2 ]
fi
sleep 0.5
stop_pid "$vg_pid"
exec 5>&- 6>&- 7>&-
opened=$(sed -n 's/.*FILE DESCRIPTORS: \([0-9]*\) open (\([0-9]*\) std).*/\1 - \2/p' "$T/vg.log")
check "labserver under valgrind: exit 0, no leak, no fd left at SIGTERM" \
  "exit $STOP_RC; $(grep -m 2 'in use at exit\|ERROR SUMMARY' "$T/vg.log" | tr '\n' ' ')" \
  bash -c "[ $STOP_RC -eq 0 ] && grep -q 'in use at exit: 0 bytes' '$T/vg.log' &&
           [ \$(( ${opened:-999} )) -eq \$(grep -c '<inherited from parent>' '$T/vg.log') ]"
