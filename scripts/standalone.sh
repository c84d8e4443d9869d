#!/usr/bin/env bash
# Proves that the repository stands alone (part of README command 2):
#   1. no tracked file refers to a path outside the repository (a sibling
#      folder such as ../shared exists on developers' machines and beside CI's
#      clone, so a test that reads it passes there and fails for every user);
#   2. the tests that read repository data (the Porcupine corpus) build and
#      pass in a copy of the repository placed in an empty folder.
set -euo pipefail
cd "$(dirname "$0")/.."

# Patterns of references that leave the repository (paths, and section
# numbers of documents kept elsewhere). This script names them, so
# it is the one file exempt from the search.
outside='[Ss]eed §|seed document|\.\./shared|/work/shared|/work/main|(^|[^a-z_])shared/(corpus|seed|hooks)|DESIGN\.md|TOOLCHAIN\.md'
if hits=$(git grep --untracked -nIE "$outside" -- . ':!scripts/standalone.sh'); then
  echo "standalone: tracked files refer to paths outside the repository:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "standalone: no tracked file refers outside the repository"

parent=$(mktemp -d)
trap 'rm -rf "$parent"' EXIT
copy="$parent/racecheck"
mkdir "$copy"
# Tracked and untracked-but-not-ignored files as they are in the working tree
# (a file deleted but not yet committed is skipped).
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$copy"
echo "standalone: copied the repository to $copy (nothing beside it)"
cmake -S "$copy" -B "$copy/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$copy/build" -j "$(nproc)" --target properties_porcupine_corpus_test
(cd "$copy/build" && ctest --output-on-failure -R '^properties\.PorcupineCorpus\.')
