#!/usr/bin/env bash
# Installs the tools and offline schemas the Helm chart's checks use (tests/deploy/helm), cached
# under ${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}; a rerun with everything present is a
# no-op of a second or two. Only the registries: the Go module proxy (`go install`), PyPI, npm.
#
#   go-tools/bin/helm             Helm 4 (helm.sh/helm/v4/cmd/helm)
#   go-tools/bin/kubeconform      kubeconform 0.7 (schemas given as local files, never fetched)
#   go-tools/bin/helm-unittest    helm-unittest 1.0.1, standalone (its plugin installer downloads
#                                 release binaries; 1.0.2+ carry a replace line go install refuses)
#   helm-schemas/kubernetes/vK8S-local-strict/   the built-in kinds' JSON schemas, from the wheel of
#                                 PyPI's kubernetes-validate (downloaded with the pip of a venv of
#                                 Debian's python3; only this Kubernetes version's folder unpacked)
#   helm-schemas/crd/             ServiceMonitor, PodMonitor, PrometheusRule (npm
#                                 @kubernetes-models/prometheus-operator) and cert-manager's
#                                 Certificate and Issuer (npm @kubernetes-models/cert-manager) as
#                                 JSON schemas with additionalProperties false, generated from the
#                                 type declarations those packages ship by ts-json-schema-generator
#                                 (versions pinned by tests/deploy/helm/schemas/package-lock.json)
#
# The go builds take the machine-wide build lock (/tmp/eo-build.lock): 2 cores are shared.
# Environment: EO_CACHE_DIR, EO_KUBE_VERSION (default 1.33.0), EO_HELM_TOOLS_PYTHON (default
# /usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}
kube_version=${EO_KUBE_VERSION:-1.33.0}
python=${EO_HELM_TOOLS_PYTHON:-/usr/bin/python3}

helm_module=helm.sh/helm/v4/cmd/helm
helm_version=v4.3.2
kubeconform_module=github.com/yannh/kubeconform/cmd/kubeconform
kubeconform_version=v0.7.0
unittest_module=github.com/helm-unittest/helm-unittest/cmd/helm-unittest
unittest_version=v1.0.1
kubernetes_validate_version=1.37.0

gotools=$cache/go-tools
schemas=$cache/helm-schemas
mkdir -p "$gotools/bin" "$schemas"
exec 8>"$schemas/.lock"
flock 8

started=$(date +%s)
log() { echo "install-helm-tools: $*"; }

# --- Go tools --------------------------------------------------------------------------------
if ! command -v go >/dev/null; then
  log "go not found on PATH (the Go toolchain builds helm, kubeconform and helm-unittest)" >&2
  exit 2
fi
export GOBIN=$gotools/bin GOMODCACHE=$gotools/mod GOCACHE=$gotools/build GOFLAGS=-modcacherw
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0
# A stamp per tool records the module@version it was built from; the binary must also still run.
go_tool() { # NAME MODULE VERSION
  local name=$1 module=$2 version=$3 stamp="$gotools/bin/.$1.stamp"
  if [ -x "$gotools/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ]; then
    return 0
  fi
  log "go install $module@$version (waiting for /tmp/eo-build.lock)"
  local t0; t0=$(date +%s)
  # shellcheck disable=SC2016
  flock /tmp/eo-build.lock bash -c 't1=$(date +%s); go install -trimpath "$1" &&
    echo "install-helm-tools: $2 built in $(($(date +%s) - t1)) s (after $((t1 - $3)) s waiting for the lock)"' \
    _ "$module@$version" "$name" "$t0"
  echo "$module@$version" >"$stamp"
}
go_tool helm "$helm_module" "$helm_version"
go_tool kubeconform "$kubeconform_module" "$kubeconform_version"
go_tool helm-unittest "$unittest_module" "$unittest_version"

# --- Kubernetes JSON schemas (PyPI kubernetes-validate) --------------------------------------
k8s_dir=$schemas/kubernetes/v$kube_version-local-strict
if [ ! -f "$k8s_dir/.complete-$kubernetes_validate_version-2" ]; then
  if [ ! -x "$python" ] || ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    log "$python cannot make venvs (Debian's python3 with python3-venv)" >&2
    exit 2
  fi
  venv=$schemas/venv
  [ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"
  wheels=$schemas/wheels
  mkdir -p "$wheels"
  log "pip download kubernetes-validate==$kubernetes_validate_version"
  "$venv/bin/pip" download --quiet --no-deps --disable-pip-version-check \
    -d "$wheels" "kubernetes-validate==$kubernetes_validate_version"
  rm -rf "$k8s_dir.tmp"
  "$venv/bin/python" - "$wheels/kubernetes_validate-$kubernetes_validate_version-py3-none-any.whl" \
    "v$kube_version-local-strict" "$k8s_dir.tmp" <<'EOF'
# Each schema names itself https://kubernetes.io/api/... ($id) and refers to
# /api/_definitions.json: resolved against that $id, kubeconform would fetch them over the network.
# Without $id and with refs relative to the file, everything resolves inside this folder.
import json, os, sys, zipfile
wheel, folder, out = sys.argv[1:]
prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and name.endswith(".json"):
            target = os.path.join(out, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            schema = json.loads(z.read(name))
            schema.pop("$id", None)
            text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
            with open(target, "w") as f:
                f.write(text)
            count += 1
if count == 0:
    sys.exit(f"{wheel} has no {prefix}: pick a Kubernetes version it ships (EO_KUBE_VERSION)")
print(f"install-helm-tools: {count} Kubernetes schemas ({folder})")
EOF
  rm -rf "$k8s_dir"
  mv "$k8s_dir.tmp" "$k8s_dir"
  touch "$k8s_dir/.complete-$kubernetes_validate_version-2"
fi

# --- CRD JSON schemas (npm) ------------------------------------------------------------------
src=$root/tests/deploy/helm/schemas
npm_dir=$schemas/npm
crd_dir=$schemas/crd
want=$(cat "$src/package-lock.json" "$src/crds.ts" "$src/generate.sh" | sha256sum | cut -c1-16)
if [ "$(cat "$crd_dir/.stamp" 2>/dev/null)" != "$want" ]; then
  if ! command -v npm >/dev/null; then
    log "npm not found (Debian's npm)" >&2
    exit 2
  fi
  mkdir -p "$npm_dir"
  cp "$src/package.json" "$src/package-lock.json" "$src/crds.ts" "$src/tsconfig.json" "$npm_dir/"
  log "npm ci (CRD type declarations, ts-json-schema-generator)"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
  rm -rf "$crd_dir.tmp"
  "$src/generate.sh" "$npm_dir" "$crd_dir.tmp"
  rm -rf "$crd_dir"
  mv "$crd_dir.tmp" "$crd_dir"
  echo "$want" >"$crd_dir/.stamp"
fi

log "ready in $(($(date +%s) - started)) s: helm $helm_version, kubeconform $kubeconform_version," \
  "helm-unittest $unittest_version in $gotools/bin; Kubernetes $kube_version and CRD schemas in $schemas"
