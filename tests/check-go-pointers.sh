#!/usr/bin/env bash
# check-go-pointers.sh FILE...: checks every pointer into Go's source that
# FILE gives. A pointer is written `PATH.go FUNCTION` in one code span,
# PATH relative to Go 1.19's src (/usr/lib/go-1.19/src, or $GOSRC), and
# FUNCTION as Go prints it: `netpoll`, `(*FD).Read`, `(T).M`, `T.M` (or a
# type's name, for a struct whose layout a tool reads: `runtime/runtime2.go g`).
# The span stays on one line.
# Prints one line per problem, FILE:LINE: what; exits 1 when there is one.
# Problems: the file is not in Go's source; no such function in it; a Go
# source file named without its function (so the sentence cannot be checked).
set -u
GOSRC=${GOSRC:-/usr/lib/go-1.19/src}
problems=0

problem() {
  echo "$1: $2"
  problems=$((problems + 1))
}

# defines FILE FUNCTION: FILE has `func FUNCTION`, with any receiver name.
defines() {
  local file=$1 fn=$2 recv type method re
  if [[ $fn =~ ^\((\*?)([A-Za-z_][A-Za-z0-9_]*)\)\.([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
    # (*T).M or (T).M: that receiver exactly
    recv=${BASH_REMATCH[1]:+\\*}
    type=${BASH_REMATCH[2]}
    method=${BASH_REMATCH[3]}
    re="^func \\(([A-Za-z_][A-Za-z0-9_]* )?$recv$type(\\[[^]]*\\])?\\) $method[[(]"
  elif [[ $fn =~ ^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
    # T.M: either receiver
    type=${BASH_REMATCH[1]}
    method=${BASH_REMATCH[2]}
    re="^func \\(([A-Za-z_][A-Za-z0-9_]* )?\\*?$type(\\[[^]]*\\])?\\) $method[[(]"
  elif [[ $fn =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    # a function, or a type (a struct whose layout a tool reads)
    re="^(func $fn[[(]|type $fn[ []|	$fn struct)"
  else
    return 2
  fi
  grep -qE "$re" "$file"
}

for f in "$@"; do
  # pointers: `PATH.go FUNCTION`
  while IFS= read -r hit; do
    line=${hit%%:*}
    span=${hit#*:\`}
    span=${span%\`}
    path=${span%% *}
    fn=${span#* }
    if [ ! -f "$GOSRC/$path" ]; then
      problem "$f:$line" "\`$span\`: no $path in $GOSRC"
      continue
    fi
    defines "$GOSRC/$path" "$fn"
    case $? in
      0) ;;
      2) problem "$f:$line" "\`$span\`: '$fn' is not a function name (write f, (*T).M, (T).M or T.M)" ;;
      *) problem "$f:$line" "\`$span\`: $path has no func or type $fn" ;;
    esac
  done < <(grep -noE '`[A-Za-z0-9_./-]+\.go [^`]+`' "$f")
  # Go source files named without a function
  while IFS= read -r hit; do
    line=${hit%%:*}
    path=${hit#*:}
    problem "$f:$line" "$path is named without its function: write \`$path FUNCTION\`"
  done < <(sed -E 's/`[A-Za-z0-9_./-]+\.go [^`]+`//g' "$f" | grep -noE '[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.go\b' |
    while IFS= read -r hit; do
      [ -f "$GOSRC/${hit#*:}" ] && echo "$hit"
    done)
done
[ "$problems" -eq 0 ]
