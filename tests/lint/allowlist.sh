# Shared by the lints that keep a pattern out of tests/ except where an allow-list permits it
# (no_sleep_test.sh, no_port_pick_test.sh). Source it, then:
#   check_allowlisted NAME ALLOW_FILE PATTERN WHAT
# scans the C++, Python and shell files under tests/ (not tests/lint/) for PATTERN (grep -E;
# comments count too) and prints each file that holds more matching lines than ALLOW_FILE grants
# it (lines "PATH COUNT REASON"), with those lines; WHAT names a match in messages ("sleep").
# Returns 1 when a file has too many, 2 on a malformed allow-list line. Run from the repo root.
check_allowlisted() {
  local name=$1 allow=$2 pattern=$3 what=$4
  local -A allowed=() seen=()
  local path count reason file hits n limit failed=0
  while read -r path count reason; do
    [[ -z "$path" || "$path" == \#* ]] && continue
    if [[ ! "$count" =~ ^[0-9]+$ || -z "$reason" ]]; then
      echo "$name: malformed allow-list line: $path $count $reason" >&2
      return 2
    fi
    allowed[$path]=$count
  done <"$allow"

  while IFS= read -r file; do
    hits=$(grep -nE "$pattern" "$file" || true)
    [ -n "$hits" ] || continue
    n=$(printf '%s\n' "$hits" | wc -l)
    seen[$file]=$n
    limit=${allowed[$file]:-0}
    if [ "$n" -gt "$limit" ]; then
      failed=1
      echo "$file: $n $what line(s), $limit allowed (${allow#"$PWD"/}):"
      printf '%s\n' "$hits" | sed "s|^|  $file:|"
    fi
  done < <(find tests -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.cc' -o -name '*.py' \
             -o -name '*.sh' \) -not -path 'tests/lint/*' | sort)

  for path in "${!allowed[@]}"; do
    if [ -z "${seen[$path]:-}" ]; then
      echo "note: $path is allow-listed but has no $what line any more; drop its line" >&2
    fi
  done
  return "$failed"
}
