#!/usr/bin/env bash
# Bad command lines: exit 2 and one line on stderr naming the bad value.
source "$(dirname "$0")/../lib.sh"

# expect_usage_error NAME REGEX CLIENT ARGS...
expect_usage_error() {
  local name=$1 regex=$2
  shift 2
  run_client "$@"
  if [ "$RC" -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && [[ $RESULT =~ $regex ]] && [ ! -s "$T/out" ]; then
    ok "$name"
  else
    not_ok "$name" "want exit 2 and one line /$regex/, got exit $RC: $(head -c 300 "$T/err")"
  fi
}

URL=http://127.0.0.1:9/ok
expect_usage_error "c-blocking -t says its calls wait for the socket alone and names c-nonblock" \
  '^c-blocking: -t: each call here waits for the socket alone; use c-nonblock \(c-blocking -h for usage\)$' \
  c-blocking -t 200 "$URL"
check "c-blocking's -t refusal fits 100 columns" "$(wc -L <"$T/err") columns" [ "$(wc -L <"$T/err")" -le 100 ]
expect_usage_error "c-epoll -t points to stage 4" '^c-epoll: -t: .*c-deadline' c-epoll -t 200 "$URL"
for client in c-blocking c-nonblock c-epoll c-deadline; do
  expect_usage_error "$client -c needs a context" "^$client: -c: .*context" "$client" -c 1 "$URL"
  expect_usage_error "$client without URL" "^$client: no URL given" "$client"
  expect_usage_error "$client -r 0" "^$client: -r '0': want a whole number" "$client" -r 0 "$URL"
  expect_usage_error "$client -r abc" "^$client: -r 'abc'" "$client" -r abc "$URL"
  expect_usage_error "$client -r too big" "^$client: -r '99999999999'" "$client" -r 99999999999 "$URL"
  expect_usage_error "$client -r without value" "^$client: -r needs a value" "$client" "$URL" -r
  expect_usage_error "$client unknown flag" "^$client: unknown flag -x" "$client" -x "$URL"
  expect_usage_error "$client unknown long flag" "^$client: unknown flag --bogus" "$client" --bogus "$URL"
  expect_usage_error "$client DNS name" "^$client: URL 'http://example.com/': host 'example.com' .*no DNS" \
    "$client" http://example.com/
  expect_usage_error "$client https" "^$client: URL 'https://127.0.0.1/': https is not supported" \
    "$client" https://127.0.0.1/
  expect_usage_error "$client bad port" "^$client: URL .*port '70000'" "$client" http://127.0.0.1:70000/
  expect_usage_error "$client IPv6 without brackets" \
    "^$client: URL 'http://::1:9/ok': an IPv6 literal goes in brackets, as in http://\\[::1\\]:PORT/" \
    "$client" http://::1:9/ok
  expect_usage_error "$client two URLs" "^$client: unexpected argument" "$client" "$URL" "$URL"
  run_client "$client" -h
  check "$client -h prints usage and exits 0" "exit $RC" \
    bash -c "[ $RC -eq 0 ] && grep -q '^usage: $client' '$T/out'"
done
for client in c-blocking c-epoll c-deadline; do
  expect_usage_error "$client --spin is c-nonblock's" "^$client: --spin: only c-nonblock" "$client" --spin "$URL"
done
expect_usage_error "c-deadline -t 0" "^c-deadline: -t '0': want a whole number from 1" c-deadline -t 0 "$URL"
expect_usage_error "c-nonblock -t -5" "^c-nonblock: -t '-5'" c-nonblock -t -5 "$URL"
