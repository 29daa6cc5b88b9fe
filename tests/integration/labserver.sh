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

start_labserver || exit 1
first_port=$PORT first_pid=$LABSERVER_PID
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
sleep 0.5
stop_pid "$vg_pid"
exec 5>&- 6>&-
opened=$(sed -n 's/.*FILE DESCRIPTORS: \([0-9]*\) open (\([0-9]*\) std).*/\1 - \2/p' "$T/vg.log")
check "labserver under valgrind: exit 0, no leak, no fd left at SIGTERM" \
  "exit $STOP_RC; $(grep -m 2 'in use at exit\|ERROR SUMMARY' "$T/vg.log" | tr '\n' ' ')" \
  bash -c "[ $STOP_RC -eq 0 ] && grep -q 'in use at exit: 0 bytes' '$T/vg.log' &&
           [ \$(( ${opened:-999} )) -eq \$(grep -c '<inherited from parent>' '$T/vg.log') ]"
