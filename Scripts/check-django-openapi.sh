#!/usr/bin/env bash
# End to end for OpenAPI from Django: export the test app's OpenAPI through drf-spectacular and
# django-ninja (into a venv, from PyPI), check the committed snapshots are current, generate a
# kernel from each with mizan, and type-check it with tsc --strict.
#   Scripts/check-django-openapi.sh path/to/mizan
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIZAN="${1:?usage: check-django-openapi.sh path/to/mizan}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-django.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TSC_FLAGS=(--strict --noEmit --target ES2020 --module ES2020 --moduleResolution node --lib ES2020,DOM)

passed=0
failed=0
check() {
  local name="$1"; shift
  if "$@" > "$WORK/out.txt" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$WORK/out.txt" | head -30
  fi
}

"$ROOT/Scripts/export-django-openapi.sh" "$WORK/exported"
for doc in drf.yaml ninja.json; do
  check "$doc snapshot is current (Tests/Fixtures/openapi/django)" diff -u "$ROOT/Tests/Fixtures/openapi/django/$doc" "$WORK/exported/$doc"
  check "$doc generates a kernel" "$MIZAN" codegen --schema "$WORK/exported/$doc" --output "$WORK/kernel-$doc"
  if [ -d "$WORK/kernel-$doc" ]; then
    check "$doc kernel passes tsc --strict" bash -c "cd '$WORK/kernel-$doc' && tsc ${TSC_FLAGS[*]} *.ts"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
