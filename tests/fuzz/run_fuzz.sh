#!/usr/bin/env bash
# Builds the fuzz targets with Clang in one build dir and fuzzes them on their seed corpora
# (corpus/<name>, the regression inputs included: libFuzzer runs every seed first); exits non-zero
# when a fuzzer finds a crash, a failed check or a leak.
#   usage: tests/fuzz/run_fuzz.sh [build-dir] [name|build|all]   (defaults: <repo>/build-fuzz, all)
#     <name>  builds <name>_fuzz (not with EO_FUZZ_PREBUILT=1) and fuzzes it
#     build   builds every target and stops (ctest's fuzz.build, shared by every fuzz.<name>)
#     all     builds every target and fuzzes each in turn: the long run on demand, e.g.
#             EO_FUZZ_SECONDS=3600 tests/fuzz/run_fuzz.sh build-fuzz all
#   Targets: README.md in this folder. Seconds per target: EO_FUZZ_SECONDS (default 60) divided by
#   EO_FUZZ_SHARE (default 1; ctest passes the number of targets, so that EO_FUZZ_SECONDS is the
#   budget of the whole set). Build jobs: EO_FUZZ_BUILD_JOBS (default 2).
# The build configures tests/fuzz alone as a tiny CMake project (see tests/fuzz/CMakeLists.txt),
# so it needs neither the main build's dependencies nor EO_BUILD_TESTS. The corpus grows in
# <build-dir>/corpus/<name> from one run to the next; crash inputs land in
# <build-dir>/artifacts/<name>/; replay one with: <build-dir>/<name>_fuzz <file>.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-fuzz}
what=${2:-all}
share=${EO_FUZZ_SHARE:-1}
seconds=$(( ${EO_FUZZ_SECONDS:-60} / share ))
(( seconds >= 5 )) || seconds=5
jobs=${EO_FUZZ_BUILD_JOBS:-2}

targets() {
  sed -n 's/^eo_fuzz_target(\([a-z0-9_]*\) .*/\1/p' "$here/CMakeLists.txt"
}

build_targets() {
  local generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S "$here" -B "$build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER=clang++ -DEO_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$jobs" "$@"
}

fuzz() {
  local name=$1 corpus=$build/corpus/$1 artifacts=$build/artifacts/$1
  mkdir -p "$corpus" "$artifacts"
  cp "$here"/corpus/"$name"/* "$corpus"/
  echo "== $name: ${seconds}s" >&2
  # libFuzzer exits non-zero on a crash, a sanitizer report, a leak, a timeout or going past the
  # RSS limit; `set -e` passes that on.
  "$build/${name}_fuzz" "$corpus" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
}

case $what in
  build) build_targets ;;
  all)
    build_targets
    for name in $(targets); do fuzz "$name"; done
    ;;
  *)
    targets | grep -qx "$what" || { echo "run_fuzz.sh: no fuzz target '$what'" >&2; exit 2; }
    [[ ${EO_FUZZ_PREBUILT:-0} == 1 ]] || build_targets --target "${what}_fuzz"
    fuzz "$what"
    ;;
esac
