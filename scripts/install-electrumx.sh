#!/usr/bin/env bash
# Installs the real ElectrumX releases listed in scripts/electrumx-versions.txt from PyPI, each
# in its own virtualenv under ${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}/electrumx/<version>/,
# and prints one line per release. Idempotent: a release whose venv was made from the same line,
# constraints and interpreter and still imports is skipped; pip's own download cache is reused.
#
# The interpreter is Debian's /usr/bin/python3 (3.11 on Debian 12, with python3-venv from
# scripts/debian-packages.txt), never whatever python3 comes first on PATH, so that a developer's
# machine and CI build the same venvs. EO_ELECTRUMX_PYTHON overrides it.
#
# Usage: scripts/install-electrumx.sh [VERSION...]   (no argument: every listed release)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="$here/electrumx-versions.txt"
constraints="$here/electrumx-constraints.txt"
python=${EO_ELECTRUMX_PYTHON:-/usr/bin/python3}
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}/electrumx

if [ ! -x "$python" ]; then
  echo "install-electrumx: $python not found (Debian's python3; or set EO_ELECTRUMX_PYTHON)" >&2
  exit 2
fi
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "install-electrumx: $python cannot make venvs (install python3-venv)" >&2
  exit 2
fi
python_id=$("$python" -c 'import sys; print(sys.executable, "%d.%d.%d" % sys.version_info[:3])')
mkdir -p "$cache"

# One installer at a time per cache (tests may call this in parallel).
exec 9>"$cache/.lock"
flock 9

wanted=("$@")
seen=" "
failed=0
while read -r package version coin pins notes; do
  case "$package" in '' | '#'*) continue ;; esac
  if [[ "$seen" == *" $version "* ]]; then
    echo "install-electrumx: version $version listed twice in $list" >&2
    exit 2
  fi
  seen+="$version "
  if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $version "* ]]; then
    continue
  fi
  venv="$cache/$version"
  requirements=("$package==$version")
  if [ "$pins" != - ]; then
    IFS=, read -r -a extra <<<"$pins"
    requirements+=("${extra[@]}")
  fi
  # plyvel (LevelDB) is ElectrumX's default DB_ENGINE; 2.0.0 no longer requires it unless asked
  # for with the leveldb extra, so it is named for every release.
  requirements+=(plyvel)
  stamp="$package $version $coin $pins | $python_id | $(sha256sum "$constraints" | cut -c1-16)"
  check=(-c "import electrumx, plyvel, aiorpcx, aiohttp
from electrumx.lib.coins import Coin
Coin.lookup_coin_class('$coin', 'regtest')
assert electrumx.version_short == '$version', electrumx.version_short")

  if [ -f "$venv/.eo-installed" ] && [ "$(cat "$venv/.eo-installed")" = "$stamp" ] &&
    "$venv/bin/python" "${check[@]}" 2>/dev/null; then
    echo "electrumx $version ($package): present in $venv"
    continue
  fi
  rm -rf "$venv"
  log="$cache/install-$version.log"
  if "$python" -m venv "$venv" >"$log" 2>&1 &&
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input \
      -c "$constraints" "${requirements[@]}" >>"$log" 2>&1 &&
    "$venv/bin/python" "${check[@]}" >>"$log" 2>&1; then
    "$venv/bin/python" -m pip freeze --disable-pip-version-check >"$venv/eo-freeze.txt"
    echo "$stamp" >"$venv/.eo-installed"
    aiorpcx=$(grep -i '^aiorpcx==' "$venv/eo-freeze.txt" | cut -d= -f3)
    echo "electrumx $version ($package): installed in $venv (aiorpcX $aiorpcx, $python_id)"
  else
    echo "electrumx $version ($package): FAILED, see $log" >&2
    tail -n 5 "$log" >&2
    rm -rf "$venv"
    failed=1
  fi
done <"$list"
exit $failed
