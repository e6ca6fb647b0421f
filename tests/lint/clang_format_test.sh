#!/usr/bin/env bash
# Every tracked C++ file is formatted as .clang-format says; prints the files that are not and
# the command that fixes them.
set -euo pipefail
root=${1:?usage: clang_format_test.sh SOURCE_DIR}
cd "$root"
if ! command -v clang-format >/dev/null; then
  echo "clang_format: clang-format is missing (scripts/debian-packages.txt installs it)" >&2
  exit 1
fi
bad=()
while IFS= read -r file; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done < <(git ls-files '*.cpp' '*.h' '*.cc')
if [ "${#bad[@]}" -gt 0 ]; then
  printf '%s\n' "${bad[@]}"
  echo "clang_format: ${#bad[@]} files differ from .clang-format; fix with: clang-format -i FILE..." >&2
  exit 1
fi
echo "clang_format: every C++ file is formatted"
