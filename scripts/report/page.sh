#!/usr/bin/env bash
# page.sh RUN: prints the report page (out/index.html's text) for one run
# of the labs. RUN is the directory scripts/report.sh filled: `labs` (the
# output of lab.sh --list), `started` (when), and for each lab N its
# lab-N.out (summary), lab-N.err, lab-N.rc and lab-N.ms. A lab's figures
# are read from out/lab-N/ only when it ran (exit 0): a lab that exited
# before lab_begin left an older run's files there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
OUT=$ROOT/out
run=$1

# html AWK-PROGRAM ARGS...: an awk program of this directory, with esc().
html() {
  local program=$1
  shift
  awk -f "$here/html.awk" -f "$here/$program" "$@"
}
# escaped FILE: the file's text, safe inside HTML.
escaped() { awk -f "$here/html.awk" -f <(echo '{ print esc($0) }') "$1"; }
# anchor TEXT...: an id made of letters, digits and dashes.
anchor() { echo "$*" | tr -c 'A-Za-z0-9-' '-' | sed 's/-*$//'; }

# side_by_sides N: each tracediff page of the lab, its table inline.
side_by_sides() {
  local page name
  for page in "$OUT/lab-$1"/*.html; do
    [ -f "$page" ] || continue
    name=$(basename "$page" .html)
    echo "<div class=\"sbs\">"
    html sbs-table.awk -v id="$(anchor "lab-$1-$name")" "$page"
    printf '<p class="caption">From out/lab-%s/%s.html (tracediff side-by-side), whole.</p>\n</div>\n' "$1" "$name"
  done
}

# flame_graphs N: an icicle graph for each folded-stacks file of the lab.
flame_graphs() {
  local folded name calls
  for folded in "$OUT/lab-$1"/*.folded; do
    [ -f "$folded" ] || continue
    name=$(basename "$folded" .folded)
    printf '<h3 id="%s">%s: the stacks of its close() calls</h3>\n' "$(anchor "lab-$1-flame-$name")" "$name"
    if ! grep -qE ' [0-9]+$' "$folded"; then
      printf '<p class="missing">out/lab-%s/%s.folded is empty: this run recorded no stack of a close().</p>\n' "$1" "$name"
      continue
    fi
    calls=$(awk '$NF ~ /^[0-9]+$/ { n += $NF; s++ } END { print n " close() call" (n == 1 ? "" : "s") ", " s " distinct stack" (s == 1 ? "" : "s") }' "$folded")
    LC_ALL=C sort "$folded" | html flame.awk -v title="$name: stacks of close()"
    printf '<p class="caption">From out/lab-%s/%s.folded: %s. Caller above callee, the innermost frame at the bottom; a box is as wide as the calls whose stack passes through it. A name cut short (…) is whole in its box&#39;s tooltip and in the file.</p>\n' "$1" "$name" "$calls"
  done
}

# timelines N: each cancel chain of the lab, whole and from the user's cancel.
timelines() {
  local chain name zoom
  for chain in "$OUT/lab-$1"/*.chain; do
    [ -f "$chain" ] || continue
    name=$(basename "$chain" .chain)
    printf '<h3 id="%s">%s: the cancel chain</h3>\n' "$(anchor "lab-$1-chain-$name")" "$name"
    if ! grep -qE '^ *[0-9.]+ ' "$chain"; then
      printf '<p class="missing">out/lab-%s/%s.chain is empty: cancelchain saw no event in this run.</p>\n' "$1" "$name"
      continue
    fi
    zoom=$(html timeline.awk -v from_cancel=1 -v title="$name: from the user's cancel" "$chain")
    if [ -n "$zoom" ]; then
      echo "$zoom"
      printf '<p class="caption">From out/lab-%s/%s.chain, from the line cancelchain marks as the user&#39;s cancel to its last event; a colour is a thread.</p>\n' "$1" "$name"
    else
      printf '<p class="missing">out/lab-%s/%s.chain has no line marked as the user&#39;s cancel.</p>\n' "$1" "$name"
    fi
    html timeline.awk -v title="$name: the whole run" "$chain"
    printf '<p class="caption">The same file, every event of the run, in µs since its first event.</p>\n'
  done
}

# lab_section N HELP: the lab's part of the page, from what its run left.
lab_section() {
  local n=$1 help=$2 rc ms
  rc=$(cat "$run/lab-$n.rc")
  ms=$(cat "$run/lab-$n.ms")
  printf '<section id="lab-%s">\n<h2>Lab %s: %s</h2>\n' "$n" "$n" "$(escaped <(echo "$help"))"
  case $rc in
    0)
      printf '<p class="status">Ran in %s s (scripts/lab.sh %s, exit 0); its files: out/lab-%s/.</p>\n' \
        "$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')" "$n" "$n"
      html summary.awk -v id="lab-$n-look" "$run/lab-$n.out"
      if [ -s "$run/lab-$n.err" ]; then
        printf '<p>It also wrote on stderr:</p>\n<pre class="summary">%s</pre>\n' "$(escaped "$run/lab-$n.err")"
      fi
      side_by_sides "$n"
      flame_graphs "$n"
      timelines "$n"
      ;;
    2)
      printf '<div class="cannot"><p class="status">This lab could not run here (exit 2), and ran nothing; it said:</p>\n<pre>%s</pre></div>\n' \
        "$(escaped "$run/lab-$n.err")"
      ;;
    *)
      printf '<div class="failed"><p class="status">This lab failed (exit %s); nothing of its files is shown. Its output:</p>\n<pre>%s</pre></div>\n' \
        "$rc" "$(cat "$run/lab-$n.out" "$run/lab-$n.err" | escaped /dev/stdin)"
      ;;
  esac
  echo "</section>"
}

# tracediff_style: the style of tracediff's pages (one, unless they differ),
# scoped to the tables: it also styles body and h1.
tracediff_style() {
  local page n
  for page in "$OUT"/lab-*/*.html; do
    n=${page#"$OUT/lab-"}
    n=${n%%/*}
    [ "$(cat "$run/lab-$n.rc" 2>/dev/null)" = 0 ] || continue
    sed -n 's/.*<style>\(.*\)<\/style>.*/\1/p' "$page"
  done | sort -u | awk -f "$here/scope-css.awk"
}

status_word() {
  case $(cat "$run/lab-$1.rc") in
    0) echo "" ;;
    2) echo " (could not run here)" ;;
    *) echo " (failed)" ;;
  esac
}

cat <<HEAD
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ctxlab: every lab, one run</title>
<style>
/* tracediff's own table style (from its pages), kept to the tables; the
   report's own style comes after it, to size them for a projector */
$(tracediff_style)
$(cat "$here/report.css")
</style>
</head>
<body>
<h1>ctxlab: what happens, syscall by syscall, when a request is cancelled</h1>
<p class="run">Every lab, run by <code>make report</code> on $(escaped "$run/host"), $(escaped "$run/started"). Everything below is read from that run's files (out/lab-N/).</p>
<nav><h2 id="contents">Contents</h2><ol>
HEAD
while IFS=$'\t' read -r n help; do
  printf '<li><a href="#lab-%s">Lab %s: %s</a>%s</li>\n' "$n" "$n" "$(escaped <(echo "$help"))" "$(status_word "$n")"
done <"$run/labs"
echo "</ol></nav>"
while IFS=$'\t' read -r n help; do
  lab_section "$n" "$help"
done <"$run/labs"
echo "</body>"
echo "</html>"
