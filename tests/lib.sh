# tests/lib.sh: what the integration test groups share. Source it.
# Each check prints one line, `ok - NAME` or `not ok - NAME: why`; tests/run.sh
# counts them. Every process a group starts is ended by its pid on exit,
# including on Ctrl-C. Time limits use `timeout --foreground` so that a
# Ctrl-C reaches the process under test too (plain timeout moves it into a
# process group of its own, out of the terminal's reach).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/build/bin
TESTBIN=$ROOT/build/tests
T=$(mktemp -d "${TMPDIR:-/tmp}/ctxlab-test.XXXXXX")
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-20}
started_pids=()

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; }

# check NAME WHY_IF_FALSE COMMAND...: ok when COMMAND succeeds.
check() {
  local name=$1 why=$2
  shift 2
  if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}

# start_labserver: starts build/bin/labserver on a free port, sets
# LABSERVER_PID and PORT, and remembers the pid for cleanup.
start_labserver() {
  local out=$T/labserver.$RANDOM.out i
  "$BIN/labserver" --port 0 "$@" >"$out" 2>"$out.err" &
  LABSERVER_PID=$!
  started_pids+=("$LABSERVER_PID")
  for i in $(seq 100); do
    if PORT=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out") && [ -n "$PORT" ]; then
      return 0
    fi
    kill -0 "$LABSERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "labserver did not start: $(cat "$out.err")" >&2
  return 1
}

# stop_pid PID: SIGTERM, then wait for it; sets STOP_RC to its exit status.
stop_pid() {
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  STOP_RC=$?
}

# run_client CLIENT ARGS...: runs build/bin/CLIENT with a time limit.
# Sets RC (exit status), RESULT (last stderr line), and leaves the body in
# $T/out and stderr in $T/err.
run_client() {
  local client=$1
  shift
  timeout --foreground -k 2 "$CLIENT_TIMEOUT" "$BIN/$client" "$@" >"$T/out" 2>"$T/err" </dev/null
  RC=$?
  RESULT=$(tail -n 1 "$T/err")
}

# expect_result NAME RC REGEX: the last run_client exited RC and its result
# line matches REGEX (bash ERE).
expect_result() {
  if [ "$RC" -eq "$2" ] && [[ $RESULT =~ $3 ]]; then
    ok "$1"
  else
    not_ok "$1" "want exit $2 and /$3/, got exit $RC and: $RESULT"
  fi
}

# result_field NAME: a field of the last result line, e.g. elapsed_ms.
result_field() {
  sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<"$RESULT"
}

# between X LOW HIGH: LOW <= X <= HIGH, for decimals.
between() {
  awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x + 0 >= lo && x + 0 <= hi) }'
}

# expect_story NAME TRACE REGEX...: the strace output TRACE has lines
# matching each REGEX (awk ERE), in this order.
expect_story() {
  local name=$1 trace=$2 missing
  shift 2
  missing=$(awk -v n=$# '
    BEGIN { for (i = 1; i <= n; i++) want[i] = ARGV[i]; ARGC = 1; next_i = 1 }
    next_i <= n && $0 ~ want[next_i] { next_i++ }
    END { if (next_i <= n) print want[next_i] }
  ' "$@" <"$trace")
  if [ -z "$missing" ]; then
    ok "$name"
  else
    not_ok "$name" "no line matching /$missing/ in order in $(basename "$trace") (kept in ${KEEP_DIR:-$T})"
    [ -n "${KEEP_DIR:-}" ] && cp "$trace" "$KEEP_DIR/"
  fi
}

# find_closed_port: sets CLOSED_PORT to a port where nothing listens (a
# labserver's, after it stopped).
find_closed_port() {
  local port_was=${PORT:-} pid_was=${LABSERVER_PID:-}
  start_labserver || return 1
  CLOSED_PORT=$PORT
  stop_pid "$LABSERVER_PID"
  PORT=$port_was
  LABSERVER_PID=$pid_was
}

# expect_clean NAME PROGRAM ARGS...: build/bin/PROGRAM under valgrind leaves
# no memory allocated and no fd open but inherited ones, and says something
# sensible on stderr (a result line, a usage line) or nothing.
expect_clean() {
  local name=$1 log=$T/valgrind.log rc opened inherited
  shift
  timeout --foreground -k 2 60 valgrind --log-file="$log" --track-fds=yes --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds=all --error-exitcode=99 "$BIN/$@" >/dev/null 2>"$T/err" </dev/null
  rc=$?
  # "FILE DESCRIPTORS: 6 open (3 std) at exit.": stdio is not listed, the rest are
  opened=$(sed -n 's/.*FILE DESCRIPTORS: \([0-9]*\) open (\([0-9]*\) std).*/\1 - \2/p' "$log")
  opened=$((${opened:-999}))
  inherited=$(grep -c '<inherited from parent>' "$log")
  if [ "$rc" -ne 99 ] && [ "$rc" -lt 124 ] && grep -q 'in use at exit: 0 bytes in 0 blocks' "$log" &&
     [ "$opened" -eq "$inherited" ] && { grep -q '^result: \|^c-\|^tracediff: ' "$T/err" || [ ! -s "$T/err" ]; }; then
    ok "$name"
  else
    not_ok "$name" "exit $rc, $((opened - inherited)) fds left open; $(grep -m 3 'in use at exit\|Open [^ ]* socket\|ERROR SUMMARY' "$log" | tr '\n' ' ')"
  fi
}

# bpf_prog_ids NAME...: the ids of the loaded eBPF programs with these names.
bpf_prog_ids() {
  bpftool prog show 2>/dev/null | awk -v names=" $* " '$3 == "name" && index(names, " " $4 " ") { sub(":", "", $1); print $1 }'
}

# bpf_new_progs BASELINE NAME...: those ids that are not in BASELINE (the
# ids of the same names taken when the group began, space-separated).
bpf_new_progs() {
  local baseline=" $1 " id
  shift
  for id in $(bpf_prog_ids "$@"); do
    [[ $baseline == *" $id "* ]] || echo "$id"
  done
}
