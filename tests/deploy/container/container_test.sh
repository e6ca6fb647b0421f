#!/usr/bin/env bash
# ctest deploy.container: builds the project's Containerfile unchanged with Debian's podman (base
# image debian:12 from scripts/make-base-image.sh, no registry), prints the image's size, then on
# a podman network runs the four roles from it, all with the embedded defaults (SQLite, the
# embedded bus log; no Kafka, no Redis):
#   honeypot     observatory honeypot --tcp 0.0.0.0:50001 --profile electrumx
#   coordinator  observatory coordinator (gRPC with mTLS, certificates from `observatory dev-ca`)
#   agent        observatory agent --coordinator coordinator:50151 (mTLS, its bus on a volume)
#   aggregator   observatory aggregator on that volume (the embedded log's reader runs beside
#                its writer), results database on a host directory
# submits a one-round campaign against honeypot:50001:t as the operator, and checks end to end:
# the agent's observations of the honeypot are in the aggregator's database, the honeypot
# recorded the agent's sessions (ingested too), the aggregator fingerprinted the honeypot as the
# implementation it emulates, `observatory report` renders, and each container's health check
# passes. Everything it creates (containers, network, volumes, the image) goes on exit, also on
# failure. podman missing: skip (77), but fail under CI=true.
# EO_CONTAINER_KEEP=1 keeps the image; EO_CONTAINER_IMAGE=NAME uses an existing image (no build).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
. "$root/tests/support/waiting.sh"
started=$(date +%s)
log() { echo "[container_test +$(( $(date +%s) - started ))s] $*"; }

if ! command -v podman >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "FAIL: podman is missing (scripts/debian-packages.txt)"; exit 1; fi
  echo "SKIP: podman is missing (scripts/install-deps.sh installs it)"; exit 77
fi
# This sandbox: runc (crun rejects its mixed cgroup layout), cgroupfs, limits not raised.
pod=(podman_q --runtime runc --cgroup-manager cgroupfs)
# Without systemd podman cannot arm its health-check timers and says so on every run and rm:
# those lines are noise here (`podman healthcheck run` checks on demand).
podman_q() { podman "$@" 2> >(grep -v -e 'systemd connection' -e 'connect to syslog' >&2); }
limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

id=eo-ct-$$
image=${EO_CONTAINER_IMAGE:-localhost/electrum-observatory:$id}
net=$id-net
work=$(mktemp -d "/var/tmp/$id.XXXXXX")
containers=()
built=0
cleanup() {
  rc=$?
  if [ $rc -ne 0 ]; then
    for c in "${containers[@]}"; do
      echo "---- logs of $c (last 40 lines)"; "${pod[@]}" logs --tail 40 "$c" 2>&1 || true
    done
  fi
  for c in "${containers[@]}"; do "${pod[@]}" rm -f -v -t 2 "$c" >/dev/null 2>&1 || true; done
  "${pod[@]}" network rm -f "$net" >/dev/null 2>&1 || true
  if [ $built = 1 ] && [ "${EO_CONTAINER_KEEP:-0}" != 1 ]; then
    "${pod[@]}" rmi -f "$image" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  log "cleaned up (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# What an earlier run killed outright (SIGKILL, e.g. a ctest timeout) could not remove.
for stale in $(podman ps -a --format '{{.Names}}' | grep -E '^eo-ct-[0-9]+-' || true); do
  pid=${stale#eo-ct-}; pid=${pid%%-*}
  kill -0 "$pid" 2>/dev/null || "${pod[@]}" rm -f -v -t 2 "$stale" >/dev/null 2>&1 || true
done
for stale in $(podman network ls --format '{{.Name}}' | grep -E '^eo-ct-[0-9]+-net$' || true); do
  pid=${stale#eo-ct-}; pid=${pid%-net}
  kill -0 "$pid" 2>/dev/null || "${pod[@]}" network rm -f "$stale" >/dev/null 2>&1 || true
done
for stale in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/electrum-observatory:eo-ct-[0-9]+$' || true); do
  pid=${stale##*:eo-ct-}
  kill -0 "$pid" 2>/dev/null || "${pod[@]}" rmi -f "$stale" >/dev/null 2>&1 || true
done

# ---- the image -------------------------------------------------------------------------------
if [ -z "${EO_CONTAINER_IMAGE:-}" ]; then
  t0=$(date +%s)
  "$root/scripts/make-base-image.sh"
  log "base image ready in $(( $(date +%s) - t0 )) s"
  # The host's ccache (the host build ran first in scripts/test.sh) serves the container's
  # compiles: same source path (EO_SRC), flags, compiler and locale. The .debs are cached too.
  ccache_dir=$(ccache -k cache_dir 2>/dev/null || echo "${CCACHE_DIR:-$HOME/.cache/ccache}")
  apt_cache=${XDG_CACHE_HOME:-$HOME/.cache}/electrum-observatory/container-apt
  mkdir -p "$ccache_dir" "$apt_cache"
  t0=$(date +%s)
  built=1
  # Under the machine's build lock (2 cores shared); the time counts from the lock's acquisition.
  flock /tmp/eo-build.lock bash -c 'date +%s > "$0"; exec "$@"' "$work/build.start" \
    podman --runtime runc --cgroup-manager cgroupfs build "${limits[@]}" --format docker --layers=false \
    --build-arg EO_SRC="$root" --build-arg EO_LANG="${LANG:-}" \
    --build-arg EO_REVISION="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg EO_CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --volume "$ccache_dir:/ccache:z" --volume "$apt_cache:/var/cache/apt/archives:z" \
    -t "$image" -f "$root/Containerfile" "$root" > "$work/build.log" 2>&1 \
    || { tail -60 "$work/build.log"; echo "FAIL: podman build"; exit 1; }
  build_s=$(( $(date +%s) - $(cat "$work/build.start") )) lock_s=$(( $(cat "$work/build.start") - t0 ))
  hits=$(grep -m1 '^ccache for this build:' "$work/build.log" | sed 's/^ccache for this build: //')
  log "image built in $build_s s (after $lock_s s waiting for the build lock); container ccache: $hits"
fi
size=$("${pod[@]}" image inspect -f '{{.Size}}' "$image")
log "IMAGE SIZE: $image $(( size / 1000000 )) MB ($size bytes)"
"${pod[@]}" image inspect -f '{{json .Config.Labels}}' "$image" | grep -q org.opencontainers.image.title \
  || { echo "FAIL: OCI labels missing"; exit 1; }
[ "$("${pod[@]}" image inspect -f '{{.Config.User}}' "$image")" = observatory ] \
  || { echo "FAIL: the image's user is not 'observatory'"; exit 1; }
"${pod[@]}" image inspect -f '{{json .HealthCheck}}' "$image" | grep -q eo-healthcheck \
  || { echo "FAIL: no HEALTHCHECK in the image (built without --format docker?)"; exit 1; }

# ---- the roles -------------------------------------------------------------------------------
uid=$("${pod[@]}" run --rm "${limits[@]}" --no-healthcheck --entrypoint id "$image" -u)
[ "$uid" != 0 ] || { echo "FAIL: the image runs as root"; exit 1; }
# Debian's tor in the image runs as the image's user (the Helm chart's agent sidecar uses it).
# (Debian's /etc/tor/torrc is all comments; its service defaults would switch to debian-tor.)
tor_check=$(podman --runtime runc --cgroup-manager cgroupfs run --rm "${limits[@]}" \
  --no-healthcheck --entrypoint tor "$image" --verify-config --defaults-torrc /etc/tor/torrc \
  -f /etc/tor/torrc --DataDirectory /tmp/tor --SocksPort 127.0.0.1:9050 \
  --ControlPort 127.0.0.1:9051 2>&1) \
  || { echo "$tor_check"; echo "FAIL: tor in the image"; exit 1; }
log "tor: $("${pod[@]}" run --rm "${limits[@]}" --no-healthcheck --entrypoint tor "$image" --version | head -1)"
mkdir -p "$work"/{pki,cfg,agent,honeypot,coordinator,results,report}
chown -R "$uid:$uid" "$work"
run_once() { "${pod[@]}" run --rm "${limits[@]}" --no-healthcheck --network "$net" "$@"; }
start() {  # start NAME ARGS...: a detached role container on the network
  local name=$1; shift
  containers+=("$id-$name")
  "${pod[@]}" run -d "${limits[@]}" --network "$net" --name "$id-$name" \
    --network-alias "$name" "$@" >/dev/null
}
"${pod[@]}" network create "$net" >/dev/null

run_once -v "$work/pki:/pki:z" "$image" dev-ca --out /pki --agents eu-1 \
  --hosts coordinator,localhost,127.0.0.1 --days 2 >/dev/null
tls() { echo --tls-ca /pki/ca.pem --tls-cert "/pki/$1.pem" --tls-key "/pki/$1.key"; }
cat > "$work/cfg/agent.yaml" <<YAML
agent_id: eu-1
vantages:
  - {id: eu-1, region: eu, provider: container}
politeness: {max_requests_per_second_per_target: 20, max_concurrency_per_target: 2}
YAML
cat > "$work/cfg/campaign.yaml" <<YAML
name: container-$$
targets: {list: ["honeypot:50001:t"]}
probes: all
vantages: [{region: eu}]
rounds: 1
round_spacing_s: 10
sync_window_s: 10
politeness: {max_concurrency_per_target: 2, max_requests_per_second_per_target: 20}
YAML
chown -R "$uid:$uid" "$work/cfg"

metrics=(--metrics-listen 0.0.0.0:9464)
start honeypot -v "$work/honeypot:/data:z" "$image" honeypot --tcp 0.0.0.0:50001 \
  --profile electrumx --id honeypot-ct --data-dir /data "${metrics[@]}"
start coordinator -v "$work/coordinator:/data:z" -v "$work/pki:/pki:ro,z" "$image" coordinator \
  --listen 0.0.0.0:50151 --store sqlite:/data/coordinator.sqlite --data-dir /data \
  $(tls coordinator) "${metrics[@]}"
start agent -v "$work/agent:/data:z" -v "$work/pki:/pki:ro,z" -v "$work/cfg:/cfg:ro,z" "$image" \
  agent --coordinator coordinator:50151 --config /cfg/agent.yaml --data-dir /data \
  $(tls agent-eu-1) --concurrency 8 "${metrics[@]}"
start aggregator -v "$work/agent:/bus:z" -v "$work/results:/results:z" "$image" aggregator \
  --data-dir /bus --db /results/results.sqlite --analyze-every 2 "${metrics[@]}"
log "4 roles started: ${containers[*]}"

# Every role's health check (the image's HEALTHCHECK: eo-healthcheck), once they listen: up to
# 30 s each, and no longer once the container has exited.
healthy() {
  "${pod[@]}" healthcheck run "$1" && return 0
  [ "$("${pod[@]}" inspect -f '{{.State.Running}}' "$1")" = true ] || return 255
  return 1
}
for c in "${containers[@]}"; do
  poll_until 30 1 healthy "$c" ||
    { echo "FAIL: $c unhealthy: $("${pod[@]}" exec "$c" eo-healthcheck 2>&1)"; exit 1; }
  log "healthy: $c ($("${pod[@]}" exec "$c" eo-healthcheck))"
done

# The operator submits the campaign over mTLS and follows it to its end.
log "campaign submit (operator certificate) and watch"
run_once -v "$work/pki:/pki:ro,z" -v "$work/cfg:/cfg:ro,z" "$image" campaign submit \
  /cfg/campaign.yaml --coordinator coordinator:50151 $(tls operator) --watch > "$work/watch.log" 2>&1 \
  || { tail -30 "$work/watch.log"; echo "FAIL: campaign"; exit 1; }
tail -3 "$work/watch.log"

# The aggregator (live, reading the agent's log) has the agent's observations of the honeypot.
query() {
  python3 - "$work/results/results.sqlite" "$1" <<'PY'
import sqlite3, sys
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=10)
    print(db.execute(sys.argv[2]).fetchone()[0])
except sqlite3.Error:
    print(0)
PY
}
# print_status's last line: "campaign NAME: done, round 1/1, tasks D done + F failed / T (...)"
tasks=$(grep -Eo 'tasks [0-9]+ done' "$work/watch.log" | tail -1 | grep -Eo '[0-9]+' || true)
honeypot_observed() {  # leaves the count in n
  n=$(query "select count(*) from observations where target_host = 'honeypot' and agent_id = 'eu-1'")
  [ "$n" -gt 0 ] && [ "$n" -ge "${tasks:-1}" ]
}
poll_until 120 1 honeypot_observed ||
  { echo "FAIL: $n observations of the honeypot in the aggregator's database"; exit 1; }
ok=$(query "select count(*) from observations where target_host = 'honeypot' and outcome = 'ok'")
probes=$(query "select group_concat(probe_name || '=' || outcome, ' ') from observations where target_host = 'honeypot'")
log "aggregator: $n observations of honeypot:50001 by agent eu-1, $ok ok: $probes"
[ "$ok" -gt 0 ] || { echo "FAIL: no probe of the honeypot succeeded"; exit 1; }
# Wait for the live aggregator's analysis, then stop it (one writer of the database at a time).
fingerprinted() { [ "$(query "select count(*) from fingerprints")" -gt 0 ]; }
poll_until 60 1 fingerprinted ||
  log "no analysis from the live aggregator within 60 s (the honeypot ingest below analyses)"
"${pod[@]}" stop -t 20 "$id-aggregator" >/dev/null

# The honeypot's side: its recorded sessions (the agent's connections) into the same database,
# then one analysis over both logs, as `observatory local` and the testbed do.
run_once -v "$work/honeypot:/hp:z" -v "$work/results:/results:z" "$image" aggregator --once \
  --log-dir /hp/bus --group hp-ingest --db /results/results.sqlite --idle-ms 1000 \
  > "$work/hp-ingest.log" 2>&1 || { tail -20 "$work/hp-ingest.log"; echo "FAIL: honeypot ingest"; exit 1; }
events=$(query "select count(*) from honeypot_events where honeypot_id = 'honeypot-ct'")
sessions=$(query "select count(distinct session_id) from honeypot_events where honeypot_id = 'honeypot-ct'")
agent_ip=$("${pod[@]}" inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$id-agent")
from_agent=$(query "select count(*) from honeypot_events where peer_ip = '$agent_ip'")
log "honeypot recorded $events events in $sessions sessions, $from_agent from the agent container ($agent_ip)"
[ "$from_agent" -gt 0 ] || { echo "FAIL: the honeypot recorded nothing from the agent container"; exit 1; }
impl=$(query "select group_concat(distinct implementation) from fingerprints where target_id like '%honeypot%'" 2>/dev/null || true)
log "aggregator fingerprint of the honeypot: ${impl:-none}"
[ "$impl" = electrumx ] || { echo "FAIL: the honeypot (--profile electrumx) fingerprinted as '${impl:-nothing}'"; exit 1; }

run_once -v "$work/results:/results:ro,z" -v "$work/report:/report:z" "$image" report \
  --db /results/results.sqlite --out /report > "$work/report.log" 2>&1 \
  || { tail -20 "$work/report.log"; echo "FAIL: observatory report"; exit 1; }
grep -q honeypot "$work/report/report.html" || { echo "FAIL: the report does not name the honeypot"; exit 1; }
log "report.html $(stat -c %s "$work/report/report.html") bytes"

# Each role is PID 1 of its container: it must stop on SIGTERM by itself (not by SIGKILL).
# The agent goes first: a coordinator stopped while an agent's task stream is open aborts in
# gRPC's shutdown today (exit 134/139, also outside containers; docs/container.md).
for c in "$id-agent" "$id-honeypot" "$id-coordinator"; do
  [ "$("${pod[@]}" inspect -f '{{.State.Running}}' "$c")" = true ] || { echo "FAIL: $c exited"; exit 1; }
  t0=$(date +%s%N)
  "${pod[@]}" stop -t 15 "$c" >/dev/null
  code=$("${pod[@]}" inspect -f '{{.State.ExitCode}}' "$c")
  log "stopped $c by SIGTERM: exit $code in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  [ "$code" != 137 ] || { echo "FAIL: $c ignored SIGTERM (killed)"; exit 1; }
  [ "$code" = 0 ] || log "WARNING: $c exited $code on SIGTERM"
done
log "PASS: image $(( size / 1000000 )) MB; 4 roles from one image; agent -> honeypot -> aggregator end to end"
