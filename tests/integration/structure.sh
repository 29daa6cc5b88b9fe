#!/usr/bin/env bash
# How tracediff's files depend on each other: a file calls only files below
# it (no cycle), so the pipeline reads top-down from normalize.c. Read from
# the objects `make` built: who uses a function that another defines.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
objs=$ROOT/build/obj/scripts/tracediff

# edges DIR: "USER DEFINER" for each function one object uses from another.
edges() {
  local o
  for o in "$1"/*.o; do
    nm --defined-only "$o" | awk -v f="$(basename "$o" .o)" '$2 ~ /^[TDRB]$/ { print "def", $3, f }'
    nm --undefined-only "$o" | awk -v f="$(basename "$o" .o)" '{ print "use", $2, f }'
  done | awk '$1 == "def" { def[$2] = $3; next } { use[$3 " " $2] = 1 }
    END { for (k in use) { split(k, u, " "); if (u[2] in def && def[u[2]] != u[1]) print u[1], def[u[2]] } }' | sort -u
}

if [ ! -e "$objs/normalize.o" ]; then
  not_ok "tracediff's file graph" "no objects in $objs: make all first"
  exit 0
fi
edges "$objs" >"$T/edges"
check "tracediff: no two files call each other in a circle ($(wc -l <"$T/edges") calls between files)" \
  "$(tsort "$T/edges" 2>&1 >/dev/null | head -n 5)" \
  bash -c "[ -s '$T/edges' ] && tsort '$T/edges' >/dev/null 2>&1"
check "tracediff: util.c and syscalls.c (the table) are leaves, normalize.c calls the pipeline" \
  "$(grep -E '^(util|syscalls|normalize) ' "$T/edges" | tr '\n' ' ')" \
  bash -c "! grep -qE '^util ' '$T/edges' && [ \"\$(grep '^syscalls ' '$T/edges')\" = 'syscalls util' ] &&
           grep -q '^normalize trace\$' '$T/edges' && grep -q '^normalize collapse\$' '$T/edges'"
# ... and the check can fail: a cycle made up in a copy of the edges.
{ cat "$T/edges"; echo "util story"; } >"$T/cycle"
check "the file-graph check catches a circle (util -> story -> util)" "tsort found no loop" \
  bash -c "! tsort '$T/cycle' >/dev/null 2>&1"
