#!/usr/bin/env bash
# The exercises (docs/exercises/): each reference solution passes its check,
# each untouched starter (the stage's own file) fails it with the missing
# phase and one hint, and the check's usage errors exit 2. Never touches
# exercises/work/: the check is given the file and a directory of its own.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

starter() {
  case $1 in
    1 | 4) echo clients/03-epoll.c ;;
    2) echo clients/01-blocking.c ;;
    3) echo clients/04-deadline.c ;;
    5) echo clients/05-cancel.c ;;
  esac
}

# check_exercise N FILE: runs the check, its output in $T/check.out; sets RC.
check_exercise() {
  EXERCISE_OUT=$T/ex$1 timeout --foreground -k 2 20 scripts/check-exercise.sh "$1" "$2" >"$T/check.out" 2>&1 </dev/null
  RC=$?
}

for n in 1 2 3 4 5; do
  solution=$(ls exercises/solutions/"$n"-*.c 2>/dev/null | head -n 1)
  if [ -z "$solution" ]; then
    not_ok "exercise $n: a reference solution in exercises/solutions/" "none"
    continue
  fi
  check_exercise "$n" "$solution"
  check "exercise $n: $solution passes its check" "exit $RC: $(head -n 3 "$T/check.out")" \
    eval '[ "$RC" -eq 0 ] && grep -q "^exercise $n: PASS (" "$T/check.out"'

  check_exercise "$n" "$(starter "$n")"
  check "exercise $n: the untouched starter $(starter "$n") fails, naming the missing phase and one hint" \
    "exit $RC: $(head -n 3 "$T/check.out")" \
    eval '[ "$RC" -eq 1 ] && grep -q "^exercise $n: FAIL: missing " "$T/check.out" &&
      [ "$(grep -c "^  hint: " "$T/check.out")" -eq 1 ]'
done

# The solutions are built as the stages are: gnu11, -Wall -Wextra -Werror.
check "the solutions build warning-free with the stage clients' flags" "see above" \
  bash -c 'for f in exercises/solutions/*.c; do cc -std=gnu11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -Iclients \
    -fsyntax-only "$f" || exit 1; done'

# Usage: a bad N, too many arguments, a missing file: exit 2, no run.
usage_rc() {
  scripts/check-exercise.sh "$@" >/dev/null 2>&1 </dev/null
  [ $? -eq 2 ]
}
check "check-exercise.sh with N=0, N=6, no N, three arguments or a missing file exits 2" "one did not" \
  eval 'usage_rc 0 && usage_rc 6 && usage_rc && usage_rc 1 a b && usage_rc 1 "$T/no-such-file.c"'

# No labserver left behind by the checks.
left=$(pgrep -f "^$BIN/labserver --port 0\$" | while read -r pid; do
  [ "$(readlink "/proc/$pid/cwd")" = "$ROOT" ] && grep -qs "EXERCISE_OUT=$T" "/proc/$pid/environ" && echo "$pid"; done)
check "the checks leave no labserver running" "left: $left" test -z "$left"
