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

# With packages missing and no root, setup prints the exact command, exit 1.
# A stub dpkg-query that knows no package stands in for a bare machine.
mkdir -p "$T/stub"
printf '#!/bin/sh\nexit 1\n' >"$T/stub/dpkg-query"
chmod 755 "$T/stub/dpkg-query" "$T"
setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$T/stub:$PATH" scripts/setup.sh >"$T/out" 2>&1
rc=$?
check "setup.sh without root on a bare machine: prints the apt-get command, exit 1" "exit $rc: $(cat "$T/out")" \
  bash -c "[ $rc -eq 1 ] && grep -q '^setup: run as root: apt-get update && apt-get install -y --no-install-recommends .*libbpf-dev.*valgrind' '$T/out'"
