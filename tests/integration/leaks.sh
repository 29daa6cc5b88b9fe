#!/usr/bin/env bash
# Every client on every failing path (and one good one) under valgrind: no
# memory left allocated, no file descriptor left open but inherited ones.
source "$(dirname "$0")/../lib.sh"

start_labserver || exit 1
find_closed_port || exit 1
URL=http://127.0.0.1:$PORT

for client in c-blocking c-nonblock c-epoll c-deadline; do
  expect_clean "$client ok path leaks nothing" "$client" "$URL/ok"
  expect_clean "$client refused leaks nothing" "$client" "http://127.0.0.1:$CLOSED_PORT/ok"
  expect_clean "$client reset leaks nothing" "$client" "$URL/reset"
  expect_clean "$client unexpected EOF leaks nothing" "$client" "$URL/close"
  expect_clean "$client malformed leaks nothing" "$client" "$URL/garbage"
  expect_clean "$client usage error leaks nothing" "$client" -r 0 "$URL/ok"
done
for client in c-nonblock c-deadline; do
  expect_clean "$client deadline leaks nothing" "$client" -t 300 "$URL/stall"
  expect_clean "$client deadline mid-body leaks nothing" "$client" -t 300 "$URL/stall-body"
done
expect_clean "c-deadline deadline mid-trickle leaks nothing" c-deadline -t 300 "$URL/trickle?ms=50"

# Over IPv6: labserver listens on ::1 too.
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
  for client in c-blocking c-nonblock c-epoll c-deadline; do
    expect_clean "$client over [::1] leaks nothing" "$client" "http://[::1]:$PORT/ok"
  done
fi

# The deadline while connecting, to a listener whose accept queue is full
# (tests/integration/fullqueue.py; clients.sh says more).
exec {fullqueue_fd}< <(exec python3 "$ROOT/tests/integration/fullqueue.py" 2>&1 </dev/null)
started_pids+=("$!")
read -r -t 10 -u "$fullqueue_fd" fullqueue_said
exec {fullqueue_fd}<&-
if [[ $fullqueue_said =~ ^full\ queue\ on\ 127\.0\.0\.1:([0-9]+)$ ]]; then
  for client in c-nonblock c-deadline; do
    expect_clean "$client deadline while connecting leaks nothing" "$client" -t 300 \
      "http://127.0.0.1:${BASH_REMATCH[1]}/ok"
  done
else
  not_ok "full accept queue" "tests/integration/fullqueue.py did not start: ${fullqueue_said:-nothing said}"
fi

# tracediff on real and broken traces: no leak, no memory error.
FIXTURES=$ROOT/tests/fixtures/traces
for fixture in go-stall-signals go-hello-cancel curl-ok c-nonblock-stall edge-garbage edge-binary edge-truncated; do
  expect_clean "tracediff normalize $fixture leaks nothing" tracediff normalize "$FIXTURES/$fixture.trace"
done
expect_clean "tracediff side-by-side --html leaks nothing" tracediff side-by-side --html "$T/page.html" \
  "$FIXTURES/c-deadline-stall.trace" "$FIXTURES/go-stall.trace"
expect_clean "tracediff on a missing file leaks nothing" tracediff normalize "$T/no-such-trace"
