#!/usr/bin/env bash
# check-docs-capture.sh [--varying-data] [--both-ways] PAGE SUMMARY LAB_SCRIPT...
# Could the summary captured in PAGE (between <!-- capture: summary --> and
# <!-- /capture -->) have come from the current lab code? SUMMARY is the
# summary of a fresh run; LAB_SCRIPT... are the scripts that print it.
# Numbers are masked on both sides (they change from run to run; lines
# wrapped at 100 columns are joined first, since numbers move the wrap).
# Each captured line must be one the scripts can print (a `say` whose
# expansions match anything), or appear in the fresh summary.
#   --varying-data  lines in a data block (after a line ending in ':', up to
#                   a blank line: stacks, chains) are not compared; they
#                   vary between runs by design.
#   --both-ways     also: each line of the fresh summary appears in PAGE
#                   (for labs whose summary has no branches).
# Prints one line per problem; exits 1 when there is one.
set -u
varying=0 both=0
while [ $# -gt 0 ]; do
  case $1 in
    --varying-data) varying=1; shift ;;
    --both-ways) both=1; shift ;;
    *) break ;;
  esac
done
page=$1 summary=$2
shift 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctxlab-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# unwrap: a line that `fit` continued (17 spaces, then text) joins the one before.
unwrap() {
  awk '/^                 [^ ]/ && NR > 1 { sub(/^ +/, ""); line = line " " $0; next }
       NR > 1 { print line } { line = $0 } END { if (NR) print line }'
}
# mask: numbers (decimal, hex, with , or . inside) become #, a run of them
# one #; runs of spaces one space (numbers' widths move columns).
mask() {
  sed -E 's/0x[0-9a-f]+/#/g; s/[0-9]+([.,][0-9]+)*/#/g; s/#( +#)+/#/g; s/ +/ /g'
}

awk '/^<!-- \/capture -->$/ { keep = 0 } keep && !/^```$/ { print }
     /^<!-- capture: summary -->$/ { keep = 1 }' "$page" | unwrap >"$tmp/page"
if [ ! -s "$tmp/page" ]; then
  echo "$page: no captured summary (<!-- capture: summary --> ... <!-- /capture -->)"
  exit 1
fi
unwrap <"$summary" | mask >"$tmp/fresh"

# The `say` lines of the scripts as regular expressions: the text literal,
# every $name, ${...} and $(...) (nested, quoted) as .*
cat "$@" | awk -v apos="'" '
  /\\$/ { sub(/\\$/, ""); held = held $0; next }
  { line = held $0; held = "" }
  line ~ /^[ \t]*say / {
    sub(/^[ \t]*say /, "", line)
    re = ""; i = 1; n = length(line); inq = 0
    while (i <= n) {
      c = substr(line, i, 1)
      if (!inq) {
        if (c == "\"") { inq = 1; if (re != "") re = re " " }
        else if (c == "#") break
        i++; continue
      }
      if (c == "\"") { inq = 0; i++; continue }
      if (c == "\\") { re = re quote(substr(line, i + 1, 1)); i += 2; continue }
      if (c == "$") {
        d = substr(line, i + 1, 1)
        if (d == "(" || d == "{") { i = skip(line, i + 1); re = re ".*"; continue }
        if (d ~ /[A-Za-z_0-9#?@*]/) {
          i++
          while (i <= n && substr(line, i, 1) ~ /[A-Za-z_0-9]/) i++
          if (d ~ /[#?@*]/) i++
          re = re ".*"; continue
        }
      }
      re = re quote(c); i++
    }
    print "^" re "$"
  }
  function quote(ch) { return ch ~ /[][\\.^$*+?(){}|\/]/ ? "\\" ch : ch }
  # skip(s, i): i is at "(" or "{" after a $; returns the index after its match
  function skip(s, i,   opener, closer, depth, ch, q) {
    opener = substr(s, i, 1); closer = opener == "(" ? ")" : "}"; depth = 0
    while (i <= length(s)) {
      ch = substr(s, i, 1)
      if (q != "") { if (ch == "\\" && q == "\"") i++; else if (ch == q) q = ""; i++; continue }
      if (ch == apos || ch == "\"") q = ch
      else if (ch == opener) depth++
      else if (ch == closer && --depth == 0) return i + 1
      i++
    }
    return i
  }' >"$tmp/templates" || exit 2

problems=0
in_block=0
while IFS= read -r line; do
  if [ "$varying" = 1 ]; then
    if [ -z "$line" ]; then in_block=0; elif [ "$in_block" = 1 ]; then continue; fi
  fi
  if grep -qxF -- "$(mask <<<"$line")" "$tmp/fresh" || awk -v l="$line" '
       { if (match(l, $0)) { found = 1; exit } } END { exit !found }' "$tmp/templates"; then
    :
  else
    echo "$page: the captured line could not come from the lab code now (make docs): $line"
    problems=$((problems + 1))
  fi
  [ "$varying" = 1 ] && [[ $line == *: ]] && in_block=1
done <"$tmp/page"

if [ "$both" = 1 ]; then
  mask <"$tmp/page" >"$tmp/page.masked"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/page.masked" ||
      { echo "$page: the lab prints a line the page lacks (make docs): $line"; problems=$((problems + 1)); }
  done <"$tmp/fresh"
fi
[ "$problems" -eq 0 ]
