#!/usr/bin/env bash
# The format check of `make test`: every tracked C++ file (src, tests, bench, fuzz) must be
# as clang-format writes it under .clang-format (Google style, 100 columns). All files, not
# only changed ones: CI checks a fresh clone, which has no "changed" to compare against, and
# a whole-tree check cannot drift. With --fix, rewrites the files instead.
# Usage: scripts/check_format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format || command -v clang-format-14 || true)
if [[ -z "$format" ]]; then
  echo "clang-format is missing: run scripts/bootstrap.sh (or apt-get install clang-format)" >&2
  exit 1
fi
# Tracked files, and new ones not yet added (so a file written since the last commit is
# checked before it is committed, not first in CI's fresh clone).
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  "$format" -i "${files[@]}"
  exit 0
fi
if ! "$format" --dry-run --Werror "${files[@]}" 2> /tmp/diamond-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/diamond-format.$$ | cut -d: -f1 | sort -u | sed 's/^/  not formatted: /' >&2
  rm -f /tmp/diamond-format.$$
  echo "run scripts/check_format.sh --fix (clang-format $("$format" --version | grep -oE '[0-9]+\.[0-9.]+' | head -1))" >&2
  exit 1
fi
rm -f /tmp/diamond-format.$$
echo "${#files[@]} files formatted as .clang-format says"
