#!/usr/bin/env bash
# The test command: installs what is missing (Debian packages, and the real ElectrumX releases the
# realserver tests run, cached), builds, and runs every test with ctest (unit, integration
# against real peers and real servers, and 240 s of fuzzing shared by the fuzz targets;
# EO_FUZZ_SECONDS changes that budget).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/install-electrumx.sh"
"$root/scripts/install-kafka.sh"
"$root/scripts/install-helm-tools.sh"
"$root/scripts/install-terraform-tools.sh"
"$root/scripts/build.sh" "$root/build"
export EO_FUZZ_SECONDS=${EO_FUZZ_SECONDS:-240}
cd "$root/build"
ctest --output-on-failure -j "${EO_TEST_JOBS:-2}" --timeout 900 "$@"
