# common.sh: what every lab shares. Sourced by scripts/lab.sh.
# A lab starts its own labserver, traces its subjects with strace, turns
# the raw traces into stories with tracediff, writes everything to
# out/lab-N/ and stops whatever it started, Ctrl-C included.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin

# The calls that tell a connection's story are tracediff's own (its table of
# syscalls); everything else is runtime noise. clock_nanosleep shows stage
# 2's sleeps in the raw trace (the story drops it).
if ! STRACE_CALLS=$("$BIN/tracediff" syscalls); then
  echo "lab: $BIN/tracediff cannot list the calls to trace; fix: make" >&2
  exit 2
fi
STRACE_CALLS=$STRACE_CALLS,clock_nanosleep
# The Go recipe for stable traces: no cgo (the Makefile builds it so) and no
# asynchronous preemption signals.
export GODEBUG=asyncpreemptoff=1

lab_pids=()

lab_stop_all() {
  local pid
  for pid in "${lab_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${lab_pids[@]}"; do
    wait "$pid" 2>/dev/null
  done
  lab_pids=()
}

# lab_started PID: remembers a process the lab started in the background,
# to stop it if the lab ends first (Ctrl-C included).
lab_started() { lab_pids+=("$1"); }

# lab_wait PID: waits for it and forgets it (its pid may be reused by then,
# so it must not be signalled later); returns its exit status.
lab_wait() {
  local pid kept=() rc
  wait "$1"
  rc=$?
  for pid in "${lab_pids[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  lab_pids=("${kept[@]}")
  return $rc
}

# lab_needs_ebpf LAB TOOL...: before the lab starts anything, each eBPF tool
# it uses loads and attaches its programs on a trivial command. When one
# cannot, the lab prints that tool's one-line reason and the fix, and exits
# 2: without its witnesses a lab has nothing true to say.
lab_needs_ebpf() {
  local lab=$1 tool why fix
  shift
  for tool in "$@"; do
    case $tool in
      closesnoop) why=$("$BIN/closesnoop" -- /bin/true 2>&1 >/dev/null) ;;
      cancelchain) why=$("$BIN/cancelchain" -- "$BIN/c-cancel" -h 2>&1 >/dev/null) ;;
      bpftrace) why=$(bpftrace -e 'BEGIN { exit(); }' 2>&1 >/dev/null) ;;
      *) echo "lab-$lab: no check for the tool '$tool'" >&2; exit 2 ;;
    esac && continue
    # the tool's own reason: its first line that is not a warning
    why=$(grep -v 'RLIMIT_MEMLOCK' <<<"$why" | grep -m 1 .)
    if [ "$(id -u)" -ne 0 ]; then
      fix="sudo make lab-$lab"
    else
      fix="make doctor (it checks each prerequisite and says how to fix it)"
    fi
    echo "${why:-$tool: failed without saying why}" >&2
    echo "lab-$lab needs $tool and ran nothing; fix: $fix" >&2
    exit 2
  done
}

# lab_begin N TITLE: fresh out/lab-N/, a labserver on a free port (PORT, URL).
lab_begin() {
  LAB=$1
  OUT=$ROOT/out/lab-$1
  local why owned=$ROOT/out
  if ! why=$({ rm -rf "$OUT" && mkdir -p "$OUT"; } 2>&1); then
    [ -e "$owned" ] || owned=$ROOT
    echo "lab-$1: cannot write its files: $(head -n 1 <<<"$why"); fix: run it as $(stat -c %U "$owned")," \
      "who owns $owned" >&2
    exit 1
  fi
  trap lab_stop_all EXIT
  trap 'echo; echo "lab-$LAB: interrupted; everything it started is stopped"; exit 130' INT TERM
  printf '== lab %s: %s ==\n' "$1" "$2"

  lab_start_labserver || exit 1
}

# lab_start_labserver: a labserver on a free port, its output in $OUT (its
# warnings apart: the first line of its output says the port), stopped with
# the rest; sets PORT and URL. Says why on stderr and fails if it did not
# start.
lab_start_labserver() {
  "$BIN/labserver" --port 0 >"$OUT/labserver.log" 2>"$OUT/labserver.stderr.log" &
  lab_started "$!"
  local i
  PORT=
  for i in $(seq 100); do
    PORT=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/labserver.log")
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  if [ -z "$PORT" ]; then
    echo "${LAB:+lab-$LAB: }labserver did not start: $(cat "$OUT/labserver.log" "$OUT/labserver.stderr.log")" >&2
    return 1
  fi
  URL=http://127.0.0.1:$PORT
}

# lab_trace NAME [--stop-after SECONDS] COMMAND ARGS...: runs COMMAND under
# strace into $OUT/NAME.strace, its stdout and stderr into NAME.stdout and
# NAME.stderr, and the story into NAME.story. With --stop-after, a command
# still running then is stopped with SIGTERM (lab 1's blocked read).
# Sets RESULT to the command's last stderr line.
lab_trace() {
  local name=$1 stop_after=0 tracer child i
  shift
  if [ "$1" = --stop-after ]; then
    stop_after=$2
    shift 2
  fi
  # -I2: strace may be interrupted (Ctrl-C) and then ends its tracee too.
  strace -f -I2 -qq -e signal=none -e trace=$STRACE_CALLS -o "$OUT/$name.strace" \
    "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr" </dev/null &
  tracer=$!
  lab_started "$tracer"
  if [ "$stop_after" != 0 ]; then
    for i in $(seq $((stop_after * 20))); do
      kill -0 "$tracer" 2>/dev/null || break
      sleep 0.05
    done
    # The tracee is strace's child: stop it, and strace ends by itself.
    child=$(pgrep -P "$tracer" | head -n 1)
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  fi
  lab_wait "$tracer"
  RESULT=$(tail -n 1 "$OUT/$name.stderr")
  "$BIN/tracediff" normalize "$OUT/$name.strace" >"$OUT/$name.story"
  "$BIN/tracediff" normalize --calls "$OUT/$name.strace" >"$OUT/$name.calls"
}

# A lab's figures come from the story's calls (NAME.calls: one line per
# call, "TID PHASE CALL", nothing collapsed, unfinished calls merged), never
# from the raw trace, where an fd number also matches the loader's files and
# strace may split a call in two.

# count_calls NAME PHASE [ERE]: how many calls of NAME are in PHASE (and
# match ERE).
count_calls() {
  awk -v phase="$2" -v re="${3:-}" '$2 == phase && (re == "" || $0 ~ re) { n++ } END { print n + 0 }' \
    "$OUT/$1.calls"
}

# call_tid NAME PHASE ERE: the thread of the last call of NAME in PHASE that
# matches ERE (empty when there is none).
call_tid() {
  awk -v phase="$2" -v re="$3" '$2 == phase && $0 ~ re { tid = $1 } END { print tid }' "$OUT/$1.calls"
}

# lab_run_to STDOUT STDERR COMMAND ARGS...: runs COMMAND to its end, its
# output in these files, as a process the lab stops if it is interrupted;
# returns COMMAND's status.
lab_run_to() {
  local out=$1 err=$2 pid
  shift 2
  "$@" >"$out" 2>"$err" </dev/null &
  pid=$!
  lab_started "$pid"
  lab_wait "$pid"
}

# lab_run NAME COMMAND ARGS...: runs COMMAND untraced, its stdout and
# stderr into NAME.stdout and NAME.stderr. Sets RESULT to its last stderr
# line.
lab_run() {
  lab_run_to "$OUT/$1.stdout" "$OUT/$1.stderr" "${@:2}"
  RESULT=$(tail -n 1 "$OUT/$1.stderr")
}

# result_field FILE FIELD: the value of FIELD=VALUE on the last result line
# in FILE (empty when there is none).
result_field() {
  grep '^result:' "$1" | tail -n 1 | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# lab_compare NAME LEFT RIGHT LEFT_TITLE RIGHT_TITLE: two stories (files in
# OUT) side by side, as text (100 columns) and as a page.
lab_compare() {
  "$BIN/tracediff" side-by-side --width 100 --html "$OUT/$1.html" \
    --left-title "$4" --right-title "$5" "$OUT/$2" "$OUT/$3" >"$OUT/$1.txt"
}

# story_lines NAME PHASE...: the story lines of NAME in these phases.
story_lines() {
  local name=$1
  shift
  local phases
  phases=$(printf '%s|' "$@")
  grep -E "^(${phases%|}) " "$OUT/$name.story"
}

# sbs_rows FILE PHASE...: the rows of a side-by-side text in these phases,
# each with its continuation lines (a row wraps inside its columns).
sbs_rows() {
  local file=$1
  shift
  awk -v phases=" $* " '
    /^[^ ]/ { split($0, w, " "); keep = index(phases, " " w[1] " ") > 0 }
    keep' "$file"
}

# fit: wraps lines longer than 100 columns (a projector's width), the rest
# of a long line indented under the first.
fit() {
  awk '{
    line = $0
    while (length(line) > 100) {
      cut = 100 # break after the last space within the width, if there is one
      while (cut > 40 && substr(line, cut, 1) != " ") cut--
      if (cut == 40) cut = 100
      print substr(line, 1, substr(line, cut, 1) == " " ? cut - 1 : cut)
      line = "                 " substr(line, cut + 1)
    }
    print line
  }'
}

# closesnoop_run NAME [OPTIONS] -- COMMAND...: closesnoop traces exactly
# COMMAND; its output goes to $OUT/NAME, its stderr (and the client's) to
# $OUT/NAME.log. Sets RESULT to the client's result line.
closesnoop_run() {
  lab_run_to "$OUT/$1" "$OUT/$1.log" "$BIN/closesnoop" "${@:2}"
  RESULT=$(grep '^result:' "$OUT/$1.log" | tail -n 1)
}

# socket_stack FILE: the block of closesnoop's readable output for the
# close of a socket (a header line, then indented frames).
socket_stack() {
  awk '/^[^ ]/ { keep = ($6 == "socket") } keep' "$1"
}

# go_closer STACK: which Go code closed the socket, from closesnoop's stack
# of the close (socket_stack's output): cancel-chain (closeLocked ->
# conn.Close -> destroy), body-reader (Body.Read's read), read-loop
# (readLoop's own read), write-loop (writeLoop's write), other; none when
# there is no stack.
go_closer() {
  if [ ! -s "$1" ]; then
    echo none
  elif grep -q 'closeLocked' "$1"; then
    echo cancel-chain
  elif grep -q 'bodyEOFSignal' "$1"; then
    echo body-reader
  elif grep -q 'readLoop' "$1"; then
    echo read-loop
  elif grep -q 'writeLoop' "$1"; then
    echo write-loop
  else
    echo other
  fi
}

# cancelchain_run NAME COMMAND...: cancelchain times the cancel chain of
# exactly COMMAND; the timeline goes to $OUT/NAME, its stderr (and the
# client's) to $OUT/NAME.log. Sets RESULT to the client's result line.
cancelchain_run() {
  lab_run_to "$OUT/$1" "$OUT/$1.log" "$BIN/cancelchain" -- "${@:2}"
  RESULT=$(grep '^result:' "$OUT/$1.log" | tail -n 1)
}

# chain_from_user FILE: a cancelchain timeline from the user's cancel (the
# line cancelchain labels so) to the close of the fd that the chain
# destroyed, in µs after that cancel, without thread ids, callers or the C
# functions' Go names and epoll fds (the .chain file has them all). Nothing when the
# timeline has no user's cancel.
chain_from_user() {
  awk '
    !start && /\(the user.s cancel\)/ { start = $1 }
    !start { next }
    {
      line = $0
      sub(/^ *[0-9.]+ +tid [0-9]+ +/, "", line)
      sub(/ +from [^ ]+/, "", line)
      sub(/ \(as [^ ]+\)/, "", line)
      sub(/ epfd [0-9]+/, "", line)
      printf "%+.1f  %s\n", $1 - start, line
    }
    fd == "" && /(destroy|close_connection)/ { fd = $NF }
    fd != "" && index($0, "close(fd " fd ")") { exit }' "$1"
}

# two_columns WIDTH LEFT RIGHT: the two files side by side, WIDTH columns
# for the left one (0: as wide as its longest line), runs of spaces
# squeezed (for stacks and timelines).
two_columns() {
  awk -v width="$1" '
    NR == FNR { gsub(/ +/, " "); left[FNR] = $0; n = FNR; if (length($0) > w) w = length($0); next }
    { right[FNR] = $0; m = FNR }
    END {
      if (width == 0) width = w + 2
      for (i = 1; i <= (n > m ? n : m); i++) {
        l = (i in left) ? left[i] : ""
        r = (i in right) ? right[i] : ""
        gsub(/ +/, " ", r)
        row = sprintf("%-" width "s %s", substr(l, 1, width), r)
        sub(/ +$/, "", row)
        print row
      }
    }' "$2" "$3"
}

# say TEXT...: one line of the guided summary.
say() { printf '%s\n' "$*" | fit; }

# lab_end [PAGE]: where the files are, and the page to open if there is one.
lab_end() {
  say "files: out/lab-$LAB/ ($(cd "$OUT" && ls | sed 's/.*\.//' | sort -u | grep -v '^log$' | sed 's/^/*./' | tr '\n' ' ' | sed 's/ $//'))"
  [ -n "${1:-}" ] && say "page:  out/lab-$LAB/$1"
  return 0
}
