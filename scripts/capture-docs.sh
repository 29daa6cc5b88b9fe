#!/usr/bin/env bash
# capture-docs.sh [N...]: runs the labs and pastes their real output into
# docs/lab-N.md, between markers, so the pages show what this machine prints:
#   <!-- capture: summary -->             the lab's summary
#   <!-- capture: file NAME [LINES] -->   out/lab-N/NAME (its first LINES lines)
#   <!-- capture: versions -->            kernel, strace, Go, tracediff's inputs
# each closed by <!-- /capture -->. `make docs` runs it for every lab.
set -euo pipefail
cd "$(dirname "$0")/.."
labs=("$@")
[ ${#labs[@]} -gt 0 ] || mapfile -t labs < <(scripts/lab.sh --list | cut -f 1)

versions() {
  echo "Captured $(date -u +%Y-%m-%d) on Linux $(uname -r), $(strace -V | head -n 1 | sed 's/ -- version//')," \
    "$(go version | awk '{ print $3 }'), $(gcc --version | head -n 1 | sed 's/ (.*)//')."
}

for n in "${labs[@]}"; do
  page=docs/lab-$n.md
  summary=$(mktemp)
  scripts/lab.sh "$n" >"$summary"
  awk -v out="out/lab-$n" -v summary="$summary" -v versions="$(versions)" '
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
    }
  ' "$page" >"$page.new"
  mv "$page.new" "$page"
  rm -f "$summary"
  echo "capture-docs: $page"
done
