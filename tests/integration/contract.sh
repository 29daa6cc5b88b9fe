#!/usr/bin/env bash
# The contract all six clients keep, C stages and go-client alike:
# - a reader of stdout that goes away (`| head -c 10`) is not the request's
#   failure: SIGPIPE is ignored, the body still read and counted, `result: ok`;
# - a body that cannot be written (stdout is /dev/full) is: one error text,
#   Go's own `write /dev/stdout: no space left on device`, and exit 1;
# - the request on the wire: GET, Host, User-Agent, nothing else: no
#   Accept-Encoding (the body read is the body sent), and a 3xx is the
#   response, not a redirect to follow.
# The request bytes are caught by oneshot, a listener compiled here from the
# heredoc below (no nc or socat needed): it takes one connection, saves the
# request head, answers a fixed response from a file and closes.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

CLIENTS="c-blocking c-nonblock c-epoll c-deadline c-cancel go-client"

start_labserver || exit 1
URL=http://127.0.0.1:$PORT

# ---- 1. stdout closed early: `CLIENT URL | head -c 10` ----
for client in $CLIENTS; do
  timeout --foreground -k 2 "$CLIENT_TIMEOUT" "$BIN/$client" "$URL/hello?n=100000" 2>"$T/err" </dev/null |
    head -c 10 >"$T/out"
  RC=${PIPESTATUS[0]}
  RESULT=$(tail -n 1 "$T/err")
  expect_result "$client | head -c 10: SIGPIPE ignored, whole body still counted, exit 0" 0 \
    '^result: ok status=200 bytes=1100000 elapsed_ms=[0-9.]+'
  check "$client | head -c 10: head got the first 10 bytes" "got '$(cat "$T/out")'" \
    test "$(cat "$T/out")" = "hello worl"
done

# ---- 2. stdout that cannot be written: /dev/full (ENOSPC) ----
write_error='^result: error="write /dev/stdout: no space left on device" bytes=[0-9]+ elapsed_ms=[0-9.]+'
for client in $CLIENTS; do
  for path in "ok" "hello?n=1000"; do
    timeout --foreground -k 2 "$CLIENT_TIMEOUT" "$BIN/$client" "$URL/$path" >/dev/full 2>"$T/err" </dev/null
    RC=$?
    RESULT=$(tail -n 1 "$T/err")
    expect_result "$client /$path >/dev/full: the write error, exit 1" 1 "$write_error"
  done
  # -q writes nothing, so nothing can fail
  timeout --foreground -k 2 "$CLIENT_TIMEOUT" "$BIN/$client" -q "$URL/ok" >/dev/full 2>"$T/err" </dev/null
  RC=$?
  RESULT=$(tail -n 1 "$T/err")
  expect_result "$client -q /ok >/dev/full: nothing written, ok" 0 '^result: ok status=200 bytes=3 '
done

# ---- 3 and 4. the request on the wire, and what comes back ----
cat >"$T/oneshot.c" <<'C'
/* oneshot REQUEST_FILE RESPONSE_FILE: listens on 127.0.0.1, port 0, prints
 * "port N", takes one connection, saves the request head (up to the blank
 * line) to REQUEST_FILE, sends RESPONSE_FILE's bytes, closes, exits. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	char req[65536], resp[65536];
	size_t have = 0, rlen;
	int l, c;
	FILE *f;

	if (argc != 3 || (l = socket(AF_INET, SOCK_STREAM, 0)) < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&a, &alen))
		return 1;
	printf("port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	if ((c = accept(l, NULL, NULL)) < 0)
		return 1;
	while (have < sizeof(req) - 1) {
		ssize_t n = read(c, req + have, sizeof(req) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		req[have] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (!(f = fopen(argv[1], "w")) || fwrite(req, 1, have, f) != have || fclose(f))
		return 1;
	if (!(f = fopen(argv[2], "r")))
		return 1;
	rlen = fread(resp, 1, sizeof(resp), f);
	fclose(f);
	if (write(c, resp, rlen) != (ssize_t)rlen)
		return 1;
	shutdown(c, SHUT_WR);
	while (read(c, req, sizeof(req)) > 0) /* until the client closes: no RST */
		;
	close(c);
	return 0;
}
C
cc -std=gnu11 -Wall -Werror -O2 -o "$T/oneshot" "$T/oneshot.c" || { not_ok "oneshot compiles" "cc failed"; exit 1; }

# oneshot_fetch CLIENT RESPONSE_FILE PATH: CLIENT fetches PATH from a oneshot
# answering RESPONSE_FILE; the request head lands in $T/CLIENT.request.
oneshot_fetch() {
  local client=$1 response=$2 path=$3 port i
  "$T/oneshot" "$T/$client.request" "$response" >"$T/oneshot.out" &
  local pid=$!
  started_pids+=("$pid")
  for i in $(seq 100); do
    port=$(sed -n 's/^port //p' "$T/oneshot.out")
    [ -n "$port" ] && break
    sleep 0.02
  done
  run_client "$client" "http://127.0.0.1:$port$path"
  wait "$pid" 2>/dev/null
}

printf 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n' >"$T/ok.response"
for client in $CLIENTS; do
  oneshot_fetch "$client" "$T/ok.response" "/wire?x=1"
  expect_result "$client against oneshot: ok" 0 '^result: ok status=200 bytes=3 '
done

# What each sends, shown with its line ends; Go orders its headers Host,
# User-Agent, then the rest: the same order as the C clients'.
for client in $CLIENTS; do
  echo "# $client sends: $(sed 's/\r$/\\r/' "$T/$client.request" | tr '\n' '|')"
done
printf 'GET /wire?x=1 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: AGENT\r\n\r\n' >"$T/expected.request"
for client in $CLIENTS; do
  sed -E 's/^(Host: 127\.0\.0\.1:)[0-9]+\r$/\1PORT\r/; s/^(User-Agent: ).*\r$/\1AGENT\r/' \
    "$T/$client.request" >"$T/$client.request.norm"
  check "$client sends GET, Host, User-Agent and nothing else (no Accept-Encoding)" \
    "sent: $(sed 's/\r$/\\r/' "$T/$client.request" | tr '\n' '|')" cmp -s "$T/$client.request.norm" "$T/expected.request"
done
for client in c-nonblock c-epoll c-deadline c-cancel; do
  check "$client sends the very bytes c-blocking sends (but the port)" \
    "$(diff "$T/c-blocking.request" "$T/$client.request" | tr '\r\n' ' |')" \
    cmp -s <(sed 's/^Host: .*//' "$T/c-blocking.request") <(sed 's/^Host: .*//' "$T/$client.request")
done
check "User-Agent: ctxlab-c/1 from the C clients, Go-http-client/1.1 from go-client (the one difference)" \
  "$(grep -h '^User-Agent' "$T"/*.request | tr '\r\n' ' |')" \
  bash -c "grep -q $'^User-Agent: ctxlab-c/1\r\$' '$T/c-blocking.request' &&
           grep -q $'^User-Agent: Go-http-client/1.1\r\$' '$T/go-client.request'"

# A 3xx is the response: nobody follows Location (here a closed port, so a
# client that followed it would fail with connection refused).
find_closed_port || exit 1
printf 'HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%s/elsewhere\r\nContent-Length: 6\r\nConnection: close\r\n\r\nmoved\n' \
  "$CLOSED_PORT" >"$T/redirect.response"
for client in $CLIENTS; do
  oneshot_fetch "$client" "$T/redirect.response" "/redirect"
  expect_result "$client: a 302 is the answer, not followed" 0 '^result: ok status=302 bytes=6 '
done

# A gzip body, asked for or not, is the bytes sent: go-client does not undo it.
printf 'compress me, compress me, compress me\n' | gzip -c >"$T/body.gz"
gz_len=$(wc -c <"$T/body.gz")
{ printf 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$gz_len"
  cat "$T/body.gz"; } >"$T/gzip.response"
for client in $CLIENTS; do
  oneshot_fetch "$client" "$T/gzip.response" "/gzip"
  expect_result "$client: a gzip body is read as sent ($gz_len bytes)" 0 "^result: ok status=200 bytes=$gz_len "
  check "$client: the gzip body reaches stdout untouched" "$(wc -c <"$T/out") bytes" cmp -s "$T/out" "$T/body.gz"
done
