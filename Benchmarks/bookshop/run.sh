#!/usr/bin/env bash
# Bookshop benchmark (issue 9): the real Django backend (Examples/bookshop/backend under gunicorn)
# with and without `mizan dev` in front.
#   1. The scripted session (Benchmarks/bookshop/session.mjs: the generated kernel under node,
#      one request at a time) straight to Django, then through a cold `mizan dev`: requests that
#      reached Django (its own request log), median and p99 latency of the reads.
#   2. wrk on the busiest read of the session, books.get_book (GET /api/books/1), through
#      `mizan dev` (every answer a hit) and straight to Django; ROUNDS rounds, interleaved.
# Writes the "## bookshop" section of BENCHMARKS.md (other sections kept).
#
#   Benchmarks/bookshop/run.sh
#   VISITS=150 ROUNDS=3 DURATION=5s CONNS=16 NO_MD=1 Benchmarks/bookshop/run.sh
#
# mizan: MIZAN_BIN if set, else the release binary .build/release/mizan or
# .build-release/release/mizan (Benchmarks/lib.sh builds that one), else the debug build (the
# section says which). Needs python3 (>= 3.10), node, tsc, wrk (installed with apt-get when
# missing); Django and gunicorn come from PyPI into .venv-bookshop (Scripts/bookshop-venv.sh).
# Everything listens on 127.0.0.1; every process started is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VISITS="${VISITS:-150}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5s}"
CONNS="${CONNS:-16}"
WORKERS="${WORKERS:-2}"
THREADS="${GUNICORN_THREADS:-4}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"
log() { printf 'bookshop-bench: %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  SUDO=(); (( $(id -u) == 0 )) || SUDO=(sudo)
  log "installing wrk (apt-get)"
  "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
for tool in wrk node tsc python3; do command -v "$tool" >/dev/null || { log "$tool is missing"; exit 69; }; done

if [[ -n "${MIZAN_BIN:-}" ]]; then BUILT="$MIZAN_BIN"; KIND="given (MIZAN_BIN)"
elif [[ -x .build/release/mizan ]]; then BUILT=.build/release/mizan; KIND="release (.build/release)"
elif [[ -x .build-release/release/mizan ]]; then BUILT=.build-release/release/mizan; KIND="release (.build-release/release, as Benchmarks/lib.sh builds it)"
else BUILT=.build/debug/mizan; KIND="DEBUG build (no release binary was found): hit latencies are higher than a release build's"
fi
[[ -x "$BUILT" ]] || { log "no mizan binary at $BUILT (make build)"; exit 69; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bookshop-bench.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Measure a private copy, so a rebuild during the run cannot swap binaries.
MIZAN="$WORK/mizan"
cp "$BUILT" "$MIZAN"
BUILT_SHA="$(sha256sum "$MIZAN" | cut -c1-12)"
BUILT_AT="$(date -u -r "$BUILT" '+%Y-%m-%d %H:%M UTC')"

VENV="$("$ROOT/Scripts/bookshop-venv.sh")"
PY="$VENV/bin/python"
BACKEND="$ROOT/Examples/bookshop/backend"
export PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=bookshop.settings BOOKSHOP_DEBUG=0
export BOOKSHOP_DB="$WORK/db.sqlite3" BOOKSHOP_REQUEST_LOG="$WORK/requests.log"
(cd "$BACKEND" && "$PY" manage.py migrate --verbosity 0)
(cd "$BACKEND" && "$PY" manage.py mizan_export --output "$WORK/mizan-schema.json" >/dev/null)
"$MIZAN" codegen --schema "$WORK/mizan-schema.json" --output "$WORK/generated" >/dev/null

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # url pid name
  local i
  for ((i = 0; i < 120; i++)); do
    kill -0 "$2" 2>/dev/null || { log "$3 exited"; exit 70; }
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  log "$3 did not answer at $1"; exit 70
}
served() { wc -l < "$BOOKSHOP_REQUEST_LOG" 2>/dev/null || echo 0; }

DJ_PORT="$(free_port)"
GUNICORN=("$VENV/bin/gunicorn" --bind "127.0.0.1:$DJ_PORT" --workers "$WORKERS" --worker-class gthread --threads "$THREADS"
          --log-level warning bookshop.wsgi)
(cd "$BACKEND" && exec "${GUNICORN[@]}") > "$WORK/gunicorn.log" 2>&1 &
PIDS+=($!); wait_for "http://127.0.0.1:$DJ_PORT/api/stats" "${PIDS[-1]}" gunicorn
DJ="http://127.0.0.1:$DJ_PORT"

start_mizan() {
  DEV_PORT="$(free_port)"
  (cd "$WORK" && MIZAN_SECRET="bench-secret-0123456789" MIZAN_TOKEN=bench exec "$MIZAN" dev --upstream "$DJ" \
      --port "$DEV_PORT" --manifest "$WORK/generated/manifest.json") > /dev/null 2> "$WORK/mizan-dev.err" &
  MIZAN_PID=$!; PIDS+=("$MIZAN_PID")
  wait_for "http://127.0.0.1:$DEV_PORT/_mizan/health" "$MIZAN_PID" "mizan dev"
  DEV="http://127.0.0.1:$DEV_PORT"
}
start_mizan

source "$ROOT/Benchmarks/lib.sh"
QUIET_WAIT="${QUIET_WAIT:-120}" QUIET_LOAD="${QUIET_LOAD:-1.5}" wait_for_quiet_machine
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"

# 1. The session, straight to Django, then through the (cold) mizan dev.
before=$(served)
log "session: $VISITS visits straight to Django"
node Benchmarks/bookshop/session.mjs "$WORK/generated" "$DJ" "$VISITS" > "$WORK/direct.json"
direct_served=$(( $(served) - before ))
before=$(served)
log "session: $VISITS visits through mizan dev"
node Benchmarks/bookshop/session.mjs "$WORK/generated" "$DEV" "$VISITS" > "$WORK/mizan.json"
mizan_served=$(( $(served) - before ))
curl_stats() { python3 -c 'import json, sys, urllib.request; r = urllib.request.Request(sys.argv[1] + "/_mizan/stats", headers={"Authorization": "Bearer bench"}); print(urllib.request.urlopen(r).read().decode())' "$DEV"; }
curl_stats > "$WORK/mizan-stats.json"

# 2. wrk on GET /api/books/1: warm, check it is a hit, then rounds.
BODY_BYTES="$(python3 - "$DEV/api/books/1" <<'PY'
import sys, urllib.request
for _ in range(2):
    response = urllib.request.urlopen(sys.argv[1])
status = response.headers.get("Cache-Status", "")
assert status.startswith("mizan; hit"), f"not a hit: {status}"
print(len(response.read()))
PY
)"
: > "$WORK/wrk.tsv"
for ((round = 1; round <= ROUNDS; round++)); do
  for target in mizan django; do
    url="$DEV/api/books/1"; [[ $target == django ]] && url="$DJ/api/books/1"
    before=$(served)
    wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$url" > "$WORK/wrk-$target-$round.txt"
    after=$(served)
    python3 - "$WORK/wrk-$target-$round.txt" "$target" "$round" $((after - before)) >> "$WORK/wrk.tsv" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"99%\s+(\S+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
print("\t".join(map(str, [sys.argv[2], sys.argv[3], rps, p50, p99, total, sys.argv[4], errors.group(0) if errors else ""])))
PY
    log "wrk $target round $round: $(tail -1 "$WORK/wrk.tsv" | cut -f3,4,5 | tr '\t' ' ')"
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$WORK" "$OUT_MD" "${NO_MD:-}" <<PY
import json, os, platform, statistics, subprocess, sys
sys.path.insert(0, "$ROOT/Benchmarks")
from markdown_section import replace_section
work, out_md, no_md = sys.argv[1:4]
direct = json.load(open(f"{work}/direct.json")); via = json.load(open(f"{work}/mizan.json"))
stats = json.load(open(f"{work}/mizan-stats.json"))
rows = [line.split("\t") for line in open(f"{work}/wrk.tsv").read().splitlines()]
def median(target, column): return statistics.median(float(r[column]) for r in rows if r[0] == target)
def spread(target): values = sorted(float(r[2]) for r in rows if r[0] == target); return f"{values[0]:,.0f}–{values[-1]:,.0f}"
errors = sorted({r[7] for r in rows if r[7]})
backend_during_hits = sum(int(r[6]) for r in rows if r[0] == "mizan")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1048576
commit = subprocess.run(["git", "-C", "$ROOT", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
saved = $direct_served - $mizan_served
section = f"""## bookshop

The bookshop's real Django backend (\`Examples/bookshop/backend\`, Django 5.2, SQLite, served by gunicorn: {os.environ.get('WORKERS', '$WORKERS')} workers × $THREADS threads, \`gthread\`, \`BOOKSHOP_DEBUG=0\`) with and without \`mizan dev\` in front, measured by \`Benchmarks/bookshop/run.sh\` on $STARTED.

**The scripted session** (\`Benchmarks/bookshop/session.mjs\`: the kernel generated from the backend's own export, under node; {direct['visits']} visits by two signed-in users, one request at a time; each visit reads the book list, two books, a book's HTML page, a search, an author, the category tree and the cart, and every 5th visit adds to the cart and clears it, every 20th changes a price). Requests that reached Django are counted in Django's own request log; latency is per read, from the kernel call to the parsed answer.

| | reads | mutations | requests that reached Django | read latency median | p90 | p99 | max |
|---|---:|---:|---:|---:|---:|---:|---:|
| straight to Django | {direct['reads']} | {direct['mutations']} | {$direct_served} | {direct['median_ms']:.2f} ms | {direct['p90_ms']:.2f} ms | {direct['p99_ms']:.2f} ms | {direct['max_ms']:.1f} ms |
| through \`mizan dev\` (cold at start) | {via['reads']} | {via['mutations']} | {$mizan_served} | {via['median_ms']:.2f} ms | {via['p90_ms']:.2f} ms | {via['p99_ms']:.2f} ms | {via['max_ms']:.1f} ms |

\`mizan dev\` saved {saved} of {$direct_served} backend requests ({100 * saved / $direct_served:.0f}%); its own counters after the session: {stats['hits']} hits, {stats['misses']} misses, {stats['bypassed']} bypassed, {stats['purged_entries']} entries purged by {stats['purges']} purge selectors, hit ratio {stats['hit_ratio']}.

**wrk on the busiest read**, \`books.get_book\` (\`GET /api/books/1\`, $BODY_BYTES bytes of JSON): \`wrk -t1 -c$CONNS -d$DURATION --latency URL\`, $ROUNDS rounds, each round both targets in turn; median run, req/s min–max over the runs, wrk's latency percentiles (median over the runs).

| target | req/s (median) | min–max | p50 latency | p99 latency |
|---|---:|---:|---:|---:|
| through \`mizan dev\` (every answer a hit) | {median('mizan', 2):,.0f} | {spread('mizan')} | {median('mizan', 3):.2f} ms | {median('mizan', 4):.2f} ms |
| straight to Django (gunicorn) | {median('django', 2):,.0f} | {spread('django')} | {median('django', 3):.2f} ms | {median('django', 4):.2f} ms |

Requests that reached Django during the \`mizan dev\` wrk runs: {backend_during_hits}. {('wrk reported: ' + '; '.join(errors)) if errors else 'No socket errors or non-2xx answers.'}

Machine and method:

- {os.cpu_count()} cores, {cpu}, {mem:.1f} GiB memory, Linux {platform.release()}; shared with other work: load average (1, 5, 15 min) $LOAD_BEFORE before, $LOAD_AFTER after
- mizan: $KIND, binary sha256 $BUILT_SHA…, built $BUILT_AT (copied to a temporary folder before the runs); repository at commit {commit}; node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}, wrk from Debian, Python {platform.python_version()}
- wrk, node, gunicorn and \`mizan dev\` share the same cores over loopback; a fresh SQLite database from the migrations; Django's request log (one appended line per request) stays on in both setups
- reproduce: \`Benchmarks/bookshop/run.sh\` (\`VISITS=$VISITS ROUNDS=$ROUNDS DURATION=$DURATION CONNS=$CONNS\`)
"""
if no_md:
    print(section)
else:
    replace_section(out_md, "bookshop", section)
    print(f"wrote the bookshop section of {out_md}", file=sys.stderr)
PY
