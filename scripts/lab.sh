#!/usr/bin/env bash
# lab.sh N: runs lab N (scripts/labs/lab-N.sh) with the helpers of
# scripts/labs/common.sh. `make lab-N` builds first, then calls this.
# lab.sh --list: one line per lab, in order: N, a tab, its `# help:` line.
# lab.sh --needs: one line per lab, in order, from its `# needs:` line:
#   N<TAB>ROOT<TAB>BTF<TAB>KERNEL<TAB>TOOLS   (yes|no, yes|no, 5.8|-, a,b|-)
# lab.sh --needs-table: the same as a Markdown table (docs/teacher/guide.md).
# A `# needs:` line (a lab script's second line) holds words, in any order:
#   root         root, or CAP_BPF and CAP_PERFMON (the eBPF tools)
#   btf          the kernel's BTF, /sys/kernel/btf/vmlinux (CO-RE)
#   kernel>=X.Y  the oldest kernel the lab runs on
#   tools=A,B    the programs it runs: on the PATH, or ctxlab's own (build/bin)
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

# needs N: lab N's needs, parsed: N, ROOT, BTF, KERNEL, TOOLS, tab-separated.
needs() {
  local words word root=no btf=no kernel=- tools=-
  words=$(sed -n '1,5s/^# needs: //p' "$here/labs/lab-$1.sh" | head -n 1)
  for word in $words; do
    case $word in
      root) root=yes ;;
      btf) btf=yes ;;
      kernel\>=*) kernel=${word#kernel>=} ;;
      tools=*) tools=${word#tools=} ;;
      *) echo "lab.sh: lab-$1.sh: unknown word '$word' in its '# needs:' line" >&2; return 2 ;;
    esac
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$root" "$btf" "$kernel" "$tools"
}

list_needs() {
  local n
  for n in $(list_labs | cut -f 1); do needs "$n" || return 2; done
}

lab=${1:-}
if [ "$lab" = --list ]; then
  list_labs
  exit 0
fi
if [ "$lab" = --needs ]; then
  list_needs
  exit
fi
if [ "$lab" = --needs-table ]; then
  needs_lines=$(list_needs) || exit 2
  echo "| Lab | What it shows | Root or CAP_BPF+CAP_PERFMON | Kernel BTF | Minimum kernel | Tools it runs |"
  echo "|-----|---------------|-----------------------------|------------|----------------|---------------|"
  # in --list's order; a lab's help line joined to its needs by number
  awk -F '\t' 'NR == FNR { need[$1] = $0; next }
    { split(need[$1], f, "\t"); gsub(/,/, ", ", f[5])
      printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, f[2], f[3], f[4] == "-" ? "-" : f[4] "+", f[5] }' \
    <(echo "$needs_lines") <(list_labs)
  exit 0
fi
if ! [[ $lab =~ ^[0-9]+$ ]] || [ ! -f "$here/labs/lab-$lab.sh" ]; then
  echo "lab.sh: no lab '$lab'; the labs are: $(list_labs | cut -f 1 | tr '\n' ' ')" >&2
  exit 2
fi
source "$here/labs/common.sh"
source "$here/labs/lab-$lab.sh"
