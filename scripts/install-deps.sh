#!/usr/bin/env bash
# Installs every Debian package listed in scripts/debian-packages.txt that is missing.
# Idempotent and non-interactive; does nothing (no apt-get update) when all are present.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mapfile -t packages < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
else
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts these as services on install; our tests start their own instances on free ports.
  for service in redis-server tor danted; do
    if command -v service >/dev/null && service "$service" status >/dev/null 2>&1; then
      "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
    fi
  done
fi

# The report's npm packages, pinned by aggregator/report/web/package-lock.json: world-atlas (its
# country shapes are compiled into the binary) and playwright-core (the headless-Chromium report
# test). Debian's nodejs has no npm inside (NodeSource's has), hence the separate package.
web="$here/../aggregator/report/web"
if ! command -v npm >/dev/null; then
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm
fi
if [ "$web/node_modules/.package-lock.json" -nt "$web/package-lock.json" ]; then
  echo "install-deps: npm packages present ($web/node_modules)"
else
  echo "install-deps: npm ci in $web"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
fi
