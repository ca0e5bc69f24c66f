#!/usr/bin/env bash
# Installs the system packages mizan's demo and tests need, only when they are missing:
# node and Debian's TypeScript compiler (tsc 4.8) to check and run the generated kernel,
# python3 with jsonschema to check the published JSON Schemas, and SQLite/hiredis/Redis for the
# cache stores.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && sudo="sudo"
fi

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v tsc >/dev/null 2>&1 || missing+=(node-typescript)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-jsonschema)
# The cache stores: SQLite and hiredis headers to build, a redis-server the store tests start themselves.
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/hiredis/hiredis.h ] || missing+=(libhiredis-dev)
# libcurl headers for `mizan deploy` (under /usr/include/<multiarch>/curl on Debian).
compgen -G '/usr/include/*/curl/curl.h' >/dev/null || [ -f /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# curl: the README's bookshop tutorial (Scripts/bookshop-tutorial.sh runs it) uses it.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# React 18 and its @types, for the React adapter's tsc check and render tests (Tests/kernel/adapters).
for pkg in react react-dom react-test-renderer csstype prop-types scheduler; do
  [ -d "/usr/share/nodejs/$pkg" ] || missing+=("node-$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# venv, for the Django app that exports OpenAPI in the tests (Debian splits it out of python3).
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  echo "install-deps: installing python3-venv" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi

# jsonschema for whichever python3 is first on PATH (Debian's, or a pyenv one).
if ! python3 -c "import jsonschema" >/dev/null 2>&1; then
  echo "install-deps: installing jsonschema for $(command -v python3)" >&2
  python3 -m pip install --quiet jsonschema 2>/dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-jsonschema >/dev/null; }
fi
