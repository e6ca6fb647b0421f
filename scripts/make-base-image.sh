#!/usr/bin/env bash
# Makes the container base image the Containerfile's FROM names (debian:12) without a registry:
# debootstraps Debian 12 (bookworm, minbase) from the archive this machine's apt uses, keeps the
# root filesystem as a tarball under ~/.cache/electrum-observatory/ (reruns reuse it), and
# `podman import`s it. usage: scripts/make-base-image.sh [image-name]   (default: the FROM name)
# EO_BASE_REBUILD=1 debootstraps again; EO_DEBIAN_MIRROR overrides the mirror.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
from=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$root/Containerfile")
name=${1:-$from}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/electrum-observatory
tarball=$cache/debian-12-bookworm-minbase.tar
mkdir -p "$cache"

if [ -z "${EO_DEBIAN_MIRROR:-}" ]; then
  # The first bookworm deb URI in apt's sources (deb822 "URIs:" or one-line "deb URI bookworm").
  EO_DEBIAN_MIRROR=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
      /etc/apt/sources.list.d/*.list 2>/dev/null || true) |
    awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }
         /^deb / && $3 == "bookworm" { print $2; exit }')
  EO_DEBIAN_MIRROR=${EO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
fi

if [ "${EO_BASE_REBUILD:-0}" = 1 ] || [ ! -s "$tarball" ]; then
  command -v debootstrap >/dev/null || { echo "make-base-image: debootstrap missing (scripts/install-deps.sh)" >&2; exit 1; }
  work=$(mktemp -d /var/tmp/eo-debootstrap.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  echo "make-base-image: debootstrap bookworm from $EO_DEBIAN_MIRROR"
  started=$(date +%s)
  debootstrap --variant=minbase --components=main bookworm "$work/rootfs" "$EO_DEBIAN_MIRROR" \
    > "$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
  # The security and updates suites beside the release, as a Debian image's sources are.
  cat > "$work/rootfs/etc/apt/sources.list" <<SOURCES
deb $EO_DEBIAN_MIRROR bookworm main
deb $EO_DEBIAN_MIRROR bookworm-updates main
deb ${EO_DEBIAN_MIRROR%/debian}/debian-security bookworm-security main
SOURCES
  # Small image: no package lists or downloaded .debs in the layer (as Debian's own images).
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/archives/"*.deb \
    "$work/rootfs/var/log/"*.log
  tar -C "$work/rootfs" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  echo "make-base-image: $(du -h "$tarball" | cut -f1) rootfs in $(( $(date +%s) - started )) s -> $tarball"
else
  echo "make-base-image: cached rootfs $tarball"
fi

# Import only when the image is missing or older than the tarball.
if podman image exists "$name"; then
  created=$(date -d "$(podman image inspect -f '{{.Created}}' "$name" | sed 's/ +0000 UTC.*//; s/\.[0-9]* / /')" +%s 2>/dev/null || echo 0)
  if [ "$created" -ge "$(stat -c %Y "$tarball")" ]; then
    echo "make-base-image: $name present"
    exit 0
  fi
fi
podman import --change 'CMD ["bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  "$tarball" "$name" >/dev/null 2>&1
echo "make-base-image: imported $name ($(podman image inspect -f '{{.Size}}' "$name") bytes)"
