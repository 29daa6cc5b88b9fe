#!/usr/bin/env bash
# capture-docs.sh [N...]: runs the labs and pastes their real output into
# docs/lab-N.md, between markers, so the pages show what this machine prints:
#   <!-- capture: summary -->             the lab's summary
#   <!-- capture: file NAME [LINES] -->   out/lab-N/NAME (its first LINES lines)
#   <!-- capture: versions -->            kernel, strace, Go, tracediff's inputs
#   <!-- capture: needs -->               each lab's needs (scripts/lab.sh --needs-table)
# each closed by <!-- /capture -->. `make docs` runs it for every lab; then it
# pastes the needs table into docs/teacher/guide.md (no lab runs for that).
# capture-docs.sh --needs: the needs table alone, no lab run.
set -euo pipefail
cd "$(dirname "$0")/.."
labs=("$@")
if [ "${1:-}" = --needs ]; then
  labs=()
elif [ ${#labs[@]} -eq 0 ]; then
  mapfile -t labs < <(scripts/lab.sh --list | cut -f 1)
fi

versions() {
  echo "Captured $(date -u +%Y-%m-%d) on Linux $(uname -r), $(strace -V | head -n 1 | sed 's/ -- version//')," \
    "$(go version | awk '{ print $3 }'), $(gcc --version | head -n 1 | sed 's/ (.*)//')."
}

needs=$(mktemp)
trap 'rm -f "$needs"' EXIT
scripts/lab.sh --needs-table >"$needs"

# paste PAGE OUT SUMMARY: PAGE's markers filled in (OUT: the lab's out/ dir).
paste_captures() {
  awk -v out="$2" -v summary="$3" -v needs="$needs" -v versions="$(versions)" '
    function emit_file(path, limit,   line, count) {
      while ((getline line < path) > 0) {
        if (limit && ++count > limit) { print "..."; break }
        print line
      }
      close(path)
    }
    /^<!-- \/capture -->$/ { skipping = 0 }
    skipping { next }
    { print }
    /^<!-- capture: / {
      skipping = 1
      if ($3 == "summary") { print "```"; emit_file(summary, 0); print "```" }
      else if ($3 == "file") { print "```"; emit_file(out "/" $4, $5 ~ /^[0-9]+$/ ? $5 : 0); print "```" }
      else if ($3 == "versions") print versions
      else if ($3 == "needs") emit_file(needs, 0)
    }
  ' "$1" >"$1.new"
  mv "$1.new" "$1"
  echo "capture-docs: $1"
}

for n in ${labs[@]+"${labs[@]}"}; do
  summary=$(mktemp)
  scripts/lab.sh "$n" >"$summary"
  paste_captures "docs/lab-$n.md" "out/lab-$n" "$summary"
  rm -f "$summary"
done
[ ! -f docs/teacher/guide.md ] || paste_captures docs/teacher/guide.md /dev/null /dev/null
