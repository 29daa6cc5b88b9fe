#!/usr/bin/env bash
# The same scenario traced 10 times gives byte-identical stories: for the C
# clients, and for go-client with the documented recipe (a CGO_ENABLED=0
# build, GODEBUG=asyncpreemptoff=1, the labs' strace filter).
source "$(dirname "$0")/../lib.sh"
source "$ROOT/scripts/labs/common.sh" # STRACE_CALLS and GODEBUG, as the labs use them

start_labserver || exit 1
URL=http://127.0.0.1:$PORT

# stories NAME RUNS CLIENT ARGS...: how many different stories RUNS traces give.
distinct_stories() {
  local name=$1 runs=$2 i
  shift 2
  for i in $(seq "$runs"); do
    timeout --foreground -k 2 20 strace -f -qq -e signal=none -e trace="$STRACE_CALLS" -o "$T/$name.$i.strace" \
      "$@" >/dev/null 2>&1 </dev/null
    "$BIN/tracediff" normalize "$T/$name.$i.strace" | sed 1d >"$T/$name.$i.story"
  done
  md5sum "$T/$name".*.story | awk '{ print $1 }' | sort -u | wc -l
}

n=$(distinct_stories c-deadline 10 "$BIN/c-deadline" -q -t 200 "$URL/stall")
check "c-deadline -t 200 /stall: 10 traces, one story" "$n different stories" [ "$n" -eq 1 ]
n=$(distinct_stories c-epoll 10 "$BIN/c-epoll" -q "$URL/trickle?ms=10&n=3")
check "c-epoll /trickle: 10 traces, one story" "$n different stories" [ "$n" -eq 1 ]
n=$(distinct_stories go-client 10 "$BIN/go-client" -q -t 200 "$URL/stall")
check "go-client -t 200 /stall with the recipe: 10 traces, one story" \
  "$n different stories: $(diff "$T/go-client.1.story" "$(ls "$T"/go-client.*.story | tail -n 1)" | head -n 4 | tr '\n' ' ')" \
  [ "$n" -eq 1 ]
