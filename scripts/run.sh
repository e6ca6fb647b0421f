#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `observatory local`: a coordinator,
# agents (clearnet, and Tor when a SOCKS port answers at 127.0.0.1:9050) and the aggregator on
# this machine, one campaign over the public Electrum servers listed by Electrum's own client
# (data/electrum-servers.json), then a report in ./observatory-report. When no server is
# reachable it says so within a minute and exits 3.
# Arguments starting with '-' go to `observatory local` (./scripts/run.sh --no-tor); anything
# else is an observatory command line (./scripts/run.sh probe host:50002:s).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
# Only the binary the main job runs; ./scripts/test.sh builds the tests.
EO_BUILD_TARGET=observatory "$root/scripts/build.sh" "$root/build"
if [ $# -eq 0 ] || [ "${1:0:1}" = - ]; then
  set -- local "$@"
fi
exec "$root/build/cli/observatory" "$@"
