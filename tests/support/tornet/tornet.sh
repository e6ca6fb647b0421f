#!/bin/bash
# A private Tor network on 127.0.0.1 for tests: 3 directory authorities, 3 exits, a client
# (SOCKS5 + control port) and an onion service in front of the test's server. Debian's `tor`
# package only. Facts learned from ../shared/reference/tornet (README.txt there); see README.md.
#
#   tornet.sh start DIR TARGET_PORT [OWNER_PID]   builds a fresh network in DIR (must not exist
#                                                 or be empty), waits until the exit path (also on
#                                                 fresh circuits) and the onion both carry a
#                                                 stream, prints KEY=VALUE lines
#                                                 (also in DIR/env), exit 0; on any failure it
#                                                 stops what it started and exits non-zero.
#   tornet.sh stop DIR                            stops every tor of DIR by its PID file.
#
# Every tor also watches OWNER_PID (default: the caller) and exits when it dies, so a test killed
# by a timeout leaves no tor behind. Every relay binds its outgoing sockets to 127.0.0.1: an exit
# cannot reach beyond loopback whatever its policy says.
set -euo pipefail

N_AUTH=3
N_EXIT=3
READY_TIMEOUT_S=${TORNET_READY_TIMEOUT_S:-90}

die() { echo "tornet: $*" >&2; exit 1; }

# poll_until, the shell tests' one bounded poll.
. "$(dirname "${BASH_SOURCE[0]}")/../waiting.sh"

# True when no node of DIR has a live pid.
none_alive() {
  local pf pid
  for pf in "$1"/*/pid; do
    [ -f "$pf" ] && pid=$(cat "$pf" 2>/dev/null) && [ -n "$pid" ] &&
      kill -0 "$pid" 2>/dev/null && return 1
  done
  return 0
}


# SIGTERM to each tor by its PID file (tor removes the file when it exits cleanly), then SIGKILL
# what is left after 5 s. Only PIDs we recorded are touched.
stop_network() {
  local dir=$1 pf pid alive
  for pf in "$dir"/*/pid; do
    [ -f "$pf" ] || continue
    pid=$(cat "$pf" 2>/dev/null) || continue
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  poll_until 5 0.1 none_alive "$dir" && return 0
  for pf in "$dir"/*/pid; do
    [ -f "$pf" ] && pid=$(cat "$pf" 2>/dev/null) && [ -n "$pid" ] &&
      kill -KILL "$pid" 2>/dev/null || true
  done
}

# Ports: every node whose port nobody needs in advance binds `auto` (port 0) and its port is
# read back (the exits' OR ports, the client's SOCKS port). The authorities' OR and Dir ports are
# written into every node's DirAuthority lines before they start, so they get candidate ports and
# start_authorities retries on others when a tor cannot bind one (it then exits non-zero).
# Candidates are random below the kernel's ephemeral range (where outgoing connections of other
# tests take ports), distinct within this network.
TAKEN=" "
EPHEMERAL_START=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
[ "$EPHEMERAL_START" -gt 12000 ] || EPHEMERAL_START=32768
candidate_port() {  # sets PORT (not echoed: TAKEN must survive, and $(...) is a subshell)
  local p
  while :; do
    p=$((10000 + (RANDOM * 32768 + RANDOM) % (EPHEMERAL_START - 10000)))
    [[ $TAKEN == *" $p "* ]] && continue
    TAKEN+="$p "
    PORT=$p
    return 0
  done
}

# The relay identity fingerprint of data dir $1 (this also creates the identity key tor keeps).
relay_fingerprint() {
  tor --list-fingerprint --ignore-missing-torrc -f /dev/null --DataDirectory "$1" \
      --ORPort 1 --Nickname x --Log 'err stderr' 2>/dev/null | tail -1 | cut -d' ' -f2- | tr -d ' '
}

# An authority's keys, and its identities ("V3IDENT FINGERPRINT") in DIR/NICK/identity. RSA key
# generation takes seconds of CPU (half a minute on a loaded 2-core machine), so the three run at
# once and,
# with TORNET_KEY_CACHE set, each authority's keys are made once and reused for 300 days (their
# certificate holds 12 months; it names no address, so any port fits).
authority_keys() {
  local dir=$1 nick=$2 v3 fp
  local cached=${TORNET_KEY_CACHE:+$TORNET_KEY_CACHE/$nick}
  if [ -n "$cached" ] && [ -n "$(find "$cached" -maxdepth 0 -mtime -300 2>/dev/null)" ]; then
    cp -r "$cached/keys" "$dir/$nick/" || return 1
  else
    mkdir -p "$dir/$nick/keys"
    ( cd "$dir/$nick/keys" && echo "" | tor-gencert --create-identity-key -m 12 \
        --passphrase-fd 0 -i authority_identity_key -s authority_signing_key \
        -c authority_certificate >/dev/null 2>&1 ) || return 1
  fi
  v3=$(awk '/^fingerprint /{print $2}' "$dir/$nick/keys/authority_certificate")
  fp=$(relay_fingerprint "$dir/$nick")
  [ -n "$v3" ] && [ -n "$fp" ] || return 1
  if [ -n "$cached" ] && [ ! -d "$cached" ]; then
    # Whole or not at all: a copy renamed into place (a concurrent run's rename may win).
    mkdir -p "$TORNET_KEY_CACHE" && cp -r "$dir/$nick" "$cached.$$" &&
      { mv -T "$cached.$$" "$cached" 2>/dev/null || rm -rf "$cached.$$"; }
  fi
  echo "$v3 $fp" > "$dir/$nick/identity"
}

# Settings every node shares.
common_torrc() {
  local dir=$1 nick=$2
  cat <<EOF
TestingTorNetwork 1
DataDirectory $dir/$nick
Nickname $nick
PidFile $dir/$nick/pid
RunAsDaemon 1
__OwningControllerProcess $OWNER
Log notice file $dir/$nick/notice.log
SafeLogging 0
ShutdownWaitLength 0
ControlPort 127.0.0.1:auto
ControlPortWriteToFile $dir/$nick/control_port
CookieAuthentication 1
OutboundBindAddress 127.0.0.1
AssumeReachable 1
PathsNeededToBuildCircuits 0.67
ClientUseIPv6 0
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
%include $dir/dirauthorities.conf
EOF
}

# Runs `check` every 0.5 s until it succeeds or the readiness deadline passes.
wait_for() {
  local what=$1 rc=0; shift
  poll_until $(( DEADLINE - $(date +%s) )) 0.5 owner_alive_and "$@" || rc=$?
  [ "$rc" = 255 ] && die "owner process $OWNER is gone"
  [ "$rc" = 0 ] || die "$what not ready within ${READY_TIMEOUT_S}s (logs: $DIR/*/notice.log)"
}

owner_alive_and() {
  kill -0 "$OWNER" 2>/dev/null || return 255
  "$@"
}

# An HTTP GET over the client's SOCKS port (no SOCKS credentials) to `host:port` that leads to
# the client's own SOCKS port, which answers any HTTP request with "501 Tor is not an HTTP
# Proxy": a reply that proves the stream went through. (Exits refuse streams to relays' ORPorts
# and DirPorts, so those cannot serve as the probe's target.)
through_socks() {
  [ "$(curl -s -m 30 -o /dev/null -w '%{http_code}' --socks5-hostname "127.0.0.1:$SOCKS_PORT" \
        "http://$1/")" = 501 ]
}

# The same over fresh circuits: streams under distinct SOCKS credentials, which tor isolates onto
# circuits of their own, as the agent's rounds are. One stream through the first circuit does not
# show that the others the agent will ask for can be built yet (a CI run once got SOCKS "general
# failure" on three such rounds right after the first stream had passed).
through_fresh_circuits() {
  local i tag=$RANDOM
  for i in 1 2 3; do
    [ "$(curl -s -m 30 -o /dev/null -w '%{http_code}' \
          --proxy "socks5h://ready-$tag-$i:x@127.0.0.1:$SOCKS_PORT" "http://$1/")" = 501 ] ||
      return 1
  done
}

# The service uploads each descriptor to several HSDirs (of 6 here); 3 accepted uploads cover
# the ones a client asks.
descriptor_uploaded() {
  [ "$(grep -c "Uploading hidden service descriptor: finished with status 200" \
        "$DIR/hs/rend.log")" -ge 3 ]
}

# Starts the tor of node directory $1 (its torrc there); dies when it does not start.
start_tor() {
  tor -f "$1/torrc" --quiet ||
    die "tor did not start for $(basename "$1"): $(tail -n 5 "$1/notice.log" 2>/dev/null)"
}

# An authority's torrc.
authority_torrc() {
  local nick=$1 or_port=$2 dir_port=$3
  common_torrc "$DIR" "$nick"
  cat <<EOF
Address 127.0.0.1
ORPort 127.0.0.1:$or_port
DirPort 127.0.0.1:$dir_port
SocksPort 0
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
ContactInfo $nick@test.invalid
ExitPolicy reject *:*
V3AuthVotingInterval 10
TestingV3AuthInitialVotingInterval 5
V3AuthVoteDelay 2
V3AuthDistDelay 2
TestingV3AuthInitialVoteDelay 2
TestingV3AuthInitialDistDelay 2
TestingV3AuthVotingStartOffset 0
# Fast and Stable from the first vote: without them onion services cannot pick their second hop
# (vanguards) and retry only a minute later.
TestingMinFastFlagThreshold 0
AuthDirVoteStableGuaranteeMinUptime 0
AuthDirVoteStableGuaranteeMTBF 0
EOF
}

# The authorities on candidate ports, written into dirauthorities.conf first. A tor that cannot
# bind a port exits non-zero before it logs anything, so any failed start stops the authorities
# and tries them all again on other ports (the ports are in every DirAuthority line), 5 times.
start_authorities() {
  local attempt i nick or_port dir_port v3 fp failed
  for attempt in 1 2 3 4 5; do
    : > "$DIR/dirauthorities.conf"
    for i in $(seq 0 $((N_AUTH - 1))); do
      nick=auth$i; candidate_port; or_port=$PORT; candidate_port; dir_port=$PORT
      read -r v3 fp < "$DIR/$nick/identity"
      echo "DirAuthority $nick orport=$or_port no-v2 v3ident=$v3 127.0.0.1:$dir_port $fp" \
        >> "$DIR/dirauthorities.conf"
      authority_torrc "$nick" "$or_port" "$dir_port" > "$DIR/$nick/torrc"
    done
    failed=
    for i in $(seq 0 $((N_AUTH - 1))); do
      tor -f "$DIR/auth$i/torrc" --quiet || { failed=auth$i; break; }
    done
    [ -z "$failed" ] && return 0
    echo "tornet: $failed did not start (attempt $attempt of 5: a port taken?)" >&2
    stop_network "$DIR"
  done
  die "the authorities did not start in 5 attempts: $(tail -n 5 "$DIR/$failed/notice.log" 2>/dev/null)"
}

start_network() {
  DIR=$1 TARGET_PORT=$2 OWNER=${3:-$PPID}
  [[ $TARGET_PORT =~ ^[0-9]+$ ]] || die "TARGET_PORT '$TARGET_PORT' is not a port"
  mkdir -p "$DIR" && chmod 700 "$DIR"
  [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty"
  trap 'rc=$?; [ $rc = 0 ] || stop_network "$DIR"; exit $rc' EXIT
  trap 'exit 1' INT TERM
  DEADLINE=$(( $(date +%s) + READY_TIMEOUT_S ))
  local i nick
  local keygen=()

  for i in $(seq 0 $((N_AUTH - 1))); do
    nick=auth$i
    mkdir -p "$DIR/$nick" && chmod 700 "$DIR/$nick"
    authority_keys "$DIR" "$nick" &
    keygen+=($!)
  done
  for i in "${keygen[@]}"; do wait "$i" || die "authority keys failed"; done
  start_authorities

  # Exits must accept *:* in their policy: a policy of loopback only is summarised as "reject
  # 1-65535" (private addresses are left out of summaries) and clients then see no exit at all.
  # OutboundBindAddress keeps them on loopback. Their OR ports are auto: each advertises the one
  # it bound.
  for i in $(seq 0 $((N_EXIT - 1))); do
    nick=exit$i; mkdir -p "$DIR/$nick" && chmod 700 "$DIR/$nick"
    { common_torrc "$DIR" "$nick"; cat <<EOF
Address 127.0.0.1
ORPort 127.0.0.1:auto
SocksPort 0
ContactInfo $nick@test.invalid
ExitRelay 1
ExitPolicy accept 127.0.0.1:*
ExitPolicy accept *:*
ExitPolicyRejectPrivate 0
ExitPolicyRejectLocalInterfaces 0
ServerDNSDetectHijacking 0
ServerDNSTestAddresses
ServerDNSResolvConfFile /dev/null
ServerDNSAllowBrokenConfig 1
EOF
    } > "$DIR/$nick/torrc"
    start_tor "$DIR/$nick"
  done

  mkdir -p "$DIR/client" "$DIR/hs" && chmod 700 "$DIR/client" "$DIR/hs"
  { common_torrc "$DIR" client; cat <<EOF
SocksPort 127.0.0.1:auto IsolateSOCKSAuth
ORPort 0
VanguardsLiteEnabled 0
EOF
  } > "$DIR/client/torrc"
  start_tor "$DIR/client"
  # The port it bound, from its log (written before the daemon's start returns).
  SOCKS_PORT=$(sed -n 's/.*Opened Socks listener connection (ready) on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
    "$DIR/client/notice.log" | tail -1)
  [ -n "$SOCKS_PORT" ] || die "the client's SOCKS port is not in $DIR/client/notice.log"
  # onion:TARGET_PORT is the test's server; onion:80 is the client's SOCKS port, which the
  # readiness check fetches so that it never touches the test's server.
  { common_torrc "$DIR" hs; cat <<EOF
SocksPort 0
ORPort 0
# Six relays are too few for vanguards' layer-2 set in the first minute ("Failed to find node for
# hop #2"); these circuits' shape is not what the tests measure.
VanguardsLiteEnabled 0
HiddenServiceDir $DIR/hs/hs
HiddenServicePort $TARGET_PORT 127.0.0.1:$TARGET_PORT
HiddenServicePort 80 127.0.0.1:$SOCKS_PORT
Log [rend]info file $DIR/hs/rend.log
EOF
  } > "$DIR/hs/torrc"
  start_tor "$DIR/hs"

  wait_for "client bootstrap" grep -q "Bootstrapped 100%" "$DIR/client/notice.log"
  wait_for "exit path" through_socks "127.0.0.1:$SOCKS_PORT"
  wait_for "exit paths on fresh circuits" through_fresh_circuits "127.0.0.1:$SOCKS_PORT"
  # A client that asks for the onion's descriptor before the service has uploaded it marks
  # every HSDir as tried and does not ask again for minutes: wait for the uploads first.
  wait_for "onion descriptor upload" descriptor_uploaded
  local onion
  onion=$(cat "$DIR/hs/hs/hostname")
  wait_for "onion service" through_socks "$onion"

  {
    echo "SOCKS_PORT=$SOCKS_PORT"
    echo "CONTROL_PORT=$(sed -n 's/^PORT=127.0.0.1://p' "$DIR/client/control_port")"
    echo "CONTROL_COOKIE=$DIR/client/control_auth_cookie"
    echo "ONION=$onion"
    for i in $(seq 0 $((N_EXIT - 1))); do
      echo "EXIT${i}_FINGERPRINT=$(cut -d' ' -f2 "$DIR/exit$i/fingerprint")"
      echo "EXIT${i}_PID=$(cat "$DIR/exit$i/pid")"
    done
    echo "HS_PID=$(cat "$DIR/hs/pid")"
    echo "CLIENT_PID=$(cat "$DIR/client/pid")"
  } > "$DIR/env"
  cat "$DIR/env"
}

case "${1:-}" in
  start) [ $# -ge 3 ] || die "usage: tornet.sh start DIR TARGET_PORT [OWNER_PID]"; start_network "$2" "$3" "${4:-}" ;;
  stop) [ $# -eq 2 ] || die "usage: tornet.sh stop DIR"; stop_network "$2" ;;
  *) die "usage: tornet.sh start DIR TARGET_PORT [OWNER_PID] | stop DIR" ;;
esac
