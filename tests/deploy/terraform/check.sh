#!/usr/bin/env bash
# The Terraform modules' checks (ctest -L deploy): with OpenTofu 1.6.3 and the providers built by
# scripts/install-terraform-tools.sh (a filesystem mirror; no registry, no network):
#   1. tofu fmt -check -recursive terraform/
#   2. tofu init (offline) + validate: every module and examples/three-region
#   3. tofu test: the plan-level tests of every module and of the example (*/tests/*.tftest.hcl;
#      dummy credentials: planning new resources asks neither cloud's API anything)
#   4. the rendered cloud-init (a clearnet agent; a Tor agent with Kafka and a private registry)
#      checked by Debian's cloud-init schema (its python module, from the Debian package unpacked
#      by the install script: installing cloud-init would enable its boot services here), and the
#      agent command line's flags and agent config checked against the observatory binary.
# Usage: check.sh SOURCE_DIR WORK_DIR [OBSERVATORY_BINARY]
# Without the tools it skips (exit 77), except under CI=true, where that is a failure. Runs in a
# network namespace of its own (unshare -n) when it can: everything here works offline.
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
observatory=${3:-}
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}
gotools=$cache/go-tools
tofu=$gotools/bin/tofu
cloudinit_root=$cache/cloud-init/root
python=/usr/bin/python3
. "$src/tests/support/waiting.sh"

missing() {
  echo "terraform check: $* (scripts/install-terraform-tools.sh installs it)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 77
}
[ -x "$tofu" ] || missing "no $tofu"
[ -f "$gotools/tofurc" ] || missing "no $gotools/tofurc"
[ -d "$cloudinit_root/usr/lib/python3/dist-packages/cloudinit" ] || missing "no cloud-init module in $cloudinit_root"
"$python" -c 'import yaml, jsonschema, jinja2, configobj, requests, jsonpatch' 2>/dev/null ||
  missing "Debian's python3 lacks cloud-init's libraries (debian-packages.txt: python3-jsonschema ...)"

# No network from here on where a network namespace can be made (root): init, validate and the
# plans must not need one.
if [ -z "${EO_TF_CHECK_OFFLINE:-}" ] && unshare -n true 2>/dev/null; then
  EO_TF_CHECK_OFFLINE=1 exec unshare -n "$0" "$@"
fi

export TF_CLI_CONFIG_FILE=$gotools/tofurc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# Everything runs on a copy: init writes .terraform/ and a lock file whose hashes are those of
# this machine's provider builds, which are not the registry's (see terraform/.gitignore).
rm -rf "$work"
mkdir -p "$work"
cp -r "$src/terraform" "$work/terraform"
tf=$work/terraform
started=$(date +%s)
step() { echo "== $* ($(($(date +%s) - started)) s)"; }

step "tofu fmt -check -recursive"
"$tofu" -chdir="$tf" fmt -check -recursive -diff

for dir in modules/agent-cloud-init modules/hcloud-agents modules/exoscale-agents examples/three-region; do
  step "tofu init + validate: $dir"
  "$tofu" -chdir="$tf/$dir" init -backend=false -input=false -no-color >"$work/init.log" 2>&1 ||
    { cat "$work/init.log"; exit 1; }
  "$tofu" -chdir="$tf/$dir" validate -no-color
done

for dir in modules/agent-cloud-init modules/hcloud-agents modules/exoscale-agents examples/three-region; do
  step "tofu test: $dir"
  "$tofu" -chdir="$tf/$dir" test -no-color
done

step "render cloud-init"
render=$work/render
mkdir -p "$render"
cat >"$render/main.tf" <<EOF
locals {
  common = {
    coordinator  = "coordinator.example.org:50151"
    tls_ca_pem   = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"
    tls_cert_pem = "-----BEGIN CERTIFICATE-----\nMIIBagent\n-----END CERTIFICATE-----\n"
    tls_key_pem  = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n"
    image        = "registry.example.org/electrum-observatory:0.1.0"
  }
}
module "clearnet" {
  source         = "$tf/modules/agent-cloud-init"
  agent_id       = "us-ash"
  provider_label = "hetzner"
  region         = "us-east"
  coordinator    = local.common.coordinator
  tls_ca_pem     = local.common.tls_ca_pem
  tls_cert_pem   = local.common.tls_cert_pem
  tls_key_pem    = local.common.tls_key_pem
  image          = local.common.image
}
module "tor" {
  source             = "$tf/modules/agent-cloud-init"
  agent_id           = "eu-fsn1"
  provider_label     = "hetzner"
  region             = "eu-central"
  tor                = true
  coordinator        = local.common.coordinator
  tls_ca_pem         = local.common.tls_ca_pem
  tls_cert_pem       = local.common.tls_cert_pem
  tls_key_pem        = local.common.tls_key_pem
  image              = local.common.image
  kafka_brokers      = "kafka.example.org:9093"
  kafka_properties   = { "security.protocol" = "SASL_SSL", "sasl.mechanism" = "SCRAM-SHA-512" }
  registry_auth_json = "{\"auths\":{\"registry.example.org\":{\"auth\":\"dXNlcjpwYXNz\"}}}"
  politeness         = { max_requests_per_second_per_target = 2, opt_out = ["optout.example"] }
  profiles           = [{ name = "wallet", client_name = "electrum/4.3.4", protocol_min = "1.4", protocol_max = "1.4" }]
}
output "clearnet_user_data" {
  value     = module.clearnet.user_data
  sensitive = true
}
output "clearnet_exec_start" {
  value     = module.clearnet.exec_start
  sensitive = true
}
output "clearnet_agent_config" { value = module.clearnet.agent_config }
output "clearnet_systemd_unit" {
  value     = module.clearnet.systemd_unit
  sensitive = true
}
output "tor_user_data" {
  value     = module.tor.user_data
  sensitive = true
}
output "tor_exec_start" {
  value     = module.tor.exec_start
  sensitive = true
}
output "tor_agent_config" { value = module.tor.agent_config }
output "tor_systemd_unit" {
  value     = module.tor.systemd_unit
  sensitive = true
}
EOF
"$tofu" -chdir="$render" init -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
"$tofu" -chdir="$render" apply -auto-approve -input=false -no-color >"$work/apply.log" 2>&1 ||
  { cat "$work/apply.log"; exit 1; }
for agent in clearnet tor; do
  "$tofu" -chdir="$render" output -raw "${agent}_user_data" >"$render/$agent.user-data.yaml"
  "$tofu" -chdir="$render" output -raw "${agent}_agent_config" >"$render/$agent.agent.yaml"
  "$tofu" -chdir="$render" output -json "${agent}_exec_start" >"$render/$agent.exec-start.json"
  mkdir -p "$render/$agent.unit"
  "$tofu" -chdir="$render" output -raw "${agent}_systemd_unit" >"$render/$agent.unit/electrum-observatory-agent.service"
done

step "cloud-init schema --config-file (Debian's cloud-init $(cat "$cache/cloud-init/version" 2>/dev/null))"
for agent in clearnet tor; do
  out=$(PYTHONPATH=$cloudinit_root/usr/lib/python3/dist-packages \
    "$python" -W ignore -m cloudinit.config.schema --config-file "$render/$agent.user-data.yaml" 2>&1) || {
    echo "$out"; exit 1; }
  echo "$out"
  # The module exits 0 on deprecations; this document must have none either.
  if grep -qi 'deprecat' <<<"$out"; then echo "$agent: cloud-init reports deprecated keys" >&2; exit 1; fi
  grep -q "^Valid cloud-config: " <<<"$out" || { echo "$agent: not reported valid" >&2; exit 1; }
done
# The check itself must catch a broken document (so a silent pass above means something).
printf '#cloud-config\npackages: podman\nwrite_files:\n  - path: /x\n    bogus: true\n' >"$render/broken.yaml"
if PYTHONPATH=$cloudinit_root/usr/lib/python3/dist-packages \
  "$python" -W ignore -m cloudinit.config.schema --config-file "$render/broken.yaml" >/dev/null 2>&1; then
  echo "cloud-init schema accepted a broken document" >&2; exit 1
fi

# The Tor agent's torrc as the machine ends up with it (Debian's torrc, ours appended), read by
# Debian's tor the way its tor@default unit reads it.
if [ -x /usr/bin/tor ] && [ -f /usr/share/tor/tor-service-defaults-torrc ] && [ -f /etc/tor/torrc ]; then
  step "tor --verify-config"
  { cat /etc/tor/torrc
    "$python" -c 'import sys, yaml
files = yaml.safe_load(open(sys.argv[1]))["write_files"]
print("".join(f["content"] for f in files if f["path"] == "/etc/tor/torrc"))' "$render/tor.user-data.yaml"
  } >"$render/torrc"
  grep -q '^ControlPort 127.0.0.1:9051' "$render/torrc"
  /usr/bin/tor --defaults-torrc /usr/share/tor/tor-service-defaults-torrc -f "$render/torrc" \
    --RunAsDaemon 0 --verify-config | tail -1
else
  echo "== tor --verify-config: left out (no Debian tor here)"
fi

# systemd's own parser on the unit; it checks that ExecStart's program exists, so only where
# podman is installed (Debian's podman; the container checks install it).
if [ -x /usr/bin/podman ] && command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify"
  for agent in clearnet tor; do
    # Any complaint (an unknown key, a bad value) fails, not only the ones it exits non-zero for.
    out=$(cd "$render/$agent.unit" && systemd-analyze verify ./electrum-observatory-agent.service 2>&1) ||
      { echo "$out"; exit 1; }
    if [ -n "$out" ]; then echo "$out"; exit 1; fi
  done
else
  echo "== systemd-analyze verify: left out (no /usr/bin/podman or systemd-analyze here)"
fi

if [ -n "$observatory" ]; then
  step "agent flags and config against $observatory"
  help=$("$observatory" agent --help)
  for agent in clearnet tor; do
    # Every --flag after the image's "agent" word must be one of observatory agent --help's.
    "$python" - "$render/$agent.exec-start.json" "$help" <<'EOF'
import json, re, sys
words = json.load(open(sys.argv[1]))
args = words[words.index("agent") + 1:]
known = set(re.findall(r"^\s+(?:-\w,)?(--[a-z-]+)", sys.argv[2], re.M))
flags = [a for a in args if a.startswith("--")]
unknown = [f for f in flags if f not in known]
if unknown or not flags:
    sys.exit(f"{sys.argv[1]}: flags not in observatory agent --help: {unknown}")
print(f"{len(flags)} flags, all in observatory agent --help")
EOF
    # And every podman flag before the image is one of Debian's podman's (where podman is here).
    if [ -x /usr/bin/podman ]; then
      "$python" - "$render/$agent.exec-start.json" "$(/usr/bin/podman run --help)" <<'EOF'
import json, re, sys
words = json.load(open(sys.argv[1]))
podman = words[2:words.index("agent") - 1]
known = set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", sys.argv[2], re.M))
flags = [a for a in podman if a.startswith("--")]
unknown = [f for f in flags if f not in known]
if unknown or not flags:
    sys.exit(f"{sys.argv[1]}: flags not in podman run --help: {unknown}")
print(f"{len(flags)} podman flags, all in podman run --help")
EOF
    fi
    # The agent reads the config as a task file once `tasks` is added: vantages, politeness,
    # profiles and timeouts parse, and it starts (nothing to run, it exits).
    { cat "$render/$agent.agent.yaml"; echo "tasks: []"; } >"$render/$agent.tasks.yaml"
    if ! "$observatory" agent --tasks "$render/$agent.tasks.yaml" --data-dir "$render/$agent-data" \
      >"$render/$agent.agent.log" 2>&1; then
      cat "$render/$agent.agent.log"; exit 1
    fi
    grep -E 'vantage|politeness' "$render/$agent.agent.log" | head -4 || true
  done
fi
# The unit's command line run for real: with an electrum-observatory image at hand
# (EO_TF_CHECK_IMAGE, e.g. one the container checks built with EO_CONTAINER_KEEP=1), play the
# machine's first boot under a fake root (machine.py: write_files with their modes, the runcmd
# chown/install), run the unit's podman command (paths under that root, this sandbox's podman
# flags) and see the agent register with a coordinator over mTLS and serve /metrics.
if [ -n "${EO_TF_CHECK_IMAGE:-}" ] && [ -n "$observatory" ] && [ "${EO_TF_CHECK_OFFLINE:-}" = 1 ]; then
  step "the unit's podman command with $EO_TF_CHECK_IMAGE against a coordinator"
  e2e=$work/e2e
  mkdir -p "$e2e/render"
  "$observatory" dev-ca --out "$e2e/pki" --agents us-ash --hosts 127.0.0.1 >/dev/null
  cat >"$e2e/render/main.tf" <<EOF
module "agent" {
  source         = "$tf/modules/agent-cloud-init"
  agent_id       = "us-ash"
  provider_label = "hetzner"
  region         = "us-east"
  coordinator    = "127.0.0.1:50151"
  tls_ca_pem     = file("$e2e/pki/ca.pem")
  tls_cert_pem   = file("$e2e/pki/agent-us-ash.pem")
  tls_key_pem    = file("$e2e/pki/agent-us-ash.key")
  image          = "registry.example.org/electrum-observatory:0.1.0"
}
output "user_data" {
  value     = module.agent.user_data
  sensitive = true
}
output "exec_start" {
  value     = module.agent.exec_start
  sensitive = true
}
EOF
  "$tofu" -chdir="$e2e/render" init -input=false -no-color >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
  "$tofu" -chdir="$e2e/render" apply -auto-approve -input=false -no-color >"$work/apply.log" 2>&1 ||
    { cat "$work/apply.log"; exit 1; }
  "$tofu" -chdir="$e2e/render" output -raw user_data >"$e2e/user-data.yaml"
  "$tofu" -chdir="$e2e/render" output -json exec_start >"$e2e/exec-start.json"
  ip link set lo up
  "$observatory" coordinator --listen 127.0.0.1:50151 --store "sqlite:$e2e/coordinator.sqlite" \
    --tls-ca "$e2e/pki/ca.pem" --tls-cert "$e2e/pki/coordinator.pem" \
    --tls-key "$e2e/pki/coordinator.key" --data-dir "$e2e/coordinator-data" --log-format json \
    >"$e2e/coordinator.log" 2>&1 &
  coordinator=$!
  container=eo-tf-check-$$
  cleanup_e2e() {
    podman --runtime runc --cgroup-manager cgroupfs rm -f -t 2 "$container" >/dev/null 2>&1 || true
    kill "$coordinator" 2>/dev/null || true
  }
  trap cleanup_e2e EXIT
  mapfile -t command < <("$src/tests/deploy/terraform/machine.py" "$e2e/user-data.yaml" \
    "$e2e/exec-start.json" "$e2e/root" "$EO_TF_CHECK_IMAGE" "$container" \
    --runtime runc --cgroup-manager cgroupfs -- --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  "${command[@]}" >/dev/null 2> >(grep -v -e 'systemd connection' >&2)
  # Up to 30 s for the agent in podman to register; no longer once the coordinator has died.
  agent_registered() {
    grep -q '"msg":"agent registered"' "$e2e/coordinator.log" && return 0
    kill -0 "$coordinator" 2>/dev/null || return 255
    return 1
  }
  if ! poll_until 30 0.5 agent_registered; then
    podman logs "$container" 2>&1 | tail -20; cat "$e2e/coordinator.log"
    echo "the agent in podman did not register" >&2; exit 1
  fi
  grep '"msg":"agent registered"' "$e2e/coordinator.log"
  curl -sf --max-time 5 http://127.0.0.1:9464/metrics | grep -m1 '^eo_agent_' ||
    { echo "no agent metrics on :9464" >&2; exit 1; }
  cleanup_e2e
  trap - EXIT
else
  echo "== the unit's podman command: left out (EO_TF_CHECK_IMAGE=IMAGE, as root, runs it)"
fi
step "done"
