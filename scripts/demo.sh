#!/usr/bin/env bash
# The demo (`make demo`): the whole observatory on the testbed. Planted honeypots (honest
# servers of every implementation and one of each misbehaviour) in network namespaces, the
# coordinator, one agent per region, the aggregator, then the accuracy report against the
# scenario's ground truth: DIR/report.md (DIR/report.json for machines).
# usage: scripts/demo.sh [scenario.yaml] [out-dir]       (needs root: namespaces, veth, bridge)
# OBSERVATORY=path overrides the binary (default: build/cli/observatory, built when missing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scenario=${1:-$root/tests/testbed/scenarios/full.yaml}
out=${2:-$root/demo-out}
bin=${OBSERVATORY:-$root/build/cli/observatory}
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: needs root (network namespaces); try: sudo $0 $*" >&2
  exit 2
fi
if [ ! -x "$bin" ]; then
  "$root/scripts/build.sh" "$root/build"
fi
mkdir -p "$out"
exec /usr/bin/python3 -B "$root/tests/testbed/testbed.py" --prefix eotbdemo run "$scenario" \
  --observatory "$bin" --out "$out"
