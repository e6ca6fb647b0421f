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

declare -A allowed
while read -r path count reason; do
  [[ -z "$path" || "$path" == \#* ]] && continue
  if [[ ! "$count" =~ ^[0-9]+$ || -z "$reason" ]]; then
    echo "no_sleep_test: malformed allow-list line: $path $count $reason" >&2
    exit 2
  fi
  allowed[$path]=$count
done <"$allow"

failed=0
declare -A seen
while IFS= read -r file; do
  hits=$(grep -nE "$pattern" "$file" || true)
  [ -n "$hits" ] || continue
  n=$(printf '%s\n' "$hits" | wc -l)
  seen[$file]=$n
  limit=${allowed[$file]:-0}
  if [ "$n" -gt "$limit" ]; then
    failed=1
    echo "$file: $n sleep line(s), $limit allowed (tests/lint/sleep-allowlist.txt):"
    printf '%s\n' "$hits" | sed "s|^|  $file:|"
  fi
done < <(find tests -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.cc' -o -name '*.py' \
           -o -name '*.sh' \) -not -path 'tests/lint/*' | sort)

for path in "${!allowed[@]}"; do
  if [ -z "${seen[$path]:-}" ]; then
    echo "note: $path is allow-listed but sleeps no more; drop its line" >&2
  fi
done

if [ "$failed" = 1 ]; then
  echo
  echo "Await the event instead (a ready line, a port, a counter: test::wait_until in"
  echo "tests/support/process.h, waiting.wait_until in tests/support/waiting.py), or, for a wait"
  echo "that measures time on purpose, add the file to tests/lint/sleep-allowlist.txt with why."
  exit 1
fi
echo "no_sleep_test: every sleep under tests/ is allow-listed ($(grep -cvE '^(#|$)' "$allow") files)"
