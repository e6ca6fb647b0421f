#!/usr/bin/env bash
# Checks the Helm chart with the tools a user runs (installed and cached by
# scripts/install-helm-tools.sh, offline):
#   1. helm lint --strict with every ci/*-values.yaml;
#   2. helm template with every ci/*-values.yaml (prometheus-operator and cert-manager APIs
#      declared) into WORK/rendered/NAME.yaml;
#   3. kubeconform -strict on every rendered document: built-in kinds against PyPI
#      kubernetes-validate's schemas, ServiceMonitor/PodMonitor/PrometheusRule/Certificate/Issuer
#      against schemas generated from npm's @kubernetes-models packages; a kind without a schema
#      is an error, nothing is fetched;
#   4. every --flag the chart passes to `observatory ROLE` appears in `observatory ROLE --help`
#      (when the binary is given), and every agent config parses as YAML with the task file's keys;
#   5. helm-unittest on helm/electrum-observatory/tests/*_test.yaml.
# The chart's dashboards/*.json and rules/*.yaml are rendered as they are; when a folder is
# still empty, a copy of the chart gets one tiny placeholder so those templates are checked too.
# Usage: check_chart.sh REPO_ROOT WORK_DIR [OBSERVATORY_BINARY]. Exit 77 (skip) when the tools are
# missing, unless CI=true: then that fails.
set -euo pipefail
root=$1 work=$2 observatory=${3:-}
chart_src=$root/helm/electrum-observatory
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}
kube_version=${EO_KUBE_VERSION:-1.33.0}
bin=$cache/go-tools/bin
schemas=$cache/helm-schemas
started=$(date +%s)

missing=()
for tool in helm kubeconform helm-unittest; do [ -x "$bin/$tool" ] || missing+=("$bin/$tool"); done
[ -d "$schemas/kubernetes/v$kube_version-local-strict" ] || missing+=("$schemas/kubernetes/v$kube_version-local-strict")
[ -f "$schemas/crd/servicemonitor-monitoring-v1.json" ] || missing+=("$schemas/crd")
if [ ${#missing[@]} -gt 0 ]; then
  echo "check_chart: missing ${missing[*]} (run scripts/install-helm-tools.sh)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 77
fi
helm=$bin/helm

rm -rf "$work"
mkdir -p "$work/rendered"
chart=$work/electrum-observatory
cp -r "$chart_src" "$chart"
if ! compgen -G "$chart/rules/*.yaml" >/dev/null; then
  mkdir -p "$chart/rules"
  cat >"$chart/rules/placeholder.yaml" <<'YAML'
groups:
  - name: placeholder
    rules:
      - alert: PlaceholderAgentDown
        expr: up{role="agent"} == 0
        for: 5m
        labels: {severity: warning}
        annotations: {summary: "agent {{ $labels.agent }} is down"}
YAML
  echo "check_chart: rules/ is empty: checking with a placeholder rules file"
fi
if ! compgen -G "$chart/dashboards/*.json" >/dev/null; then
  mkdir -p "$chart/dashboards"
  echo '{"title": "Placeholder", "uid": "eo-placeholder", "schemaVersion": 39, "panels": []}' \
    >"$chart/dashboards/placeholder.json"
  echo "check_chart: dashboards/ is empty: checking with a placeholder dashboard"
fi

api=(--kube-version "$kube_version" --api-versions monitoring.coreos.com/v1
     --api-versions cert-manager.io/v1)
failed=0
fail() { echo "check_chart: FAIL: $*" >&2; failed=1; }

values=("$chart"/ci/*-values.yaml)
[ ${#values[@]} -ge 4 ] || fail "expected at least 4 ci/*-values.yaml, found ${#values[@]}"

# 1. lint (helm lint takes no --api-versions: the monitoring objects are left out there, as on a
# cluster without prometheus-operator)
for v in "${values[@]}"; do
  if ! out=$("$helm" lint --strict "$chart" -f "$v" --kube-version "$kube_version" 2>&1); then
    echo "$out" >&2; fail "helm lint with $(basename "$v")"
  fi
done
echo "check_chart: helm lint --strict: ${#values[@]} values files"

# 2. template
for v in "${values[@]}"; do
  name=$(basename "$v" -values.yaml)
  if ! "$helm" template eo "$chart" --namespace observatory -f "$v" "${api[@]}" \
      >"$work/rendered/$name.yaml" 2>"$work/rendered/$name.err"; then
    cat "$work/rendered/$name.err" >&2; fail "helm template with $(basename "$v")"
  fi
done
echo "check_chart: helm template: $(cat "$work"/rendered/*.yaml | grep -c '^kind:') documents" \
  "($(cat "$work"/rendered/*.yaml | grep '^kind:' | sort | uniq -c | awk '{printf "%s %s, ", $1, $3}' | sed 's/, $//'))"

# The packaged chart (what a repository serves; .helmignore applied) renders the same.
if "$helm" package "$chart" -d "$work/package" >/dev/null &&
   "$helm" template eo "$work"/package/electrum-observatory-*.tgz --namespace observatory \
     -f "$chart/ci/three-regions-tor-values.yaml" "${api[@]}" >"$work/package/rendered.yaml" &&
   cmp -s "$work/package/rendered.yaml" "$work/rendered/three-regions-tor.yaml"; then
  echo "check_chart: helm package: $(basename "$work"/package/*.tgz) renders as the chart folder"
else
  fail "helm package: the packaged chart does not render as the folder does"
fi

# 3. schemas: kubeconform in a network namespace of its own when the kernel lets us make one
# (no fetch is possible), and first a self-test: documents with an unknown field or a wrong type
# must fail, so that schemas that stopped being strict cannot pass everything.
offline=()
if unshare -rn true 2>/dev/null; then offline=(unshare -rn); fi
kubeconform=("${offline[@]}" "$bin/kubeconform" -strict -kubernetes-version "$kube_version"
  -schema-location "$schemas/kubernetes/{{.NormalizedKubernetesVersion}}-local-strict/{{.ResourceKind}}{{.KindSuffix}}.json"
  -schema-location "$schemas/crd/{{.ResourceKind}}{{.KindSuffix}}.json")
cat >"$work/bad.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i, securityContext: {readOnlyRootFilesytem: true}}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: bad}
spec:
  selector: {matchLabels: {a: b}}
  endpoints: [{port: metrics, relabelings: [{action: replace, targetLabel: x, regexp: y}]}]
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: bad}
spec: {groups: [{name: g, rules: [{alert: A, expression: up == 0}]}]}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: bad}
spec: {secretName: s, issuerRef: {name: x}, commonName: 3}
YAML
invalid=$("${kubeconform[@]}" -summary "$work/bad.yaml" 2>&1 | grep -o 'Invalid: [0-9]*' || true)
[ "$invalid" = "Invalid: 4" ] || fail "kubeconform self-test: 4 bad documents should be invalid, got '$invalid'"
if ! "${kubeconform[@]}" -summary "$work"/rendered/*.yaml; then
  fail "kubeconform"
fi

# 4. flags and agent configs against the binary
if [ -n "$observatory" ] && [ -x "$observatory" ]; then
  if ! /usr/bin/python3 "$root/tests/deploy/helm/check_flags.py" "$observatory" "$work"/rendered/*.yaml; then
    fail "flags"
  fi
else
  echo "check_chart: no observatory binary given: flags not checked"
fi

# 5. unit tests
if ! (cd "$work" && "$bin/helm-unittest" --color=false -f 'tests/*_test.yaml' "$chart"); then
  fail "helm-unittest"
fi

echo "check_chart: done in $(($(date +%s) - started)) s"
exit $failed
