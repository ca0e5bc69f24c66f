#!/usr/bin/env bash
# The bookshop end to end (issue 9), as `make test` runs it:
#   1. the committed Examples/bookshop/mizan-schema.json is what `manage.py mizan_export` writes;
#   2. Django (runserver, a fresh SQLite database from the migrations) on a free loopback port;
#   3. `mizan codegen` from the backend's export; `mizan dev` in front of Django on another port;
#   4. Tests/e2e/bookshop.test.mjs: the generated kernel, compiled with tsc --strict, runs a
#      scripted session through mizan dev and checks answers, Cache-Status and Django's own log.
# Everything it starts is stopped on exit, whatever the outcome.
#   Scripts/bookshop-e2e.sh path/to/mizan
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mizan="$(cd "$(dirname "${1:?usage: bookshop-e2e.sh path/to/mizan}")" && pwd)/$(basename "$1")"
[ -x "$mizan" ] || { echo "bookshop-e2e: error: no mizan binary at $1" >&2; exit 64; }
backend="$root/Examples/bookshop/backend"
say() { echo "bookshop-e2e: $*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bookshop.XXXXXX")"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in django mizan-dev; do
      [ -s "$work/$log.log" ] && { say "last lines of $log.log:"; tail -20 "$work/$log.log" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

venv="$("$root/Scripts/bookshop-venv.sh")"
python="$venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=bookshop.settings
export BOOKSHOP_DB="$work/db.sqlite3" BOOKSHOP_REQUEST_LOG="$work/requests.log"

(cd "$backend" && "$python" manage.py mizan_export --check >/dev/null) \
  || { say "Examples/bookshop/mizan-schema.json differs from the code: run (cd Examples/bookshop/backend && python manage.py mizan_export)"; exit 1; }
say "ok: the committed schema-export is what manage.py mizan_export writes"

(cd "$backend" && "$python" manage.py migrate --verbosity 0)
(cd "$backend" && "$python" manage.py mizan_export --output "$work/mizan-schema.json" >/dev/null)
"$mizan" codegen --schema "$work/mizan-schema.json" --output "$work/generated" >/dev/null

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits until URL answers (any HTTP status), for up to 60 s: a loaded machine is slow to start.
wait_for() {
  local url="$1" pid="$2" name="$3"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { say "$name exited before it answered"; exit 1; }
    "$python" - "$url" <<'PY' && return 0
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5)
except urllib.error.HTTPError:
    pass  # an HTTP answer of any status: it is up
except OSError:
    sys.exit(1)
PY
    sleep 0.5
  done
  say "$name did not answer at $url within 60 s"; exit 1
}

django_port="$(free_port)"
(cd "$backend" && exec "$python" manage.py runserver --noreload "127.0.0.1:$django_port") > "$work/django.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$django_port/_debug/requests" "${pids[-1]}" "Django"

dev_port="$(free_port)"
export MIZAN_TOKEN="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export MIZAN_SECRET="e2e-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
(cd "$work" && exec "$mizan" dev --upstream "http://127.0.0.1:$django_port" --port "$dev_port" \
    --manifest "$work/generated/manifest.json") > "$work/mizan-dev.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$dev_port/_mizan/health" "${pids[-1]}" "mizan dev"

# Starting was not part of the session: the log starts empty.
: > "$BOOKSHOP_REQUEST_LOG"
say "Django on :$django_port, mizan dev on :$dev_port; running the session"
DJANGO_URL="http://127.0.0.1:$django_port" MIZAN_URL="http://127.0.0.1:$dev_port" KERNEL_DIR="$work/generated" \
  node --test "$root/Tests/e2e/"
