#!/usr/bin/env bash
# report.sh: runs every lab (those `scripts/lab.sh --list` names, so a new
# lab gets its section by existing) and writes one self-contained page of
# them all, out/index.html. `make report` builds first, then calls this.
# Each lab's summary is kept as out/lab-N/summary.txt; saved after the
# lab ends, because lab_begin empties out/lab-N/.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/.." && pwd)
OUT=$ROOT/out
run=$(mktemp -d "${TMPDIR:-/tmp}/ctxlab-report.XXXXXX")
trap 'rm -rf "$run"' EXIT
trap 'echo; echo "report: interrupted; out/index.html not written"; exit 130' INT TERM

mkdir -p "$OUT" || exit 1
"$here/lab.sh" --list >"$run/labs" || exit 1
date '+%Y-%m-%d %H:%M:%S %Z' >"$run/started"
echo "$(uname -n), Linux $(uname -r), as $(id -un)" >"$run/host"

while IFS=$'\t' read -r n _; do
  start=$(date +%s%N)
  # The labs run in the foreground: a Ctrl-C reaches them, and they stop
  # what they started.
  "$here/lab.sh" "$n" >"$run/lab-$n.out" 2>"$run/lab-$n.err" </dev/null
  rc=$?
  echo "$rc" >"$run/lab-$n.rc"
  echo $((($(date +%s%N) - start) / 1000000)) >"$run/lab-$n.ms"
  case $rc in
    0) cp "$run/lab-$n.out" "$OUT/lab-$n/summary.txt"; echo "report: lab $n ran" ;;
    2) echo "report: lab $n could not run here: $(tail -n 1 "$run/lab-$n.err")" ;;
    *) echo "report: lab $n failed (exit $rc): $(tail -n 1 "$run/lab-$n.err")" ;;
  esac
done <"$run/labs"

# Written aside, then moved: a half-written page never replaces a whole one.
if ! "$here/report/page.sh" "$run" >"$OUT/index.html.new"; then
  rm -f "$OUT/index.html.new"
  echo "report: could not write the page" >&2
  exit 1
fi
mv "$OUT/index.html.new" "$OUT/index.html"
echo "report: out/index.html ($(wc -c <"$OUT/index.html") bytes)"
