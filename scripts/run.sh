#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs observatory with the arguments given.
# With no arguments it probes the public Electrum servers listed by Electrum's own client
# (data/electrum-servers.json) from this machine and prints one JSON line per server; when none
# is reachable it says so and exits 3. The full campaign pipeline (`observatory local`) replaces
# this default once the coordinator, agent and aggregator land (see README.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
if [ $# -eq 0 ]; then
  set -- probe --servers-json "$root/data/electrum-servers.json" --deadline 20 --concurrency 32
fi
exec "$root/build/cli/observatory" "$@"
