#!/usr/bin/env bash
# Builds a fuzz target with Clang in its own build dir and fuzzes it for EO_FUZZ_SECONDS (default
# 60) on a copy of its seed corpus (corpus/<name>); exits non-zero when the fuzzer finds a crash
# or a leak.
#   usage: tests/fuzz/run_fuzz.sh [build-dir] [name]   (defaults: <repo>/build-fuzz, jsonrpc)
#   names: jsonrpc (JSON-RPC framing and parsing), node_http (the node's HTTP request parser)
# The build configures tests/fuzz alone as a tiny CMake project (see tests/fuzz/CMakeLists.txt),
# so it needs neither the main build's dependencies nor EO_BUILD_TESTS. Crash inputs land in
# <build-dir>/artifacts/<name>/; replay one with: <build-dir>/<name>_fuzz <file>.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-fuzz}
name=${2:-jsonrpc}
seconds=${EO_FUZZ_SECONDS:-60}
jobs=${EO_FUZZ_BUILD_JOBS:-1}

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$here" -B "$build" "${generator[@]}" \
  -DCMAKE_CXX_COMPILER=clang++ -DEO_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" --target "${name}_fuzz" -j "$jobs"

corpus=$build/corpus/$name
artifacts=$build/artifacts/$name
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
cp "$here"/corpus/"$name"/* "$corpus"/

# libFuzzer exits non-zero on a crash, a sanitizer report, a leak, a timeout or going past the
# RSS limit; `set -e` passes that on.
"$build/${name}_fuzz" "$corpus" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
  -artifact_prefix="$artifacts/" -print_final_stats=1
