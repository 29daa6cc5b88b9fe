#!/usr/bin/env bash
# tests/run.sh [unit|go|integration|all]: runs the test suites and ends with
# one line `N passed, N failed`; exits non-zero when anything failed.
# Expects `make test` to have built everything.
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/ctxlab-run.XXXXXX")
trap 'rm -rf "$log"' EXIT
# Groups run in the foreground, so a Ctrl-C reaches them and what they
# started; each cleans up after itself (tests/lib.sh).
trap 'echo "interrupted"; exit 130' INT TERM

run_unit() {
  local bin out rc ok bad name
  for bin in build/tests/test_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    out=$("$bin" 2>&1)
    rc=$?
    ok=$(grep -c '^\[       OK \]' <<<"$out")
    # cmocka names each failed test twice: once when it fails, once in the summary
    bad=$(grep '^\[  FAILED  \] [a-z_0-9]*$' <<<"$out" | sort -u | wc -l)
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
      bad=1 # crashed (a sanitizer report, say) before cmocka could count
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -eq 0 ]; then
      printf 'unit %-22s %3d passed\n' "$name" "$ok"
    else
      printf 'unit %-22s %3d passed, %d FAILED:\n' "$name" "$ok" "$bad"
      grep -v '^\[ RUN \|^\[       OK \]' <<<"$out" | sed 's/^/    /'
    fi
  done
}

run_go() {
  local out ok bad
  [ -f go-reference/go.mod ] || return 0
  out=$(make -s go-check 2>&1)
  ok=$(grep -c '^    --- PASS: \|^--- PASS: ' <<<"$out")
  bad=$(grep -c '^    --- FAIL: \|^--- FAIL: ' <<<"$out")
  if ! grep -q '^ok ' <<<"$out" && [ "$bad" -eq 0 ]; then
    bad=1 # go vet or the build failed before any test ran
  fi
  passed=$((passed + ok))
  failed=$((failed + bad))
  if [ "$bad" -eq 0 ]; then
    printf 'go   %-22s %3d passed (go vet clean)\n' go-client "$ok"
  else
    printf 'go   %-22s %3d passed, %d FAILED:\n' go-client "$ok" "$bad"
    grep -v '^=== \|--- PASS' <<<"$out" | sed 's/^/    /'
  fi
}

run_integration() {
  local group out name ok bad start
  for group in tests/integration/*.sh; do
    name=$(basename "$group" .sh)
    start=$SECONDS
    bash "$group" >"$log/$name" 2>&1
    ok=$(grep -c '^ok - ' "$log/$name")
    bad=$(grep -c '^not ok - ' "$log/$name")
    if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
      bad=1 # the group died before it could check anything
      echo "not ok - $name: no check ran" >>"$log/$name"
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -eq 0 ]; then
      printf 'integration %-15s %3d passed (%ds)\n' "$name" "$ok" $((SECONDS - start))
    else
      printf 'integration %-15s %3d passed, %d FAILED (%ds):\n' "$name" "$ok" "$bad" $((SECONDS - start))
      grep -v '^ok - ' "$log/$name" | sed 's/^/    /'
    fi
  done
}

case $what in
  unit) run_unit ;;
  go) run_go ;;
  integration) run_integration ;;
  all) run_unit; run_go; run_integration ;;
  *) echo "usage: tests/run.sh [unit|go|integration|all]" >&2; exit 2 ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
