#!/usr/bin/env bash
# The set-up scripts and the Makefile's front door.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

start=$(date +%s%N)
scripts/setup.sh >"$T/out" 2>&1
rc=$? ms=$((($(date +%s%N) - start) / 1000000))
check "setup.sh is a quiet no-op once everything is installed (${ms} ms)" "exit $rc: $(cat "$T/out")" \
  bash -c "[ $rc -eq 0 ] && [ ! -s '$T/out' ] && [ $ms -lt 2000 ]"

scripts/doctor.sh >"$T/out" 2>&1
rc=$?
check "doctor as root: every line OK, exit 0" "exit $rc: $(grep -v '^OK' "$T/out" | head -n 3)" \
  bash -c "[ $rc -eq 0 ] && [ \$(grep -c '^OK ' '$T/out') -ge 20 ] && ! grep -q '^MISSING' '$T/out'"

setpriv --reuid=65534 --regid=65534 --clear-groups scripts/doctor.sh >"$T/out" 2>&1
rc=$?
check "doctor without privileges: MISSING privileges with the fix, exit 1" "exit $rc: $(head -n 4 "$T/out")" \
  bash -c "[ $rc -eq 1 ] && grep -q '^MISSING  privileges .*sudo' '$T/out'"

make -s help >"$T/out" 2>&1
check "make help lists every target with a line each" "$(cat "$T/out")" \
  bash -c "for t in all help setup doctor test clean; do grep -q \"^  make \$t \" '$T/out' || exit 1; done"

# Labs are found by name: a new scripts/labs/lab-N.sh is `make lab-N`, in
# `make help` (its `# help:` line), in `make labs` and `make docs`, in order.
mkdir -p "$T/found"
cp -r Makefile scripts exercises "$T/found/"
for n in $(scripts/lab.sh --list | cut -f 1); do
  check "lab-$n has a '# help:' line for make help" "$(head -n 1 "scripts/labs/lab-$n.sh")" \
    grep -qE '^# help: .{10,}' "scripts/labs/lab-$n.sh"
done
printf '# help: a lab made up by the test\nsay "lab twelve ran"\n' >"$T/found/scripts/labs/lab-12.sh"
make -s -C "$T/found" help >"$T/found.help" 2>&1
make -s -n -C "$T/found" labs lab-12 docs >"$T/found.n" 2>&1
check "a new scripts/labs/lab-12.sh is in make help (after lab-7), make labs, make lab-12, make docs" \
  "$(grep -E 'lab-(7|12)' "$T/found.help"); $(grep -E 'lab.sh|capture' "$T/found.n" | head -n 4)" \
  bash -c "grep -A1 '^  make lab-7 ' '$T/found.help' | grep -qE '^  make lab-12 +lab 12: a lab made up by the test\$' &&
           grep -q 'for n in 1 2 3 4 5 6 7 12;' '$T/found.n' && grep -q 'scripts/lab.sh 12\$' '$T/found.n' &&
           [ \"\$(cd '$T/found' && scripts/lab.sh --list | cut -f 1 | tr '\n' ' ')\" = '1 2 3 4 5 6 7 12 ' ]"

# A lab that does not declare btf never builds the eBPF tools, so labs 1-5
# run on a kernel without BTF; an eBPF lab does build them.
n1=$(make -n -W bpf/closesnoop.c lab-1 2>&1 | grep -c 'closesnoop')
n6=$(make -n -W bpf/closesnoop.c lab-6 2>&1 | grep -c 'closesnoop')
check "make lab-1 would not rebuild closesnoop, make lab-6 would ($n1, $n6 lines)" "" \
  bash -c "[ $n1 -eq 0 ] && [ $n6 -gt 0 ]"

# With packages missing and no root, setup prints the exact command, exit 1.
# A stub dpkg-query that knows no package stands in for a bare machine.
mkdir -p "$T/stub"
printf '#!/bin/sh\nexit 1\n' >"$T/stub/dpkg-query"
chmod 755 "$T/stub/dpkg-query" "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$T/stub:$PATH" scripts/setup.sh >"$T/out" 2>&1
rc=$?
check "setup.sh without root on a bare machine: prints the apt-get command, exit 1" "exit $rc: $(cat "$T/out")" \
  bash -c "[ $rc -eq 1 ] && grep -q '^setup: run as root: apt-get update && apt-get install -y --no-install-recommends .*libbpf-dev.*valgrind' '$T/out'"
