#!/usr/bin/env bash
# The benchmark's parts work: readloop, and a quick run of scripts/bench.sh
# (BENCH_QUICK=1) that prints every ratio line and leaves nothing running or
# attached. A correctness check, not a measurement: the ratios are not
# judged here (make bench does that, with full-size runs).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

out=$(timeout --foreground -k 2 20 "$TESTBIN/readloop" 1000 2>"$T/err")
rc=$?
check "readloop 1000: exit 0, one number (ns) on stdout" "exit $rc, stdout '$out', stderr $(head -c 200 "$T/err")" \
  bash -c "[ $rc -eq 0 ] && [[ '$out' =~ ^[0-9]+$ ]] && [ '$out' -gt 0 ]"

timeout --foreground -k 2 20 "$TESTBIN/readloop" 0 >"$T/out" 2>"$T/err"
rc=$?
check "readloop 0: usage error, exit 2, nothing on stdout" "exit $rc: $(cat "$T/err")" \
  bash -c "[ $rc -eq 2 ] && [ ! -s '$T/out' ] && grep -q '^usage: readloop' '$T/err'"

check "closesnoop is built (the benchmark's target is its overhead)" "no $BIN/closesnoop: make all" \
  test -x "$BIN/closesnoop"

# What the bench starts, by command line ([r]: the pattern must not match
# the command line of pgrep itself).
LEFTOVERS='closesnoop -n [r]eadloop|close-stacks\.bt [r]eadloop|build/tests/[r]eadloop'
no_leftovers() { ! pgrep -f "$LEFTOVERS" >/dev/null; }
prog_ids() { bpftool prog show 2>/dev/null | sed -nE 's/^([0-9]+): .*/\1/p' | sort -n; }

before=$(prog_ids)
start=$SECONDS
BENCH_QUICK=1 timeout --foreground -k 5 60 scripts/bench.sh >"$T/bench.out" 2>"$T/bench.err" </dev/null
rc=$?
secs=$((SECONDS - start))
check "BENCH_QUICK=1 scripts/bench.sh runs to completion, exit 0 (${secs}s)" \
  "exit $rc: $(cat "$T/bench.err" "$T/bench.out" | tail -n 5 | tr '\n' '|')" \
  bash -c "[ $rc -eq 0 ]"
check "bench prints the closesnoop ratio line with its target" "$(cat "$T/bench.out")" \
  grep -Eq '^closesnoop: 100,000 read\(\) calls: bare [0-9.]+ ms, with closesnoop [0-9.]+ ms, ratio [0-9]+\.[0-9]+ \(target <= 1\.2\)$' "$T/bench.out"
check "bench prints the strace ratio lines (plain and --seccomp-bpf)" "$(cat "$T/bench.out")" \
  bash -c "grep -Eq '^strace -e trace=close: 2,000 read\\(\\) calls: .* ratio [0-9]+\\.[0-9]+ \\(information\\)$' '$T/bench.out' &&
    grep -Eq '^strace --seccomp-bpf -e trace=close: 100,000 read\\(\\) calls: .* ratio [0-9]+\\.[0-9]+ \\(information\\)$' '$T/bench.out'"
check "bench prints the bpftrace close-stacks.bt ratio line" "$(cat "$T/bench.out")" \
  grep -Eq '^bpftrace close-stacks\.bt: 100,000 read\(\) calls: .* ratio [0-9]+\.[0-9]+ \(information\)$' "$T/bench.out"
check "bench ends with a summary of the target" "$(tail -n 1 "$T/bench.out")" \
  grep -Eq '^summary: closesnoop overhead ratio [0-9.]+ (<=|>) 1\.2: target (met|missed)' "$T/bench.out"

check "bench leaves no tracer or readloop running" "$(pgrep -af "$LEFTOVERS")" no_leftovers
# Programs loaded during the bench and still there: ours would be named
# after closesnoop's handlers or bpftrace's sys_enter_close.
left=$(comm -13 <(echo "$before") <(prog_ids) | while read -r id; do
  bpftool prog show id "$id" 2>/dev/null | sed -nE 's/^([0-9]+): .*name (handle_close|handle_exec|sys_enter_close) .*/\1 \2/p'
done)
check "bench leaves no BPF program loaded (bpftool)" "still loaded: $left" test -z "$left"
