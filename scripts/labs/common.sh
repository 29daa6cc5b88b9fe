# common.sh: what every lab shares. Sourced by scripts/lab.sh.
# A lab starts its own labserver, traces its subjects with strace, turns
# the raw traces into stories with tracediff, writes everything to
# out/lab-N/ and stops whatever it started, Ctrl-C included.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin

# The calls that tell a connection's story; everything else is runtime
# noise. clock_nanosleep shows stage 2's sleeps in the raw trace (the story
# drops it).
STRACE_CALLS=socket,connect,getsockopt,setsockopt,getpeername,getsockname,fcntl,read,write,recvfrom,sendto
STRACE_CALLS=$STRACE_CALLS,epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,epoll_pwait2,timerfd_create
STRACE_CALLS=$STRACE_CALLS,timerfd_settime,pipe2,eventfd2,shutdown,close,clock_nanosleep
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

# lab_begin N TITLE: fresh out/lab-N/, a labserver on a free port (PORT, URL).
lab_begin() {
  LAB=$1
  OUT=$ROOT/out/lab-$1
  rm -rf "$OUT"
  mkdir -p "$OUT"
  trap lab_stop_all EXIT
  trap 'echo; echo "lab-$LAB: interrupted; everything it started is stopped"; exit 130' INT TERM
  printf '== lab %s: %s ==\n' "$1" "$2"

  "$BIN/labserver" --port 0 >"$OUT/labserver.log" 2>&1 &
  lab_pids+=("$!")
  local i
  for i in $(seq 100); do
    PORT=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/labserver.log")
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  if [ -z "$PORT" ]; then
    echo "lab-$LAB: labserver did not start: $(cat "$OUT/labserver.log")" >&2
    exit 1
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
  lab_pids+=("$tracer")
  if [ "$stop_after" != 0 ]; then
    for i in $(seq $((stop_after * 20))); do
      kill -0 "$tracer" 2>/dev/null || break
      sleep 0.05
    done
    # The tracee is strace's child: stop it, and strace ends by itself.
    child=$(pgrep -P "$tracer" | head -n 1)
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  fi
  wait "$tracer"
  RESULT=$(tail -n 1 "$OUT/$name.stderr")
  "$BIN/tracediff" normalize "$OUT/$name.strace" >"$OUT/$name.story"
}

# lab_compare NAME LEFT RIGHT LEFT_TITLE RIGHT_TITLE: the two stories side by
# side, as text (100 columns) and as a page.
lab_compare() {
  "$BIN/tracediff" side-by-side --width 100 --html "$OUT/$1.html" \
    --left-title "$4" --right-title "$5" "$OUT/$2.story" "$OUT/$3.story" >"$OUT/$1.txt"
}

# story_lines NAME PHASE...: the story lines of NAME in these phases.
story_lines() {
  local name=$1
  shift
  local phases
  phases=$(printf '%s|' "$@")
  grep -E "^(${phases%|}) " "$OUT/$name.story"
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
  local name=$1 pid
  shift
  "$BIN/closesnoop" "$@" >"$OUT/$name" 2>"$OUT/$name.log" </dev/null &
  pid=$!
  lab_pids+=("$pid")
  wait "$pid"
  RESULT=$(grep '^result:' "$OUT/$name.log" | tail -n 1)
}

# socket_stack FILE: the block of closesnoop's readable output for the
# close of a socket (a header line, then indented frames).
socket_stack() {
  awk '/^[^ ]/ { keep = ($6 == "socket") } keep' "$1"
}

# cancelchain_run NAME COMMAND...: cancelchain times the cancel chain of
# exactly COMMAND; the timeline goes to $OUT/NAME, its stderr (and the
# client's) to $OUT/NAME.log. Sets RESULT to the client's result line.
cancelchain_run() {
  local name=$1 pid
  shift
  "$BIN/cancelchain" -- "$@" >"$OUT/$name" 2>"$OUT/$name.log" </dev/null &
  pid=$!
  lab_pids+=("$pid")
  wait "$pid"
  RESULT=$(grep '^result:' "$OUT/$name.log" | tail -n 1)
}

# chain_lines FILE: a cancelchain timeline from its first cancel on (the
# closes before it are start-up), without thread ids, for reading two side
# by side.
chain_lines() {
  sed -n '/cancel/,$p' "$1" | sed -E 's/ +tid [0-9]+ +/  /'
}

# two_columns LEFT RIGHT: the two files side by side, 47 columns for the
# left one, runs of spaces squeezed (for stacks and timelines).
two_columns() {
  awk -v width=47 '
    NR == FNR { left[FNR] = $0; n = FNR; next }
    { right[FNR] = $0; m = FNR }
    END {
      for (i = 1; i <= (n > m ? n : m); i++) {
        l = (i in left) ? left[i] : ""
        gsub(/ +/, " ", l)
        r = (i in right) ? right[i] : ""
        gsub(/ +/, " ", r)
        printf "%-" width "s %s\n", substr(l, 1, width), r
      }
    }' "$1" "$2"
}

# say TEXT...: one line of the guided summary.
say() { printf '%s\n' "$*" | fit; }

# socket_fd TRACE: the fd the traced program's first socket() returned.
socket_fd() {
  grep -E ' socket\(| <\.\.\. socket resumed>' "$1" | grep -m 1 -oE '= [0-9]+$' | cut -c3-
}

# calls_on TRACE CALL FD: how many CALL(FD, ...) lines the raw trace has.
calls_on() {
  grep -cE "^[0-9]+ +$2\($3[,)]" "$1"
}

# lab_end [PAGE]: where the files are, and the page to open if there is one.
lab_end() {
  say "files: out/lab-$LAB/ ($(cd "$OUT" && ls | sed 's/.*\.//' | sort -u | grep -v '^log$' | sed 's/^/*./' | tr '\n' ' ' | sed 's/ $//'))"
  [ -n "${1:-}" ] && say "page:  out/lab-$LAB/$1"
  return 0
}
