#!/usr/bin/env bash
# Installs what the Terraform modules' checks use (tests/deploy/terraform), cached under
# ${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}; a rerun with everything present is a no-op.
# Only the Go module proxy (`go install`, reproducible with -trimpath and CGO_ENABLED=0):
#
#   go-tools/bin/tofu                         OpenTofu 1.6.3 (the last release go install accepts:
#                                             later ones carry replace lines)
#   go-tools/bin/terraform-provider-hcloud    Hetzner Cloud provider 1.68.0
#   go-tools/bin/terraform-provider-exoscale  Exoscale provider 0.69.3
#   go-tools/tofu-mirror/registry.opentofu.org/NAMESPACE/TYPE/VERSION/linux_amd64/
#                                             the providers as a filesystem mirror (unpacked layout)
#   go-tools/tofurc                           CLI configuration naming only that mirror (no
#                                             `direct {}`), so `tofu init` never asks a registry:
#                                             TF_CLI_CONFIG_FILE=$cache/go-tools/tofurc
#   cloud-init/root/                          Debian's cloud-init package unpacked, not installed
#                                             (`apt-get download`): its python module checks the
#                                             rendered cloud-config (`cloud-init schema`). Installed,
#                                             the package would enable its boot services on this
#                                             machine (and at the next boot configure its network);
#                                             its python libraries are in debian-packages.txt.
#
# The go builds take the machine-wide build lock (/tmp/eo-build.lock): 2 cores are shared.
# Environment: EO_CACHE_DIR.
set -euo pipefail
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}
gotools=$cache/go-tools

tofu_module=github.com/opentofu/opentofu/cmd/tofu # in module github.com/opentofu/opentofu
tofu_version=v1.6.3
# NAMESPACE TYPE MODULE VERSION (the mirror's version is the tag without its "v")
providers=(
  "hetznercloud hcloud github.com/hetznercloud/terraform-provider-hcloud v1.68.0"
  "exoscale exoscale github.com/exoscale/terraform-provider-exoscale v0.69.3"
)

mkdir -p "$gotools/bin"
exec 9>"$gotools/.terraform-tools.lock"
flock 9

started=$(date +%s)
log() { echo "install-terraform-tools: $*"; }

if ! command -v go >/dev/null; then
  log "go not found on PATH (the Go toolchain builds OpenTofu and the providers)" >&2
  exit 2
fi
export GOBIN=$gotools/bin GOMODCACHE=$gotools/mod GOCACHE=$gotools/build GOFLAGS=-modcacherw
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0
# Module proxies only, never `direct` (a VCS checkout): the configured ones minus direct/off.
proxies=$(go env GOPROXY | tr ',|' '\n\n' | grep -vxE 'direct|off|' | paste -sd, -)
# `go install MOD@VERSION` also asks the proxy for MOD's version list, to show a deprecation
# notice. The proxy this project's machines reach answers 403 for the providers' lists while it
# serves their versions, which fails the install. So a one-version file proxy for each module we
# install, made from the version the real proxy serves, goes in front: it answers that list.
pinned=$gotools/goproxy
export GOPROXY="file://$pinned,${proxies:-https://proxy.golang.org}"
pin() { # MODULE VERSION
  local module=$1 version=$2 from to
  from=$GOMODCACHE/cache/download/$module/@v
  to=$pinned/$module/@v
  [ -f "$to/$version.zip" ] && return 0
  GOPROXY=${proxies:-https://proxy.golang.org} go mod download "$module@$version"
  mkdir -p "$to"
  for f in info mod zip; do ln -sf "$from/$version.$f" "$to/$version.$f"; done
  echo "$version" >"$to/list"
}
# A stamp per tool records the module@version it was built from; the binary must also be there.
go_tool() { # NAME PACKAGE VERSION [MODULE]
  local name=$1 module=$2 version=$3 stamp="$gotools/bin/.$1.stamp"
  if [ -x "$gotools/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ]; then
    return 0
  fi
  log "go install $module@$version"
  local t0; t0=$(date +%s)
  pin "${4:-$module}" "$version"
  flock /tmp/eo-build.lock go install -trimpath "$module@$version"
  echo "$module@$version" >"$stamp"
  log "$name built in $(($(date +%s) - t0)) s"
}

go_tool tofu "$tofu_module" "$tofu_version" github.com/opentofu/opentofu
os_arch=$(go env GOOS)_$(go env GOARCH)
mirror=$gotools/tofu-mirror
for p in "${providers[@]}"; do
  read -r namespace type module version <<<"$p"
  go_tool "terraform-provider-$type" "$module" "$version"
  dir=$mirror/registry.opentofu.org/$namespace/$type/${version#v}/$os_arch
  if ! cmp -s "$gotools/bin/terraform-provider-$type" "$dir/terraform-provider-${type}_$version"; then
    mkdir -p "$dir"
    rm -f "$dir"/terraform-provider-*
    cp "$gotools/bin/terraform-provider-$type" "$dir/terraform-provider-${type}_$version"
  fi
done

cat >"$gotools/tofurc.new" <<EOF
# Written by scripts/install-terraform-tools.sh: providers come only from the local mirror of
# providers built by go install; no registry is asked.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.opentofu.org/*/*"]
  }
}
EOF
if cmp -s "$gotools/tofurc.new" "$gotools/tofurc"; then rm "$gotools/tofurc.new"; else mv "$gotools/tofurc.new" "$gotools/tofurc"; fi

# --- Debian's cloud-init, unpacked only --------------------------------------------------------
ci=$cache/cloud-init
if [ ! -d "$ci/root/usr/lib/python3/dist-packages/cloudinit" ]; then
  log "apt-get download cloud-init (unpacked under $ci, not installed)"
  rm -rf "$ci" && mkdir -p "$ci/deb"
  (cd "$ci/deb" && apt-get download -q -o APT::Sandbox::User=root cloud-init)
  dpkg-deb -x "$ci"/deb/cloud-init_*.deb "$ci/root"
  dpkg-deb -f "$ci"/deb/cloud-init_*.deb Version >"$ci/version"
  rm -rf "$ci/deb"
fi

TF_CLI_CONFIG_FILE=$gotools/tofurc "$gotools/bin/tofu" version >/dev/null
log "ready in $(($(date +%s) - started)) s: $gotools/bin/tofu, providers in $mirror," \
  "TF_CLI_CONFIG_FILE=$gotools/tofurc, cloud-init $(cat "$ci/version")"
