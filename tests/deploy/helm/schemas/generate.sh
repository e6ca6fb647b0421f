#!/usr/bin/env bash
# Generates kubeconform's schemas for the chart's custom resources from the npm packages'
# type declarations: OUT/{kind}-{group}-{version}.json (kubeconform's -schema-location template
# {{.ResourceKind}}{{.KindSuffix}}.json). Usage: generate.sh NPM_DIR OUT (NPM_DIR after npm ci).
# --expose none inlines every type: cert-manager's declarations name two different types
# ILocalObjectReference, which as shared definitions would collide.
set -euo pipefail
npm_dir=$1 out=$2
mkdir -p "$out"
gen=$npm_dir/node_modules/.bin/ts-json-schema-generator
# type  kind  group-prefix  version
while read -r type kind group version; do
  "$gen" --path "$npm_dir/crds.ts" --tsconfig "$npm_dir/tsconfig.json" --type "$type" \
    --no-type-check --expose none --out "$out/$kind-$group-$version.json"
done <<'LIST'
IServiceMonitor servicemonitor monitoring v1
IPodMonitor podmonitor monitoring v1
IPrometheusRule prometheusrule monitoring v1
ICertificate certificate cert-manager v1
IIssuer issuer cert-manager v1
LIST
echo "install-helm-tools: $(ls "$out" | wc -l) custom resource schemas in $out"
