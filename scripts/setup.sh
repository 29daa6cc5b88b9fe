#!/usr/bin/env bash
# setup.sh: make sure every Debian package ctxlab needs is installed, and
# that tracefs is mounted.
# A fast no-op when all are present; as root with apt-get it installs what
# is missing (one `apt-get update`, non-interactive); otherwise it prints the
# exact command to run and exits 1.
set -euo pipefail

packages=(
  make gcc libc6-dev pkg-config       # build
  clang llvm libbpf-dev bpftool       # eBPF tools (libbpf 1.1 + bpftool 7.1)
  libelf-dev zlib1g-dev libdw-dev     # symbolizing stacks
  golang-go                           # go-client
  strace bpftrace                     # tracers the labs run
  libcmocka-dev valgrind              # tests
  procps iproute2 util-linux          # pgrep/ps, ss, setpriv in tests and labs
  chromium                            # headless checks of make report's page (tests)
)

# One dpkg-query for all packages keeps the no-op case fast.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for pkg in "${packages[@]}"; do
  grep -qx "$pkg installed" <<<"$installed" || missing+=("$pkg")
done

# The tracers (strace aside) need tracefs; a fresh machine may not mount it.
mount_tracefs() {
  [ "$(id -u)" -eq 0 ] || return 0
  awk '$3 == "tracefs" { found = 1 } END { exit !found }' /proc/mounts && return 0
  if mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
    echo "setup: mounted tracefs on /sys/kernel/tracing (the eBPF tools attach through it)"
  else
    echo "setup: could not mount tracefs on /sys/kernel/tracing; make doctor says more" >&2
  fi
}
mount_tracefs

[ ${#missing[@]} -eq 0 ] && exit 0

install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root: $install_cmd" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null ||
   ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "setup: apt-get failed; run it by hand to see why: $install_cmd" >&2
  exit 1
fi
echo "setup: done"
