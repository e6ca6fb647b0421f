#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test with ctest (unit,
# integration against real peers, and a 60 s fuzz run; EO_FUZZ_SECONDS changes its length).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
export EO_FUZZ_SECONDS=${EO_FUZZ_SECONDS:-60}
cd "$root/build"
ctest --output-on-failure -j "${EO_TEST_JOBS:-2}" --timeout 900 "$@"
