#!/usr/bin/env bash
# No test sleeps to synchronise: every sleep under tests/ must be in the allow-list
# (sleep-allowlist.txt: PATH COUNT REASON), at most COUNT lines per file. Fails with the offending
# lines otherwise. Usage: no_sleep_test.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
allow="$root/tests/lint/sleep-allowlist.txt"
cd "$root"

# C++ (sleep_for, sleep_until, usleep, nanosleep, sleep()), Python (time.sleep, asyncio.sleep)
# and shell (sleep N, sleep "$x"). Comments count too: a sleep explained is still a sleep.
pattern='sleep_for|sleep_until|usleep|nanosleep|(^|[^_[:alnum:].])sleep[[:space:]]*\(|time\.sleep|asyncio\.sleep|(^|[;&|[:space:]])sleep[[:space:]]+[0-9"$]'

source "$root/tests/lint/allowlist.sh"
failed=0
check_allowlisted no_sleep_test "$allow" "$pattern" sleep || failed=$?
[ "$failed" != 2 ] || exit 2

if [ "$failed" = 1 ]; then
  echo
  echo "Await the event instead (a ready line, a port, a counter: test::wait_until in"
  echo "tests/support/process.h, waiting.wait_until in tests/support/waiting.py), or, for a wait"
  echo "that measures time on purpose, add the file to tests/lint/sleep-allowlist.txt with why."
  exit 1
fi
echo "no_sleep_test: every sleep under tests/ is allow-listed ($(grep -cvE '^(#|$)' "$allow") files)"
