#!/usr/bin/env bash
# lab.sh N: runs lab N (scripts/labs/lab-N.sh) with the helpers of
# scripts/labs/common.sh. `make lab-N` builds first, then calls this.
set -u
here=$(cd "$(dirname "$0")" && pwd)
lab=${1:-}
if ! [[ $lab =~ ^[0-9]+$ ]] || [ ! -f "$here/labs/lab-$lab.sh" ]; then
  echo "lab.sh: no lab '$lab'; the labs are: $(cd "$here/labs" && ls lab-*.sh | sed 's/lab-\(.*\)\.sh/\1/' | sort -n | tr '\n' ' ')" >&2
  exit 2
fi
source "$here/labs/common.sh"
source "$here/labs/lab-$lab.sh"
