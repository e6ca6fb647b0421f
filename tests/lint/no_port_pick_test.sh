#!/usr/bin/env bash
# No test picks a port for another process to bind later (someone else can take it meanwhile):
# a server binds port 0 and the test reads the port back (docs/layout.md, "How tests wait").
# Every line under tests/ that finds a free port must be in the allow-list
# (port-pick-allowlist.txt: PATH COUNT REASON), at most COUNT lines per file: the helpers that
# hold the port themselves or check that their child got it and retry. Fails with the offending
# lines otherwise. Usage: no_port_pick_test.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
allow="$root/tests/lint/port-pick-allowlist.txt"
cd "$root"

# The kernel's choice read back (getsockname in C++, Python or a shell's python -c; an Asio
# acceptor's local_endpoint), a Python bind to port 0, port-picker names (free_port,
# free_tcp_port, pick_port, candidate_port, unused_port, ...), the C++ helper behind ClosedPort,
# and ports drawn below the ephemeral range. Comments count too.
pattern='getsockname|local_endpoint\(\)\.port\(\)|bind\(\([^()]*,[[:space:]]*0\)\)|(free|pick|unused|candidate|random|spare)_(tcp_)?ports?\b|(find|get)_free|bind_loopback_zero|ip_local_port_range'

source "$root/tests/lint/allowlist.sh"
failed=0
check_allowlisted no_port_pick_test "$allow" "$pattern" port-picking || failed=$?
[ "$failed" != 2 ] || exit 2

if [ "$failed" = 1 ]; then
  echo
  echo "Let the server bind port 0 and read its port back: our binaries log \"metrics listening\""
  echo "and \"coordinator listening\" (test::logged_json, waiting.logged_field) or write a"
  echo "--ready-file (test::wait_for_json_file); any other process's listener is in /proc"
  echo "(waiting.listening_ports). A server that needs the number on its command line starts"
  echo "through test::start_listening / waiting.start_listening (checked, retried); a port that"
  echo "must refuse connections is a test::ClosedPort. Only a helper that holds the port itself"
  echo "or checks and retries goes into tests/lint/port-pick-allowlist.txt, with why."
  exit 1
fi
echo "no_port_pick_test: every port-picking line under tests/ is allow-listed" \
  "($(grep -cvE '^(#|$)' "$allow") files)"
