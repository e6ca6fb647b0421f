#!/usr/bin/env bash
# Components never include each other: agent/, coordinator/, aggregator/ and honeypot/ reach
# shared code in common/ (and proto/), and only cli/, which composes the roles, includes several.
# common/ includes no component. Prints every offending include.
set -euo pipefail
root=${1:?usage: component_includes_test.sh SOURCE_DIR}
cd "$root"
components=(agent coordinator aggregator honeypot cli)
bad=0
for from in agent coordinator aggregator honeypot common; do
  for to in "${components[@]}"; do
    [ "$from" = "$to" ] && continue
    if hits=$(grep -rn --include='*.cpp' --include='*.h' --include='*.in' "#include \"$to/" "$from"); then
      echo "$from/ includes $to/:"
      echo "$hits"
      bad=1
    fi
  done
done
if [ "$bad" -ne 0 ]; then
  echo "component_includes: move what both need into common/, or compose them in cli/" >&2
  exit 1
fi
echo "component_includes: agent, coordinator, aggregator, honeypot and common include no other component"
