#!/usr/bin/env bash
# doctor.sh: one line per prerequisite of the whole lab, OK or MISSING with
# the fix. Exit 0 only when everything is OK. As root it mounts tracefs
# when it is missing, since that is the only fix it can make safely.
# Then one line per lab, from its `# needs:` line (scripts/lab.sh --needs):
# OK, or MISSING and what; these lines repeat what the checks above found
# and do not change the exit status.
set -u
here=$(cd "$(dirname "$0")" && pwd)
problems=0

report() { # STATUS WHAT DETAIL
  printf '%-8s %-20s %s\n' "$1" "$2" "$3"
  [ "$1" = OK ] || problems=$((problems + 1))
}

# version_at_least HAVE WANT: dotted versions, numerically.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

kernel=$(uname -r)
privileged=no btf=no
if version_at_least "${kernel%%-*}" 5.8; then
  report OK kernel "$kernel (BPF ring buffer and CO-RE need 5.8+)"
else
  report MISSING kernel "$kernel is older than 5.8: the eBPF tools need a newer kernel"
fi

if [ -r /sys/kernel/btf/vmlinux ]; then
  btf=yes
  report OK "kernel BTF" "/sys/kernel/btf/vmlinux"
else
  report MISSING "kernel BTF" "no /sys/kernel/btf/vmlinux: boot a kernel built with CONFIG_DEBUG_INFO_BTF=y"
fi

# Effective capabilities: CAP_SYS_ADMIN is bit 21, CAP_PERFMON 38, CAP_BPF 39.
cap_eff=$((16#$(awk '/^CapEff:/ { print $2 }' /proc/self/status)))
if [ "$(id -u)" -eq 0 ]; then
  privileged=yes
  report OK privileges "root"
elif (( (cap_eff >> 39 & 1) && (cap_eff >> 38 & 1) )) || (( cap_eff >> 21 & 1 )); then
  privileged=yes
  report OK privileges "CAP_BPF and CAP_PERFMON"
else
  report MISSING privileges "not root and no CAP_BPF+CAP_PERFMON: run the labs with sudo"
fi

tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
mounted_now=""
if [ -z "$tracefs" ] && [ "$(id -u)" -eq 0 ] && mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
  tracefs=/sys/kernel/tracing
  mounted_now=" (mounted it just now)"
fi
if [ -z "$tracefs" ]; then
  report MISSING tracefs "not mounted: as root, mount -t tracefs nodev /sys/kernel/tracing"
elif [ ! -x "$tracefs/events" ]; then
  report MISSING tracefs "$tracefs is mounted but unreadable without root: run with sudo"
  tracefs=""
else
  report OK tracefs "$tracefs$mounted_now"
fi

# tracefs_has NAME PATH FIX: a tracing feature, checkable only through tracefs.
tracefs_has() {
  if [ -z "$tracefs" ]; then
    report MISSING "$1" "cannot check without a readable tracefs (see above)"
  elif [ -e "$tracefs/$2" ]; then
    report OK "$1" "$2"
  else
    report MISSING "$1" "no $tracefs/$2: $3"
  fi
}
tracefs_has "syscall tracepoints" events/syscalls/sys_enter_close "the kernel needs CONFIG_FTRACE_SYSCALLS=y"
tracefs_has uprobes uprobe_events "the kernel needs CONFIG_UPROBE_EVENTS=y"

if [ ! -e /proc/sys/kernel/yama/ptrace_scope ]; then
  report OK "ptrace scope" "no Yama LSM: strace may trace its children"
else
  scope=$(cat /proc/sys/kernel/yama/ptrace_scope)
  if [ "$scope" -le 1 ] || { [ "$scope" -eq 2 ] && [ "$(id -u)" -eq 0 ]; }; then
    report OK "ptrace scope" "kernel.yama.ptrace_scope=$scope"
  else
    report MISSING "ptrace scope" "kernel.yama.ptrace_scope=$scope blocks strace: sysctl kernel.yama.ptrace_scope=1"
  fi
fi

# tool NAME PACKAGE VERSION-COMMAND...: present, and its version line.
tool() {
  local name=$1 package=$2 version
  shift 2
  if command -v "$name" >/dev/null 2>&1 && version=$("$@" 2>&1 | grep -m 1 -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n 1) &&
     [ -n "$version" ]; then
    report OK "$name" "$version"
  else
    report MISSING "$name" "apt-get install $package (or: sudo make setup)"
  fi
}
tool gcc gcc gcc --version
tool make make make --version
tool clang clang clang --version
tool llvm-strip llvm llvm-strip --version
tool bpftool bpftool bpftool version
tool bpftrace bpftrace bpftrace --version
tool strace strace strace -V
tool go golang-go go version
tool valgrind valgrind valgrind --version
tool pkg-config pkg-config pkg-config --version

# library NAME PACKAGE PKG-CONFIG-MODULE|HEADER
library() {
  local name=$1 package=$2 probe=$3 version
  if [[ $probe == *.h ]]; then
    if [ -e "/usr/include/$probe" ]; then
      version=$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null)
      report OK "$name" "${version:-present}"
      return
    fi
  elif version=$(pkg-config --modversion "$probe" 2>/dev/null); then
    report OK "$name" "$version"
    return
  fi
  report MISSING "$name" "apt-get install $package (or: sudo make setup)"
}
library libbpf libbpf-dev libbpf
library libelf libelf-dev libelf
library libdw libdw-dev libdw
library zlib zlib1g-dev zlib
library cmocka libcmocka-dev cmocka

# Each lab's needs against what was found above. ctxlab's own tools
# (build/bin) not built yet are no problem: make lab-N builds them first.
while IFS=$'\t' read -r n root needs_btf min tools; do
  have=() lacks=() later=()
  if [ "$root" = yes ]; then
    if [ "$privileged" = yes ]; then have+=("root or CAP_BPF+CAP_PERFMON")
    else lacks+=("root or CAP_BPF+CAP_PERFMON (sudo make lab-$n)"); fi
  fi
  if [ "$needs_btf" = yes ]; then
    if [ "$btf" = yes ]; then have+=("BTF"); else lacks+=("kernel BTF"); fi
  fi
  if [ "$min" != - ]; then
    if version_at_least "${kernel%%-*}" "$min"; then have+=("kernel $min+")
    else lacks+=("kernel $min+ (this one is $kernel)"); fi
  fi
  for t in ${tools//,/ }; do
    if [ -x "$here/../build/bin/$t" ] || command -v "$t" >/dev/null 2>&1; then have+=("$t")
    elif [ -e "$here/../bpf/$t.bpf.c" ] || [ "$t" = go-client ]; then later+=("$t")
    else lacks+=("$t"); fi
  done
  if [ ${#lacks[@]} -eq 0 ]; then
    detail=$(IFS=,; echo "${have[*]}" | sed 's/,/, /g')
    [ ${#later[@]} -eq 0 ] || detail="$detail; make lab-$n builds ${later[*]}"
    printf '%-8s %-20s %s\n' OK "lab-$n" "$detail"
  else
    printf '%-8s %-20s %s\n' MISSING "lab-$n" "needs $(IFS=,; echo "${lacks[*]}" | sed 's/,/, /g')"
  fi
done < <("$here/lab.sh" --needs)

if [ "$problems" -eq 0 ]; then
  echo "doctor: everything the labs need is here"
else
  echo "doctor: $problems missing; fix them and run make doctor again" >&2
  exit 1
fi
