#!/usr/bin/env bash
# Prints the path of a virtualenv holding Examples/bookshop/backend/requirements.txt, building it
# first when missing or when the requirements or the interpreter changed (a hash stored inside).
# Default .venv-bookshop in the repository root; BOOKSHOP_VENV overrides the path, BOOKSHOP_PYTHON
# the interpreter (python3, >= 3.10 for Django 5.2). Needs PyPI only when it builds.
#   venv="$(Scripts/bookshop-venv.sh)"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/Examples/bookshop/backend/requirements.txt"
venv="${BOOKSHOP_VENV:-$root/.venv-bookshop}"
python="${BOOKSHOP_PYTHON:-python3}"
die() { echo "bookshop-venv: error: $*" >&2; exit 69; }

command -v "$python" >/dev/null 2>&1 || die "$python not found (Django 5.2 needs Python >= 3.10)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "$("$python" --version 2>&1) is too old: Django 5.2 needs Python >= 3.10"
want="$( { cat "$requirements"; "$python" -c 'import sys; print(sys.executable, sys.version)'; } | sha256sum | cut -d' ' -f1)"
stamp="$venv/.mizan-requirements.sha256"
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$venv/bin/python" -c '' 2>/dev/null; }; then
  echo "bookshop-venv: building $venv from Examples/bookshop/backend/requirements.txt" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "'$python -m venv' failed (on Debian or Ubuntu: apt-get install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --requirement "$requirements" >&2 \
    || die "pip could not install $requirements into $venv"
  "$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null \
    || die "inconsistent packages in $venv: $("$venv/bin/python" -m pip check 2>&1 | head -5)"
  echo "$want" > "$stamp"  # last: an interrupted build is rebuilt next time
fi
echo "$venv"
