#!/usr/bin/env bash
# Configures and builds the project. usage: scripts/build.sh [build-dir] [extra cmake args...]
# EO_SANITIZE=1 builds with ASan+UBSan. Uses ccache when present; 2 parallel jobs by default
# (EO_JOBS overrides): the reference machine has 2 cores and ~1 GB per Asio/gRPC compile.
# EO_BUILD_TARGET=observatory builds only that target (the container image's build stage).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
shift || true
args=(-G Ninja -DCMAKE_BUILD_TYPE=${EO_BUILD_TYPE:-RelWithDebInfo})
[ "${EO_SANITIZE:-0}" = 1 ] && args+=(-DEO_SANITIZE=ON)
cmake -S "$root" -B "$build" "${args[@]}" "$@" >/dev/null
cmake --build "$build" -j "${EO_JOBS:-2}" ${EO_BUILD_TARGET:+--target "$EO_BUILD_TARGET"}
