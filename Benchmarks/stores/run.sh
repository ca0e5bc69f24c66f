#!/bin/sh
# Store benchmarks: ENTRIES (default 1,000,000) entries per store, release build.
# Starts a redis-server of its own on a free port (persistence off) and stops it afterwards.
set -eu
cd "$(dirname "$0")/../.."
ENTRIES="${ENTRIES:-1000000}"
KINDS="${KINDS:-memory sqlite redis}"
# BENCH=PATH runs another build of the benchmark (to compare two commits) instead of building.
if [ -z "${BENCH:-}" ]; then
    swift build -c release --scratch-path .build-release --product mizan-stores-bench >&2
    BENCH=.build-release/release/mizan-stores-bench
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DIR=$(mktemp -d)
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize no --loglevel warning >/dev/null &
REDIS=$!
trap 'kill $REDIS 2>/dev/null; wait $REDIS 2>/dev/null; rm -rf "$DIR"' EXIT
sleep 0.5
echo "$(nproc) cores, $(uname -r), $(swift --version 2>/dev/null | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in $KINDS; do
    REDIS_PORT=$PORT "$BENCH" run "$kind" "$ENTRIES"
done
