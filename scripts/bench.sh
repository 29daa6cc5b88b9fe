#!/usr/bin/env bash
# bench.sh: what tracing close() costs a program that makes many syscalls,
# as ratios to the same program untraced. `make bench` builds, then runs it.
#
# The workload is build/tests/readloop: one-byte read()s of /dev/zero, a
# cheap syscall, timed by readloop itself (so a tracer's start-up does not
# count). Each measurement is the best of several runs; bare and traced runs
# alternate, so a machine that gets busier or quieter affects both sides.
#
#   closesnoop   build/bin/closesnoop -n readloop attached  TARGET: ratio <= 1.2
#   strace       strace -o /dev/null -e trace=close         information
#   strace       the same with --seccomp-bpf                information
#   bpftrace     bpf/close-stacks.bt readloop attached      information
#
# Attaching any syscall tracepoint (closesnoop, bpftrace) sends every
# syscall of every task through the kernel's slower tracing path; only a
# close() runs the BPF program. strace without --seccomp-bpf stops the
# traced process at every syscall, whatever -e says; with it, only close()
# stops. So strace runs fewer calls (the ratio is per call).
#
# Exit 0 when every target is met, 1 when one is missed, 2 when a
# measurement could not be made (a tool missing or failing).
# BENCH_QUICK=1: a smoke run (100,000 calls, one run each, a few seconds);
# its ratios are noise-prone, so a missed target is reported, not failed.
set -u
cd "$(dirname "$0")/.." || exit 2

READLOOP=build/tests/readloop
CLOSESNOOP=build/bin/closesnoop
CLOSE_STACKS=bpf/close-stacks.bt
TARGET=1.2

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  quick=1 calls=100000 reps=1 strace_calls=2000 strace_reps=1
else
  quick=0 calls=1000000 reps=7 strace_calls=10000 strace_reps=3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ctxlab-bench.XXXXXX") || exit 2
tracer_pid=""
# stop_tracer: SIGINT (bpftrace and closesnoop detach and exit on it), then
# harder if it does not go within 5 s. Only the pid this script started.
stop_tracer() {
  local _
  [ -n "$tracer_pid" ] || return 0
  kill -INT "$tracer_pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$tracer_pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$tracer_pid" 2>/dev/null; then
    kill -TERM "$tracer_pid" 2>/dev/null
    sleep 1
    kill -KILL "$tracer_pid" 2>/dev/null
  fi
  wait "$tracer_pid" 2>/dev/null
  tracer_pid=""
}
cleanup() {
  stop_tracer
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# group 1234567 -> 1,234,567
group() { sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta' <<<"$1"; }
# ms NS -> milliseconds, one decimal
ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }
# ratio A_NS A_CALLS B_NS B_CALLS -> (A per call) / (B per call), two decimals
ratio() { awk -v a="$1" -v an="$2" -v b="$3" -v bn="$4" 'BEGIN { printf "%.2f", (a / an) / (b / bn) }'; }
min() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }

failed=0 # measurements that could not be made
missed=0 # targets missed
fail() { # a measurement line that says why there is no measurement
  echo "$*"
  failed=$((failed + 1))
}

# readloop_ns N [WRAPPER...]: runs readloop N under WRAPPER, prints its ns.
readloop_ns() {
  local n=$1 out
  shift
  out=$(timeout --foreground -k 2 120 "$@" "$READLOOP" "$n" 2>"$work/readloop.err") || {
    echo "readloop failed: $(tail -n 1 "$work/readloop.err")" >&2
    return 1
  }
  [[ $out =~ ^[0-9]+$ ]] || {
    echo "readloop printed '$out', not a number" >&2
    return 1
  }
  echo "$out"
}

# start_tracer READY_FILE READY_REGEX COMMAND...: starts a tracer in the
# background and waits (at most 30 s) until READY_FILE has READY_REGEX.
start_tracer() {
  local ready=$1 regex=$2 cmd
  shift 2
  cmd=$1
  "$@" >"$work/tracer.out" 2>"$work/tracer.err" </dev/null &
  tracer_pid=$!
  for _ in $(seq 600); do
    grep -q "$regex" "$ready" 2>/dev/null && return 0
    kill -0 "$tracer_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$cmd did not attach: $(grep -v RLIMIT_MEMLOCK "$work/tracer.err" | tail -n 2 | tr '\n' ' ')" >&2
  stop_tracer
  return 1
}

if [ ! -x "$READLOOP" ]; then
  echo "bench: $READLOOP is missing: make build/tests/readloop (or make bench)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: closesnoop and bpftrace need root: sudo make bench" >&2
  exit 2
fi
others=$(for t in bpftrace closesnoop strace; do pgrep -x "$t"; done | tr '\n' ' ')
if [ -n "$others" ]; then
  echo "bench: note: other tracers are running (pids $others): 'bare' is not bare, ratios read low"
fi

# The best bare time: $bare over every bare run, $sect_bare over those of
# one measurement, which alternate with its traced runs.
bare="" sect_bare=""
bare_run() {
  local v
  v=$(readloop_ns "$calls") || return 1
  bare=$(min "$bare" "$v")
  sect_bare=$(min "$sect_bare" "$v")
}
bare_run || { echo "bench: readloop does not run" >&2; exit 2; }

echo "bench: $(group "$calls") one-byte read() calls of /dev/zero, best of $reps runs each$([ "$quick" = 1 ] && echo ' (BENCH_QUICK: smoke run, not a measurement)')"

# attached_ratio NAME READY_FILE COMMAND...: the best of $reps readloop runs
# while COMMAND (a tracer attached by name) runs, against the bare runs
# made between them. Prints the line's measurements and sets RATIO; returns
# 1 when the tracer did not run as expected.
attached_ratio() {
  local name=$1 ready_file=$2 best="" v
  shift 2
  sect_bare=""
  RATIO=""
  for _ in $(seq "$reps"); do
    bare_run || return 1
    start_tracer "$ready_file" '^Tracing close()' "$@" || return 1
    v=$(readloop_ns "$calls")
    local measured=$?
    stop_tracer
    [ "$measured" -eq 0 ] || return 1
    # it was attached: it saw readloop's one close() of /dev/zero
    if ! grep -q 'readloop' "$work/tracer.out"; then
      echo "$name did not report readloop's close(): $(head -c 300 "$work/tracer.out")" >&2
      return 1
    fi
    best=$(min "$best" "$v")
  done
  RATIO=$(ratio "$best" 1 "$sect_bare" 1)
  MEASURED="$(group "$calls") read() calls: bare $(ms "$sect_bare") ms, with $name $(ms "$best") ms, ratio $RATIO"
}

# (a) closesnoop, attached by name while readloop runs. TARGET.
cs_ratio=""
if [ ! -x "$CLOSESNOOP" ]; then
  fail "closesnoop: NOT MEASURED: $CLOSESNOOP is not built (make all)"
elif attached_ratio closesnoop "$work/tracer.err" "$CLOSESNOOP" -n readloop; then
  cs_ratio=$RATIO
  echo "closesnoop: $MEASURED (target <= $TARGET)"
else
  fail "closesnoop: NOT MEASURED: it did not run as expected (see above)"
fi

# (b) strace, for contrast: fewer calls, compared per call.
strace_line() { # LABEL OPTIONS...
  local label=$1 best="" v
  shift
  if ! command -v strace >/dev/null; then
    fail "$label: NOT MEASURED: strace is not installed"
    return
  fi
  for _ in $(seq "$strace_reps"); do
    v=$(readloop_ns "$strace_calls" strace -o /dev/null "$@") || { fail "$label: NOT MEASURED: it did not run as expected (see above)"; return; }
    best=$(min "$best" "$v")
  done
  echo "$label: $(group "$strace_calls") read() calls: bare $(awk -v b="$bare" -v n="$calls" -v s="$strace_calls" 'BEGIN { printf "%.1f", b / n * s / 1e6 }') ms (per call, from the runs above), with strace $(ms "$best") ms, ratio $(ratio "$best" "$strace_calls" "$bare" "$calls") (information)"
}
strace_line "strace -e trace=close" -e trace=close
if strace -f --seccomp-bpf -o /dev/null -e trace=close true 2>/dev/null; then
  strace_calls_was=$strace_calls
  strace_calls=$calls # only close() stops: the full count is quick
  strace_line "strace --seccomp-bpf -e trace=close" -f --seccomp-bpf -e trace=close
  strace_calls=$strace_calls_was
else
  echo "strace --seccomp-bpf: not supported by this strace (needs 5.3+): skipped"
fi

# (c) bpftrace, the one-liner of bpf/close-stacks.bt, attached by name.
if ! command -v bpftrace >/dev/null; then
  fail "bpftrace close-stacks.bt: NOT MEASURED: bpftrace is not installed"
elif attached_ratio bpftrace "$work/tracer.out" bpftrace "$CLOSE_STACKS" readloop; then
  echo "bpftrace close-stacks.bt: $MEASURED (information)"
else
  fail "bpftrace close-stacks.bt: NOT MEASURED: it did not run as expected (see above)"
fi

# Summary: the one target.
if [ -n "$cs_ratio" ]; then
  if awk -v r="$cs_ratio" -v t="$TARGET" 'BEGIN { exit !(r <= t) }'; then
    echo "summary: closesnoop overhead ratio $cs_ratio <= $TARGET: target met"
  elif [ "$quick" = 1 ]; then
    echo "summary: closesnoop overhead ratio $cs_ratio > $TARGET: target missed (BENCH_QUICK: not enforced)"
  else
    echo "summary: closesnoop overhead ratio $cs_ratio > $TARGET: TARGET MISSED"
    missed=1
  fi
else
  echo "summary: closesnoop overhead not measured: target not checked"
fi
[ "$failed" -gt 0 ] && exit 2
[ "$missed" -gt 0 ] && exit 1
exit 0
