#!/usr/bin/env bash
# Pointers into Go's source: every `PATH.go FUNCTION` the docs, the headers
# and the lab scripts give names a function that is in that file of the
# installed Go 1.19 source, and no Go source file is named without one.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
GOSRC=/usr/lib/go-1.19/src

check "Go 1.19's source is installed at $GOSRC" "missing: golang-go pulls in golang-1.19-src (scripts/setup.sh installs it)" \
  test -f "$GOSRC/net/http/transport.go"

# The checker catches what it should: a function not in the file, a file
# not in Go, a file named alone, a name that is no function; and passes the rest.
cat >"$T/pointers.md" <<'DOC'
Right: `net/http/transport.go (*persistConn).readLoop`, `runtime/netpoll_epoll.go netpoll`,
`internal/poll/fd_unix.go (*FD).Read`, `context/context.go WithDeadline`, `net/net.go conn.Close`.
Wrong: `net/http/transport.go (*persistConn).noSuchMethod`
Wrong: `net/no_such_file.go dial`
Wrong: runtime/netpoll.go alone
Wrong: `runtime/netpoll.go <-ready`
DOC
tests/check-go-pointers.sh "$T/pointers.md" >"$T/problems"
rc=$?
caught() {
  [ "$rc" -eq 1 ] && [ "$(grep -c . "$T/problems")" -eq 4 ] &&
    grep -q ':3: .*has no func or type (\*persistConn).noSuchMethod' "$T/problems" &&
    grep -q ':4: .*no net/no_such_file.go' "$T/problems" &&
    grep -q ':5: runtime/netpoll.go is named without its function' "$T/problems" &&
    grep -q ":6: .*'<-ready' is not a function name" "$T/problems"
}
check "the checker passes right pointers and reports each wrong one on its line (exit 1)" \
  "exit $rc: $(cat "$T/problems")" caught

files=$(git ls-files '*.md' '*.c' '*.h' '*.go' '*.bt' '*.sh' | grep -v '^tests/')
out=$(tests/check-go-pointers.sh $files)
check "every pointer into Go's source in docs/, headers and scripts names a function of that file" "$out" \
  test -z "$out"
pointers=$(cat docs/*.md | grep -oE '`[a-z0-9_/]+\.go [^`]+`' | wc -l)
check "the docs point into Go's source ($pointers pointers)" "only $pointers" test "$pointers" -ge 10
