#!/usr/bin/env bash
# closesnoop: who calls close(), with stacks, for C and Go. Needs root (tests/run.sh
# runs as root), bpftool, setpriv and cc. Every closesnoop run is time-limited,
# and the group checks that none of its eBPF programs stays loaded.
source "$(dirname "$0")/../lib.sh"

CS=${CLOSESNOOP:-$BIN/closesnoop} # CLOSESNOOP: try the checks on another build
LIMIT=(timeout --foreground -k 2)

# Our programs, and those loaded since the group began.
prog_ids() { bpf_prog_ids handle_close handle_exec; }
BASELINE=$(prog_ids | tr '\n' ' ')
new_progs() { bpf_new_progs "$BASELINE" handle_close handle_exec; }
expect_nothing_attached() {
  local left
  left=$(new_progs | tr '\n' ' ')
  if [ -z "$left" ]; then ok "$1"; else not_ok "$1" "programs still loaded: $left"; fi
}

# block OUT KIND: the first readable event block whose fd kind is KIND.
block() {
  awk -v kind="$2" '
    /^[0-9]+\.[0-9]+ / { if (done) exit; inblk = ($NF == kind) }
    inblk && /^$/ { done = 1 }
    inblk && !/^$/' "$1"
}
# frames BLOCK: its frame lines, indentation removed.
frames() { sed -n 's/^    //p' <<<"$1"; }

# start_bg NAME ARGS...: closesnoop ARGS in the background, output in
# $T/NAME.out and $T/NAME.err; waits for the "Tracing close()" line (the
# contract that it is attached). Sets BG_PID (closesnoop) and BG_WRAP (its
# timeout wrapper, what to wait for).
start_bg() {
  local name=$1 i
  shift
  "${LIMIT[@]}" 30 "$CS" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
  BG_WRAP=$!
  started_pids+=("$BG_WRAP")
  BG_PID=
  for i in $(seq 100); do
    [ -z "$BG_PID" ] && BG_PID=$(pgrep -P "$BG_WRAP" -x closesnoop)
    grep -q '^Tracing close() .*Ctrl-C to end\.$' "$T/$name.err" && [ -n "$BG_PID" ] && return 0
    kill -0 "$BG_WRAP" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

if [ "$(id -u)" -ne 0 ] || ! command -v bpftool >/dev/null || [ ! -x "$CS" ]; then
  not_ok "closesnoop group" "needs root, bpftool and build/bin/closesnoop (make all)"
  exit 0
fi
start_labserver || { not_ok "closesnoop group" "labserver did not start"; exit 0; }
URL=http://127.0.0.1:$PORT/stall

# 1. A C client: the deadline's close(sock), with the frame that frame-pointer
#    unwinding skips (fetch, the caller of glibc's frameless close) recovered.
"${LIMIT[@]}" 20 "$CS" -- "$BIN/c-deadline" -q -t 200 "$URL" >"$T/c.out" 2>"$T/c.err" </dev/null
rc=$?
check "closesnoop -- c-deadline exits with the client's status (1)" "exit $rc: $(tail -n 3 "$T/c.err")" \
  [ "$rc" -eq 1 ]
sock=$(block "$T/c.out" socket)
fr=$(frames "$sock")
check "c-deadline: an event for the socket's close" "no block with KIND socket in: $(head -c 400 "$T/c.out")" \
  [ -n "$sock" ]
check "c-deadline: the innermost frame is __close in libc" "frames: $(head -n 2 <<<"$fr" | tr '\n' '|')" \
  grep -qE '^__close\+0x[0-9a-f]+ \(libc\.so\.6\)$' <<<"$(head -n 1 <<<"$fr")"
check "c-deadline: fetch, skipped by frame pointers, recovered by CFI as frame 2" \
  "frames: $(head -n 3 <<<"$fr" | tr '\n' '|')" \
  grep -qE '^fetch\+0x[0-9a-f]+ \[from CFI\]$' <<<"$(sed -n 2p <<<"$fr")"
check "c-deadline: then client_main, then main" "frames: $(tr '\n' '|' <<<"$fr")" \
  grep -qE '^client_main\+0x[0-9a-f]+$' <<<"$(sed -n 3p <<<"$fr")"
check "c-deadline: main follows client_main" "frames: $(tr '\n' '|' <<<"$fr")" \
  grep -qE '^main\+0x[0-9a-f]+$' <<<"$(sed -n 4p <<<"$fr")"
check "c-deadline: the timerfd and the epoll fd are named" "kinds: $(awk '/^[0-9]+\./ {print $NF}' "$T/c.out" | tr '\n' ' ')" \
  bash -c "grep -qE ' anon:\[timerfd\]$' '$T/c.out' && grep -qE ' anon:\[eventpoll\]$' '$T/c.out'"
check "closesnoop -- c-deadline reports lost events (0) at the end" "stderr: $(tail -n 2 "$T/c.err")" \
  grep -qx 'lost 0 events' "$T/c.err"

# 2. The Go client: readLoop's read drops the last reference, destroy closes.
# Now and then (about 1 run in 30) the main goroutine's cancelRequest drops
# it instead; destroy always closes. Up to 3 runs to see readLoop.
for try in 1 2 3; do
  "${LIMIT[@]}" 20 "$CS" -- "$BIN/go-client" -q -t 200 "$URL" >"$T/go.out" 2>"$T/go.err" </dev/null
  rc=$?
  sock=$(block "$T/go.out" socket)
  fr=$(frames "$sock")
  grep -q '^net/http\.(\*persistConn)\.readLoop+0x' <<<"$fr" && break
done
check "closesnoop -- go-client exits with the client's status (1)" "exit $rc: $(tail -n 3 "$T/go.err")" \
  [ "$rc" -eq 1 ]
check "go-client: the socket's close comes from internal/poll.(*FD).destroy" \
  "frames: $(tr '\n' '|' <<<"$fr" | head -c 600)" grep -q '^internal/poll\.(\*FD)\.destroy+0x' <<<"$fr"
check "go-client: ... called from net/http.(*persistConn).readLoop (run $try of up to 3)" "frames: $(tr '\n' '|' <<<"$fr" | head -c 600)" \
  grep -q '^net/http\.(\*persistConn)\.readLoop+0x' <<<"$fr"
check "go-client: Syscall6's caller, skipped by frame pointers, recovered by CFI" \
  "frames: $(head -n 3 <<<"$fr" | tr '\n' '|')" \
  bash -c "grep -q '^runtime/internal/syscall\.Syscall6+0x' <<<'$(sed -n 1p <<<"$fr")' &&
           grep -qE '^syscall\.[A-Za-z0-9]+\+0x[0-9a-f]+ \[from CFI\]$' <<<'$(sed -n 2p <<<"$fr")'"

# 3. A process that is gone before closesnoop reads its events: closesnoop is
#    stopped while a tiny program, run by a relative path, closes and exits.
cat >"$T/tinyclose.c" <<'EOF'
#include <fcntl.h>
#include <unistd.h>
void close_and_leave(void) { close(open("/dev/null", O_RDONLY)); }
int main(void) { close_and_leave(); return 0; }
EOF
if ! cc -g -O0 -fno-omit-frame-pointer "$T/tinyclose.c" -o "$T/tinyclose" 2>"$T/cc.err"; then
  not_ok "an exited process is symbolized" "cc failed: $(head -c 300 "$T/cc.err")"
elif ! start_bg tiny -n tinyclose; then
  not_ok "an exited process is symbolized" "closesnoop -n did not attach: $(head -c 300 "$T/tiny.err")"
else
  kill -STOP "$BG_PID"
  (cd "$T" && "${LIMIT[@]}" 10 ./tinyclose)
  gone=$(pgrep -x tinyclose || echo gone)
  kill -CONT "$BG_PID"
  sleep 0.5
  kill -INT "$BG_PID"
  wait "$BG_WRAP"
  rc=$?
  fr=$(frames "$(block "$T/tiny.out" chr)")
  check "an exited process is symbolized: close_and_leave (CFI) and main, no bare addresses" \
    "exit $rc, process $gone, frames: $(tr '\n' '|' <<<"$fr")" \
    bash -c "[ $rc -eq 0 ] && [ '$gone' = gone ] &&
             grep -qE '^close_and_leave\+0x[0-9a-f]+ \[from CFI\]$' <<<'$fr' &&
             grep -qE '^main\+0x[0-9a-f]+$' <<<'$fr' && ! grep -qE '^0x' <<<'$fr'"
fi

# 3b. glibc's close moves sp once the process has threads: the CFI step, not a
#     fixed guess at *sp, finds the caller on both paths.
cat >"$T/threadclose.c" <<'EOF'
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
void close_in_thread(void) { close(open("/dev/null", O_RDONLY)); }
static void *worker(void *arg) { close_in_thread(); return arg; }
int main(void) { pthread_t t; pthread_create(&t, 0, worker, 0); return pthread_join(t, 0); }
EOF
if ! cc -g -O0 -fno-omit-frame-pointer -pthread "$T/threadclose.c" -o "$T/threadclose" 2>"$T/cc.err"; then
  not_ok "threaded close: the caller recovered by CFI" "cc failed: $(head -c 300 "$T/cc.err")"
else
  "${LIMIT[@]}" 20 "$CS" -- "$T/threadclose" >"$T/thread.out" 2>"$T/thread.err" </dev/null
  fr=$(frames "$(block "$T/thread.out" chr)")
  check "threaded close (glibc moves sp): close_in_thread recovered by CFI, then worker" \
    "frames: $(tr '\n' '|' <<<"$fr")" \
    bash -c "grep -qE '^__close\+0x[0-9a-f]+ \(libc\.so\.6\)$' <<<'$(sed -n 1p <<<"$fr")' &&
             grep -qE '^close_in_thread\+0x[0-9a-f]+ \[from CFI\]$' <<<'$(sed -n 2p <<<"$fr")' &&
             grep -qE '^worker\+0x[0-9a-f]+$' <<<'$(sed -n 3p <<<"$fr")'"
fi

# 4. Without privileges: one line, exit 2, before anything is loaded.
"${LIMIT[@]}" 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$CS" -d 1 >"$T/nobody.out" 2>"$T/nobody.err"
rc=$?
check "closesnoop as nobody: exit 2 and the one-line privilege message" "exit $rc: $(head -c 300 "$T/nobody.err")" \
  bash -c "[ $rc -eq 2 ] && [ \"\$(cat '$T/nobody.err')\" = 'closesnoop: needs root or CAP_BPF and CAP_PERFMON to load eBPF programs: run it with sudo' ]"

# 5. Ctrl-C: attached while it runs, detached after, exit 0.
if ! start_bg sigint -n c-deadline; then
  not_ok "closesnoop -n prints 'Tracing close() ... Ctrl-C to end.' once attached" "$(head -c 300 "$T/sigint.err")"
else
  ok "closesnoop -n prints 'Tracing close() ... Ctrl-C to end.' once attached"
  check "bpftool lists closesnoop's handle_close while it runs" "bpftool prog show: no new handle_close" \
    bash -c "bpftool prog show | grep -q ' name handle_close ' && [ -n '$(new_progs)' ]"
  run_client c-deadline -q -t 100 "$URL"
  sleep 0.3
  kill -INT "$BG_PID"
  wait "$BG_WRAP"
  rc=$?
  check "closesnoop -n c-deadline saw the client's socket close" "output: $(head -c 300 "$T/sigint.out")" \
    grep -qE '^[0-9]+\.[0-9]{6} +c-deadline +[0-9]+ +[0-9]+ +3 socket$' "$T/sigint.out"
  check "SIGINT: closesnoop exits 0 and says how many events it lost" "exit $rc: $(tail -n 2 "$T/sigint.err")" \
    bash -c "[ $rc -eq 0 ] && grep -qE '^lost [0-9]+ events$' '$T/sigint.err'"
  expect_nothing_attached "SIGINT: no closesnoop program left in bpftool prog show"
fi

# 6. Machine-readable output.
"${LIMIT[@]}" 20 "$CS" --folded -- "$BIN/go-client" -q -t 200 "$URL" >"$T/folded" 2>"$T/folded.err" </dev/null
bad=$(grep -cvE '^[^ ;]+(;[^;]+)* [0-9]+$' "$T/folded")
check "--folded: every line is comm;outermost;...;innermost COUNT" \
  "$bad bad lines of $(wc -l <"$T/folded"): $(grep -vE '^[^ ;]+(;[^;]+)* [0-9]+$' "$T/folded" | head -n 2)" \
  bash -c "[ $bad -eq 0 ] && [ -s '$T/folded' ]"
check "--folded: go-client's close through FD.destroy, outermost first, no offsets" "$(head -c 400 "$T/folded")" \
  grep -qE '^go-client;runtime\.goexit[^;]*;.*;internal/poll\.\(\*FD\)\.destroy;[^+]*Syscall6 [0-9]+$' \
  "$T/folded"

"${LIMIT[@]}" 20 "$CS" --json -- "$BIN/c-deadline" -q -t 200 "$URL" >"$T/json" 2>"$T/json.err" </dev/null
if command -v python3 >/dev/null; then
  why=$(python3 - "$T/json" <<'EOF' 2>&1
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines, "no output"
keys = ["time_us", "comm", "pid", "tid", "fd", "kind", "stack"]
fkeys = ["ip", "sym", "off", "module"]
found = False
for line in lines:
    ev = json.loads(line)
    assert list(ev)[:7] == keys, "fields: %s" % list(ev)
    for f in ev["stack"]:
        assert all(k in f for k in fkeys), "frame fields: %s" % f
        assert f["ip"].startswith("0x")
    if ev["kind"] == "socket":
        syms = [f["sym"] for f in ev["stack"]]
        assert syms[:4] == ["__close", "fetch", "client_main", "main"], syms
        assert ev["stack"][1].get("cfi") is True and ev["stack"][0]["module"] == "libc.so.6"
        found = True
assert found, "no socket event"
EOF
  )
else
  why=$(grep -cvE '^\{"time_us":[0-9]+,"comm":"([^"\\]|\\.)*","pid":[0-9]+,"tid":[0-9]+,"fd":-?[0-9]+,"kind":"([^"\\]|\\.)*","stack":\[(\{"ip":"0x[0-9a-f]+","sym":("([^"\\]|\\.)*"|null),"off":([0-9]+|null),"module":("([^"\\]|\\.)*"|null)[^{}]*\},?)*\]\}$' "$T/json")
  [ "$why" = 0 ] && [ -s "$T/json" ] && why= || why="$why lines are not the expected JSON"
fi
check "--json: every line is a JSON object with the fields; the socket's stack is __close, fetch (cfi), ..." \
  "$why" [ -z "$why" ]

# 7. Bad input: one line, the right status, nothing attached.
# expect_error NAME STATUS REGEX ARGS...
expect_error() {
  local name=$1 status=$2 regex=$3 rc
  shift 3
  "${LIMIT[@]}" 10 "$CS" "$@" >"$T/bad.out" 2>"$T/bad.err" </dev/null
  rc=$?
  if [ "$rc" -eq "$status" ] && [ "$(wc -l <"$T/bad.err")" -eq 1 ] && grep -qE "$regex" "$T/bad.err" &&
    [ ! -s "$T/bad.out" ]; then
    ok "$name"
  else
    not_ok "$name" "want exit $status and one line /$regex/, got exit $rc: $(head -c 300 "$T/bad.err")"
  fi
}
expect_error "-p abc: not a process id" 2 "^closesnoop: -p 'abc': not a process id" -p abc
expect_error "-p 999999999: no such process" 2 "^closesnoop: -p 999999999: no such process" -p 999999999
expect_error "-n with 20 characters: too long for a comm" 2 "^closesnoop: -n 'abcdefghijklmnopqrst': 20 characters" \
  -n abcdefghijklmnopqrst
expect_error "unknown flag" 2 "^closesnoop: unknown flag --bogus" --bogus
expect_error "-- /nonexistent: cannot run it, exit 127" 127 \
  "^closesnoop: cannot run '/nonexistent': No such file or directory$" -- /nonexistent
expect_error "-- a command not in PATH: exit 127" 127 \
  "^closesnoop: cannot run 'ctxlab-no-such-cmd': No such file or directory$" -- ctxlab-no-such-cmd
# 7b. A script whose #! interpreter is missing: exec would say "No such file
#     or directory" for a file that exists, after the header. Named, before
#     anything is printed or attached.
printf '#!/nonexistent/interp\necho hi\n' >"$T/bad-shebang"
chmod +x "$T/bad-shebang"
expect_error "-- a script whose #! interpreter is missing: names it, exit 127, no header" 127 \
  "^closesnoop: cannot run '.*/bad-shebang': its interpreter /nonexistent/interp does not exist$" -- "$T/bad-shebang"

expect_nothing_attached "after every run above, no closesnoop program is left loaded"

# controls FILE: how many bytes of FILE are control characters other than \n
# and \t (what a terminal would act on).
controls() { LC_ALL=C tr -d '\n\t\040-\176\200-\377' <"$1" | wc -c; }

# 8. A process that names itself with terminal escapes (any local user can):
#    no control byte reaches the terminal, the name shows escaped, in text,
#    with -n, and in --folded.
EVIL=$(printf '\033]0;pwn\007\033[2J')
EVIL_SHOWN='\x1b]0;pwn\x07\x1b[2J'
EVIL_FOLDED='\x1b]0_pwn\x07\x1b[2J' # ';' is '_' there
RENAME='printf "\033]0;pwn\007\033[2J" >/proc/self/comm; exec 3</dev/null; exec 3<&-; sleep 0.2'
"${LIMIT[@]}" 20 "$CS" -- sh -c "$RENAME" >"$T/evil.out" 2>"$T/evil.err" </dev/null
rc=$?
check "a comm with ESC and BEL: no control byte in the text output, the name shown escaped" \
  "exit $rc, $(controls "$T/evil.out") control bytes; $(grep -a 'pwn' "$T/evil.out" | head -n 2 | cat -v)" \
  bash -c "[ $rc -eq 0 ] && [ $(controls "$T/evil.out") -eq 0 ] && grep -qF '$EVIL_SHOWN' '$T/evil.out'"
"${LIMIT[@]}" 20 "$CS" --folded -- sh -c "$RENAME" >"$T/evil.folded" 2>/dev/null </dev/null
check "a comm with ESC and BEL: --folded escapes it too" \
  "$(controls "$T/evil.folded") control bytes; $(grep -a 'pwn' "$T/evil.folded" | head -n 1 | cat -v)" \
  bash -c "[ $(controls "$T/evil.folded") -eq 0 ] && grep -qF '$EVIL_FOLDED;' '$T/evil.folded'"
if ! start_bg evil-n -n "$EVIL"; then
  not_ok "closesnoop -n with ESC and BEL in COMM: escaped in its output" "did not attach: $(head -c 300 "$T/evil-n.err" | cat -v)"
else
  "${LIMIT[@]}" 10 sh -c "$RENAME" </dev/null
  sleep 0.3
  kill -INT "$BG_PID"
  wait "$BG_WRAP"
  rc=$?
  check "closesnoop -n with ESC and BEL in COMM: escaped on stdout and stderr, and it matched" \
    "exit $rc; stdout $(controls "$T/evil-n.out"), stderr $(controls "$T/evil-n.err") control bytes: $(head -c 300 "$T/evil-n.err" | cat -v)" \
    bash -c "[ $rc -eq 0 ] && [ $(controls "$T/evil-n.out") -eq 0 ] && [ $(controls "$T/evil-n.err") -eq 0 ] &&
             grep -qF 'in tasks named $EVIL_SHOWN' '$T/evil-n.err' && grep -qF '$EVIL_SHOWN' '$T/evil-n.out'"
fi
EVIL_CMD="$T/run$EVIL"
cp /bin/true "$EVIL_CMD"
"${LIMIT[@]}" 20 "$CS" -- "$EVIL_CMD" >/dev/null 2>"$T/evilcmd.err" </dev/null
check "a command whose name has ESC and BEL: the 'Tracing ...' line shows it escaped" \
  "$(controls "$T/evilcmd.err") control bytes: $(head -c 300 "$T/evilcmd.err" | cat -v)" \
  bash -c "[ $(controls "$T/evilcmd.err") -eq 0 ] && grep -qF 'run$EVIL_SHOWN)' '$T/evilcmd.err'"

# 9. -p PID ends with PID, as cancelchain -p does: `pid N exited`, exit 0.
sleep 1 &
sleeper=$!
started_pids+=("$sleeper")
t0=$(date +%s%N)
"${LIMIT[@]}" 10 "$CS" -p "$sleeper" >"$T/pend.out" 2>"$T/pend.err" </dev/null
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "closesnoop -p: stops within 2 s of the process's end, says 'pid N exited', exit 0" \
  "exit $rc after $ms ms: $(tr '\n' '|' <"$T/pend.err" | head -c 300)" \
  bash -c "[ $rc -eq 0 ] && [ $ms -lt 3000 ] && grep -qx 'closesnoop: pid $sleeper exited' '$T/pend.err' &&
           grep -qE '^lost [0-9]+ events$' '$T/pend.err'"
expect_nothing_attached "after the runs of 8 and 9, no closesnoop program is left loaded"
