#!/usr/bin/env bash
# Each stage client against labserver on every path that makes sense for it:
# exit status, result line and body bytes.
source "$(dirname "$0")/../lib.sh"

start_labserver || exit 1
find_closed_port || exit 1
URL=http://127.0.0.1:$PORT

# The bodies labserver promises, built independently of it.
yes 'hello world' | tr -d '\n' | head -c 11000000 >"$T/hello.expected"
# /chunked decoded, as documented in server/scenarios.c.
CHUNKED_BODY_FILE=$T/chunked.expected
{ printf 'chunked bodies arrive in pieces\n'; head -c 300 /dev/zero | tr '\0' x; printf '\n'; } >"$CHUNKED_BODY_FILE"

# ok_and_hello CLIENT BASE NAME: /ok and /hello through CLIENT from BASE
# (http://HOST:PORT), status, size and body checked; NAME in the checks.
ok_and_hello() {
  local client=$1 base=$2 name=$3
  run_client "$client" "$base/ok"
  expect_result "$client $name/ok" 0 '^result: ok status=200 bytes=3 elapsed_ms=[0-9.]+'
  check "$client $name/ok body" "body is '$(head -c 40 "$T/out")'" cmp -s "$T/out" <(printf 'ok\n')

  run_client "$client" "$base/hello"
  expect_result "$client $name/hello" 0 '^result: ok status=200 bytes=11000000 '
  check "$client $name/hello body is 11,000,000 bytes of hello world" "$(wc -c <"$T/out") bytes, differing" \
    cmp -s "$T/out" "$T/hello.expected"
}

for client in c-blocking c-nonblock c-epoll c-deadline; do
  ok_and_hello "$client" "$URL" ""

  run_client "$client" -r 1 -q "$URL/hello?n=3000"
  expect_result "$client -r 1 /hello?n=3000 (one byte per read)" 0 '^result: ok status=200 bytes=33000 '

  run_client "$client" -r 65536 -q "$URL/hello"
  expect_result "$client -r 65536 /hello" 0 '^result: ok status=200 bytes=11000000 '

  run_client "$client" "$URL/chunked"
  expect_result "$client /chunked" 0 "^result: ok status=200 bytes=$(wc -c <"$CHUNKED_BODY_FILE") "
  check "$client /chunked body decoded" "body differs from the documented one" cmp -s "$T/out" "$CHUNKED_BODY_FILE"

  run_client "$client" -r 7 "$URL/chunked"
  check "$client -r 7 /chunked body decoded" "body differs: $RESULT" cmp -s "$T/out" "$CHUNKED_BODY_FILE"

  run_client "$client" "$URL/no-such-page"
  expect_result "$client 404" 0 '^result: ok status=404 bytes=[1-9][0-9]* '

  run_client "$client" "$URL/reset"
  expect_result "$client /reset" 1 '^result: error="connection reset by peer" bytes=0 '

  run_client "$client" "$URL/close"
  expect_result "$client /close" 1 '^result: error="unexpected EOF" bytes=0 '

  run_client "$client" "$URL/garbage"
  expect_result "$client /garbage" 1 '^result: error="malformed HTTP response" bytes=0 '

  run_client "$client" "http://127.0.0.1:$CLOSED_PORT/ok"
  expect_result "$client closed port" 1 '^result: error="connection refused" bytes=0 '

  run_client "$client" -q "$URL/trickle?ms=5&n=11"
  expect_result "$client /trickle" 0 '^result: ok status=200 bytes=11 '

  run_client "$client" "http://localhost:$PORT/ok"
  expect_result "$client localhost" 0 '^result: ok status=200 bytes=3 '
done

# IPv6: labserver listens on ::1 too, at the same port, so the URL the usage
# errors suggest works. Every client, go-client included when it is built.
ipv6_clients="c-blocking c-nonblock c-epoll c-deadline c-cancel"
[ -x "$BIN/go-client" ] && ipv6_clients+=" go-client"
# /proc/net/if_inet6 lists ::1 as 31 zeros and a 1 when the machine has it.
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
  for client in $ipv6_clients; do
    ok_and_hello "$client" "http://[::1]:$PORT" "http://[::1]:PORT"
  done
else
  echo "# skipped: http://[::1]:PORT/ fetches, this machine has no IPv6 loopback (no ::1 in /proc/net/if_inet6)"
fi

# A blocking read cannot be cancelled: after a second it is still waiting.
CLIENT_TIMEOUT=1 run_client c-blocking "$URL/stall"
check "c-blocking /stall is still blocked after 1 s" "exit $RC: $RESULT" [ "$RC" -eq 124 ]

# A deadline covers connect too. To a listener whose accept queue is full,
# Linux drops the SYN, so connect stays in progress until the deadline.
# (c-epoll has no deadline and would wait there for minutes: not run.)
exec {fullqueue_fd}< <(exec python3 "$ROOT/tests/integration/fullqueue.py" 2>&1 </dev/null)
fullqueue_pid=$!
started_pids+=("$fullqueue_pid")
read -r -t 10 -u "$fullqueue_fd" fullqueue_said
exec {fullqueue_fd}<&- # it says nothing more; the clients need not inherit the pipe
if [[ $fullqueue_said =~ ^full\ queue\ on\ 127\.0\.0\.1:([0-9]+)$ ]]; then
  FULL_PORT=${BASH_REMATCH[1]}
  for client in c-nonblock c-deadline c-cancel; do
    CLIENT_TIMEOUT=5 run_client "$client" -t 200 "http://127.0.0.1:$FULL_PORT/ok"
    expect_result "$client -t 200 to a full accept queue" 1 '^result: error="context deadline exceeded" bytes=0 '
    elapsed=$(result_field elapsed_ms)
    check "$client -t 200 gives up connecting between 200 and 400 ms" "exit $RC, elapsed_ms=$elapsed" \
      between "$elapsed" 200 400
  done
else
  not_ok "full accept queue" "tests/integration/fullqueue.py did not start: ${fullqueue_said:-nothing said}"
fi
stop_pid "$fullqueue_pid"

# Deadlines: c-nonblock checks at each EAGAIN, c-deadline wakes on its timer.
for client in c-nonblock c-deadline; do
  run_client "$client" -t 200 "$URL/stall"
  expect_result "$client -t 200 /stall" 1 '^result: error="context deadline exceeded" bytes=0 '
  elapsed=$(result_field elapsed_ms)
  check "$client -t 200 /stall ends between 200 and 250 ms" "elapsed_ms=$elapsed" between "$elapsed" 200 250

  run_client "$client" -t 200 -q "$URL/stall-body"
  expect_result "$client -t 200 /stall-body keeps the bytes it read" 1 \
    '^result: error="context deadline exceeded" bytes=110 '

  run_client "$client" -t 10000 -q "$URL/hello"
  expect_result "$client -t 10000 /hello" 0 '^result: ok status=200 bytes=11000000 '
done

run_client c-deadline -t 100 -q "$URL/trickle?ms=40&n=11"
expect_result "c-deadline -t 100 /trickle stops mid-body" 1 \
  '^result: error="context deadline exceeded" bytes=[1-9] '

# The price of retrying: sleeping between tries vs spinning.
run_client c-nonblock -t 200 "$URL/stall"
sleep_eagain=$(result_field eagain) sleep_cpu=$(result_field cpu_ms)
check "c-nonblock reports eagain and cpu_ms" "$RESULT" \
  between "$sleep_eagain" 50 1000
run_client c-nonblock --spin -t 200 "$URL/stall"
expect_result "c-nonblock --spin -t 200 /stall" 1 '^result: error="context deadline exceeded" .* eagain=[0-9]+ cpu_ms='
spin_eagain=$(result_field eagain) spin_cpu=$(result_field cpu_ms)
check "--spin retries far more often than sleeping (eagain $spin_eagain vs $sleep_eagain)" "" \
  [ "$spin_eagain" -gt $((sleep_eagain * 5)) ]
check "--spin burns more CPU than sleeping (cpu_ms $spin_cpu vs $sleep_cpu)" "" \
  awk -v a="$spin_cpu" -v b="$sleep_cpu" 'BEGIN { exit !(a > b * 2) }'

# The server survives all of the above.
run_client c-epoll "$URL/ok"
expect_result "labserver still answers after every scenario" 0 '^result: ok status=200'
