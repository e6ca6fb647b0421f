#!/bin/bash
# The container image's health check (installed as /usr/local/bin/eo-healthcheck; docs/container.md).
# usage: eo-healthcheck                       check the running observatory role by its own flags
#        eo-healthcheck [--metrics HOST:PORT]... [--tcp HOST:PORT]...   check exactly these
# Without arguments it finds the `observatory` process, reads its command line and checks what
# that role serves: GET /metrics answers 200 on --metrics-listen (any role), and the
# coordinator's gRPC --listen and the honeypot's Electrum --tcp/--tls listeners accept a
# connection. A role started without listeners (agent or aggregator without --metrics-listen)
# is healthy while its process runs. Only bash and coreutils: the image carries no HTTP client.
set -uo pipefail

fail() { echo "unhealthy: $*"; exit 1; }

# HOST:PORT as a client reaches it from inside the container (wildcards -> loopback).
target() {
  local addr=$1 host port
  port=${addr##*:}; host=${addr%:*}; host=${host#[}; host=${host%]}
  case $host in ''|0.0.0.0|::|'*') host=127.0.0.1 ;; esac
  echo "$host $port"
}

check_tcp() {
  local host port; read -r host port < <(target "$1")
  [ "$port" = 0 ] && return 0
  timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null || fail "nothing accepts on $1"
}

check_metrics() {
  local host port status; read -r host port < <(target "$1")
  status=$(timeout 4 bash -c "exec 3<>/dev/tcp/$host/$port || exit 1
    printf 'GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n' '$host' >&3
    head -n1 <&3" 2>/dev/null | tr -d '\r')
  case $status in "HTTP/1."?" 200"*) ;; *) fail "GET http://$1/metrics: ${status:-no answer}" ;; esac
}

if [ $# -gt 0 ]; then
  while [ $# -gt 0 ]; do
    case $1 in
      --metrics) check_metrics "$2"; shift 2 ;;
      --tcp) check_tcp "$2"; shift 2 ;;
      *) echo "usage: eo-healthcheck [--metrics HOST:PORT]... [--tcp HOST:PORT]..."; exit 2 ;;
    esac
  done
  echo healthy; exit 0
fi

# The observatory process (PID 1 unless the container runs with --init).
args=()
for cmdline in /proc/1/cmdline /proc/[0-9]*/cmdline; do
  [ -r "$cmdline" ] || continue
  mapfile -d '' -t args < "$cmdline" 2>/dev/null || continue
  [ ${#args[@]} -gt 0 ] && [ "${args[0]##*/}" = observatory ] && break
  args=()
done
[ ${#args[@]} -gt 0 ] || fail "no observatory process"

role= metrics=() listeners=()
for ((i = 1; i < ${#args[@]}; i++)); do
  a=${args[i]} next=${args[i+1]:-}
  case $a in
    --metrics-listen) metrics+=("$next"); ((i++)) ;;
    --metrics-listen=*) metrics+=("${a#*=}") ;;
    --listen|--tcp|--tls) listeners+=("$next"); ((i++)) ;;
    --listen=*|--tcp=*|--tls=*) listeners+=("${a#*=}") ;;
    -*) ;;
    *) [ -z "$role" ] && role=$a ;;
  esac
done
# The coordinator listens on its default address when --listen is absent.
if [ "$role" = coordinator ] && ! printf '%s\n' "${args[@]}" | grep -qx -- '--listen\(=.*\)\?'; then
  listeners+=(127.0.0.1:50151)
fi
case $role in coordinator|honeypot) ;; *) listeners=() ;; esac
for m in "${metrics[@]}"; do check_metrics "$m"; done
for l in "${listeners[@]}"; do check_tcp "$l"; done
echo "healthy: ${role:-observatory} (metrics: ${metrics[*]:-none}; listeners: ${listeners[*]:-none})"
