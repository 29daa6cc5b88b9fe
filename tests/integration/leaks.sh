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

# tracediff on real and broken traces: no leak, no memory error.
FIXTURES=$ROOT/tests/fixtures/traces
for fixture in go-stall-signals go-hello-cancel curl-ok c-nonblock-stall edge-garbage edge-binary edge-truncated; do
  expect_clean "tracediff normalize $fixture leaks nothing" tracediff normalize "$FIXTURES/$fixture.trace"
done
expect_clean "tracediff side-by-side --html leaks nothing" tracediff side-by-side --html "$T/page.html" \
  "$FIXTURES/c-deadline-stall.trace" "$FIXTURES/go-stall.trace"
expect_clean "tracediff on a missing file leaks nothing" tracediff normalize "$T/no-such-trace"
