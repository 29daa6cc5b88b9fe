#!/usr/bin/env bash
# lab.sh N: runs lab N (scripts/labs/lab-N.sh) with the helpers of
# scripts/labs/common.sh. `make lab-N` builds first, then calls this.
# lab.sh --list: one line per lab, in order: N, a tab, its `# help:` line.
# A lab is any scripts/labs/lab-N.sh: adding one adds `make lab-N`, its
# place in `make labs`, `make docs`, `make help` and the labs test.
set -u
here=$(cd "$(dirname "$0")" && pwd)

list_labs() {
  local script n
  for script in "$here"/labs/lab-*.sh; do
    n=${script##*/lab-}
    n=${n%.sh}
    [[ $n =~ ^[0-9]+$ ]] || continue
    printf '%s\t%s\n' "$n" "$(sed -n '1s/^# help: //p' "$script")"
  done | sort -n
}

lab=${1:-}
if [ "$lab" = --list ]; then
  list_labs
  exit 0
fi
if ! [[ $lab =~ ^[0-9]+$ ]] || [ ! -f "$here/labs/lab-$lab.sh" ]; then
  echo "lab.sh: no lab '$lab'; the labs are: $(list_labs | cut -f 1 | tr '\n' ' ')" >&2
  exit 2
fi
source "$here/labs/common.sh"
source "$here/labs/lab-$lab.sh"
