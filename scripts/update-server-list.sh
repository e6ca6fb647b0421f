#!/usr/bin/env bash
# Regenerates data/electrum-servers.json from the server list that Debian's Electrum client ships
# (package electrum): the public servers a default wallet bootstraps from.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source=/usr/lib/python3/dist-packages/electrum/servers.json
if [ ! -f "$source" ]; then
  echo "update-server-list: $source not found; install Debian's 'electrum' package" >&2
  exit 1
fi
version=$(dpkg-query -W -f='${Version}' electrum)
python3 - "$source" "$root/data/electrum-servers.json" <<'PY'
import json, sys
servers = json.load(open(sys.argv[1]))
json.dump(dict(sorted(servers.items())), open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
echo "update-server-list: $(python3 -c "import json;print(len(json.load(open('$root/data/electrum-servers.json'))))") servers from electrum $version"
