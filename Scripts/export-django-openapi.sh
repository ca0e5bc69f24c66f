#!/usr/bin/env bash
# Exports the OpenAPI documents of the Django fixture project (Tests/openapi-django) through
# both generators the importer supports:
#   OUTDIR/drf.yaml    drf-spectacular (`manage.py spectacular --validate --fail-on-warn`)
#   OUTDIR/ninja.json  django-ninja    (`manage.py export_openapi_schema`)
# then checks both (Tests/openapi-django/check_exports.py) before moving them into place.
#
# Usage: Scripts/export-django-openapi.sh OUTDIR
#
# The Python packages (pinned in Tests/openapi-django/requirements.txt) live in a virtualenv at
# .venv-openapi in the repository root (OPENAPI_DJANGO_VENV overrides the path,
# OPENAPI_DJANGO_PYTHON the interpreter that creates it; default python3, >= 3.10). The venv is reused while the requirements and the interpreter
# are unchanged (a hash stored inside it), otherwise rebuilt; it needs PyPI only when built.
# Refresh the committed snapshots with: Scripts/export-django-openapi.sh Tests/Fixtures/openapi/django
set -euo pipefail

die() { echo "export-django-openapi: error: $*" >&2; exit 1; }
say() { echo "export-django-openapi: $*" >&2; }

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 OUTDIR" >&2; exit 64; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/Tests/openapi-django"
requirements="$project/requirements.txt"
venv="${OPENAPI_DJANGO_VENV:-$root/.venv-openapi}"
python="${OPENAPI_DJANGO_PYTHON:-python3}"
[ -f "$requirements" ] || die "missing $requirements"

mkdir -p "$1" || die "cannot create output folder $1"
outdir="$(cd "$1" && pwd)"

command -v "$python" >/dev/null 2>&1 || die "$python not found (Python >= 3.10 is needed for Django 5.2)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "$("$python" --version 2>&1) is too old: Django 5.2 needs Python >= 3.10"

# What the venv was built from: the requirements and the exact interpreter.
want="$( { cat "$requirements"; "$python" -c 'import sys; print(sys.executable, sys.version)'; } \
  | sha256sum | cut -d' ' -f1)"
stamp="$venv/.mizan-requirements.sha256"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; then
  :
else
  say "building $venv from $(basename "$project")/requirements.txt"
  rm -rf "$venv"
  "$python" -m venv "$venv" \
    || die "'$python -m venv' failed (on Debian or Ubuntu: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      --requirement "$requirements" \
    || die "pip could not install $requirements into $venv"
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null \
    || die "inconsistent packages in $venv: $("$venv/bin/python" -m pip check 2>&1 | head -5)"
  # Written last: a venv without it (an interrupted build) is rebuilt next time.
  echo "$want" > "$stamp"
fi

# Write to temporaries, then move into place, so a failure leaves earlier output untouched.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=project.settings
cd "$project"

"$venv/bin/python" manage.py spectacular --file "$tmp/drf.yaml" --validate --fail-on-warn \
  > "$tmp/drf.log" 2>&1 \
  || { cat "$tmp/drf.log" >&2; die "drf-spectacular failed (see above)"; }
[ -s "$tmp/drf.yaml" ] || die "drf-spectacular wrote nothing"

"$venv/bin/python" manage.py export_openapi_schema --api shop.ninja_api.api \
    --output "$tmp/ninja.json" --indent 2 > "$tmp/ninja.log" 2>&1 \
  || { cat "$tmp/ninja.log" >&2; die "django-ninja's export_openapi_schema failed (see above)"; }
[ -s "$tmp/ninja.json" ] || die "django-ninja wrote nothing"
# ninja writes no final newline; add one so the snapshot is a well-formed text file.
[ "$(tail -c1 "$tmp/ninja.json" | od -An -c | tr -d ' ')" = '\n' ] || echo >> "$tmp/ninja.json"

# Every $ref resolves, discriminator mappings are sound, and each construct the importer's tests
# rely on is still there (Tests/openapi-django/check_exports.py says which and where).
"$venv/bin/python" check_exports.py "$tmp/drf.yaml" "$tmp/ninja.json" \
  || die "the exported documents failed check_exports.py (see above)"

mv -f "$tmp/drf.yaml" "$outdir/drf.yaml"
mv -f "$tmp/ninja.json" "$outdir/ninja.json"
say "wrote $outdir/drf.yaml and $outdir/ninja.json"
