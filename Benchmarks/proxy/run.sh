#!/usr/bin/env bash
# Proxy benchmark (issue: "Benchmark Benchmarks/proxy"): wrk over loopback against `mizan dev`,
# nginx proxy_cache and Varnish, each in front of the same static upstream (an nginx serving 100
# small JSON files), in one run with the same wrk settings. Writes the "## proxy" section of
# BENCHMARKS.md (other sections kept).
#
#   Benchmarks/proxy/run.sh                      # everything
#   NO_BUILD=1 Benchmarks/proxy/run.sh           # use the existing release binary
#   DURATION=10s ROUNDS=5 Benchmarks/proxy/run.sh
#   NO_MD=1 Benchmarks/proxy/run.sh              # print the section, leave BENCHMARKS.md alone
#
# Three kinds of run, each target measured ROUNDS times (rounds interleaved, median reported):
#   hit      GET /api/books/1..100 in turn, every response a cache hit (checked: the upstream's
#            request counter must not move during a cache run; mizan's own counters too)
#   forward  GET /api/live/1..100 in turn: a route the proxy does not cache (mizan: `cache: false`;
#            nginx: no proxy_cache; Varnish: return (pass)), so every request goes upstream
#   miss     GET /api/books/N with N never repeated: every request a miss that is fetched and stored
# and, once each, the forward and miss runs at one connection (-c1), for the latency a proxy adds
# to one request. The upstream called directly is the ceiling for hits and the baseline for the
# other two.
#
# Settings (environment): THREADS, CONNS, DURATION (wrk -t, -c, -d: 1, 64, 6s), ROUNDS (3),
# WARMUP (a wrk run before round 1 that is not counted, 1s), C1_DURATION (the -c1 runs, 3s),
# SCRATCH (release scratch path, .build-release), OUT_MD (the Markdown file), QUIET_LOAD and
# QUIET_WAIT (wait up to QUIET_WAIT s for the 1-minute load average to fall below QUIET_LOAD),
# BUSY_MAX, RETRIES, IDLE_MAX, IDLE_WAIT, IDLE_BUDGET (a run during which other work took more
# than BUSY_MAX% of the CPU, 10, is measured again, up to RETRIES times, 3, once other work takes
# less than IDLE_MAX%, 5, over 3 s, waiting up to IDLE_WAIT s, 300, each time and IDLE_BUDGET s,
# 900, in all),
# MIZAN_2T_ARGS (the extra arguments of the mizan-2t instance, `--threads 2`; "" starts it like
# the default one, for a binary without the option),
# NO_BUILD=1, NO_MD=1, KEEP=1 (keep the temporary folder with configs, logs and wrk outputs).
#
# Needs: swift, python3, curl; nginx, varnish and wrk (Debian packages; installed with apt-get
# when missing, with sudo when not root). Everything listens on 127.0.0.1 only; nothing is
# written outside the temporary folders (one under TMPDIR, one under /dev/shm); every process
# started is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HERE="$ROOT/Benchmarks/proxy"
THREADS="${THREADS:-1}"
CONNS="${CONNS:-64}"
DURATION="${DURATION:-6s}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-1s}"
BUSY_MAX="${BUSY_MAX:-10}"
IDLE_MAX="${IDLE_MAX:-5}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUDGET="${IDLE_BUDGET:-900}"
RETRIES="${RETRIES:-3}"
C1_DURATION="${C1_DURATION:-3s}"
SCRATCH="${SCRATCH:-.build-release}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"
# Unset means `--threads 2`; set but empty means no extra arguments. Not passed on to the servers:
# mizan warns about MIZAN_* variables it does not know (MZ108).
MIZAN_2T_ARGS="${MIZAN_2T_ARGS---threads 2}"
export -n MIZAN_2T_ARGS
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf '%s\n' "$*" >&2; }

# 1. Tools: install the Debian packages that are missing.
missing=()
command -v nginx >/dev/null || missing+=(nginx)
command -v varnishd >/dev/null || missing+=(varnish)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if (( ${#missing[@]} )); then
  SUDO=()
  (( $(id -u) == 0 )) || SUDO=(sudo)
  log "installing ${missing[*]} (apt-get)"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
for tool in nginx varnishd wrk curl python3; do
  command -v "$tool" >/dev/null || { log "run.sh: $tool is missing"; exit 69; }
done

# 2. Release build (Benchmarks/lib.sh).
source "$ROOT/Benchmarks/lib.sh"
build_release_mizan

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-proxy-bench.XXXXXX")"
SHM="$(mktemp -d /dev/shm/mizan-proxy-bench.XXXXXX)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$SHM"
  if [[ -n "${KEEP:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Workers of an nginx started as root run as nobody unless told otherwise; they read and write
# only these folders, so they run as root here (as the master does), and the folders stay 0700.
NGINX_USER=""
(( $(id -u) == 0 )) && NGINX_USER="user root;"
# Measure a private copy, so a rebuild of the scratch path during the run cannot swap binaries.
MIZAN="$WORK/mizan"
cp "$BUILT" "$MIZAN"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for_port() {
  local name="$1" port="$2" i
  for ((i = 0; i < 100; i++)); do
    # /api/live/ is cached by none of them, so this does not warm anything.
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/api/live/1"; then return 0; fi
    sleep 0.1
  done
  log "run.sh: $name did not start listening on 127.0.0.1:$port"
  exit 70
}
fill() { # template output key=value...
  local template="$1" output="$2"; shift 2
  local args=() kv
  for kv in "$@"; do args+=(-e "s#@${kv%%=*}@#${kv#*=}#g"); done
  sed "${args[@]}" "$template" > "$output"
}
COMMANDS="$WORK/commands.txt"
declare -A SERVER_PID
: > "$COMMANDS"
# Runs a server in the background from the folder START_DIR (default $WORK), remembers its pid
# (LAST_PID) and its command line (with the temporary folders shown as $WORK and $SHM).
start() { # name stdout command...
  local name="$1" out="$2"; shift 2
  printf '%s\t%s\n' "$name" "$(printf '%s ' "$@" | sed -e "s#$WORK#\$WORK#g; s#$SHM#\$SHM#g; s#daemon off;#'daemon off;'#; s# \$##")" >> "$COMMANDS"
  ( cd "${START_DIR:-$WORK}" && exec "$@" ) > "$out" 2> "$WORK/$name.err" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
  SERVER_PID[$name]=$LAST_PID
}

# 3. The static upstream: 100 JSON files of about 300 bytes.
UP_PORT=$(free_port)
mkdir -p "$WORK/upstream/www/api/books" "$WORK/upstream/www/api/live"
python3 - "$WORK/upstream/www/api" <<'PY'
import json, sys
genres = ["fiction", "nonfiction", "poetry", "children", "science"]
for i in range(1, 101):
    book = {"id": i, "title": f"The Book of Number {i}", "author": {"id": 1000 + i % 17, "name": f"Author {i % 17}"},
            "genre": genres[i % 5], "price": f"{9 + i % 30}.{i % 100:02d}", "pages": 120 + 7 * i,
            "published": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}", "in_stock": i % 3 != 0,
            "tags": ["bestseller", "paperback", f"series-{i % 7}"], "rating": round(3 + (i % 20) / 10, 1)}
    text = json.dumps(book, separators=(",", ":")) + "\n"
    for d in ("books", "live"):
        open(f"{sys.argv[1]}/{d}/{i}", "w").write(text)
PY
mkdir -p "$WORK/upstream/conf"
fill "$HERE/nginx-upstream.conf" "$WORK/upstream/conf/nginx.conf" \
  "USER=$NGINX_USER" "DIR=$WORK/upstream" "PORT=$UP_PORT" "ROOT=$WORK/upstream/www"
start upstream /dev/null nginx -p "$WORK/upstream" -c "$WORK/upstream/conf/nginx.conf" -g "daemon off;"
wait_for_port upstream "$UP_PORT"
BODY_BYTES=$(stat -c %s "$WORK/upstream/www/api/books/1")

# 4. nginx proxy_cache, three times: cache folder on disk (under TMPDIR) and on tmpfs (/dev/shm),
# one worker per core; and on disk with one worker: with wrk on one of 2 cores, a second worker
# competes with wrk for the CPU rather than adding throughput (and adds to p99).
NGINX_PORT=$(free_port)
NGINX_SHM_PORT=$(free_port)
NGINX_1W_PORT=$(free_port)
for variant in nginx nginx-tmpfs nginx-1w; do
  dir="$WORK/$variant"
  mkdir -p "$dir/conf"
  case "$variant" in
    nginx) port=$NGINX_PORT; cache="$dir/cache"; workers=auto ;;
    nginx-tmpfs) port=$NGINX_SHM_PORT; cache="$SHM/cache"; workers=auto ;;
    nginx-1w) port=$NGINX_1W_PORT; cache="$dir/cache"; workers=1 ;;
  esac
  fill "$HERE/nginx-cache.conf" "$dir/conf/nginx.conf" \
    "USER=$NGINX_USER" "DIR=$dir" "PORT=$port" "UPSTREAM=$UP_PORT" "CACHE=$cache" "WORKERS=$workers"
  start "$variant" /dev/null nginx -p "$dir" -c "$dir/conf/nginx.conf" -g "daemon off;"
  wait_for_port "$variant" "$port"
done

# 5. Varnish: malloc storage, its own working folder, no jail (it runs as the invoking user).
VARNISH_PORT=$(free_port)
fill "$HERE/varnish.vcl" "$WORK/varnish.vcl" "UPSTREAM=$UP_PORT"
start varnish /dev/null varnishd -F -j none -n "$WORK/varnish" -a "127.0.0.1:$VARNISH_PORT" -T none \
  -f "$WORK/varnish.vcl" -s malloc,256m
wait_for_port varnish "$VARNISH_PORT"

# 6. mizan dev: a manifest with a cached route and a `cache: false` route; three instances: one
# logging to /dev/null and one to a file (the request log costs something; a terminal costs more),
# both with the default event-loop count, and one logging to /dev/null with MIZAN_2T_ARGS
# (`--threads 2`: as many threads as nginx's `worker_processes auto` here).
cat > "$WORK/manifest.json" <<'JSON'
{
  "manifest_version": 1,
  "generator": "Benchmarks/proxy/run.sh",
  "project": "proxy-bench",
  "schema_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
  "routes": [
    {
      "client": "books.get_book",
      "method": "GET",
      "path": "/api/books/{id}",
      "params": [
        { "name": "id", "in": "path", "type": "int", "list": false, "required": true, "enum": null }
      ],
      "cache": { "ttl": 86400, "stale_while_revalidate": 0, "context": "public", "tags": [] }
    },
    {
      "client": "books.get_live",
      "method": "GET",
      "path": "/api/live/{id}",
      "params": [
        { "name": "id", "in": "path", "type": "int", "list": false, "required": true, "enum": null }
      ],
      "cache": false
    }
  ],
  "invalidation": {}
}
JSON
MIZAN_PORT=$(free_port)
MIZAN_LOG_PORT=$(free_port)
MIZAN_2T_PORT=$(free_port)
read -r -a MIZAN_2T_EXTRA <<< "$MIZAN_2T_ARGS"
MIZAN_TOKEN_VALUE="proxy-bench-token-$$"
export MIZAN_SECRET="proxy-bench-secret-0123456789abcdef"
export MIZAN_TOKEN="$MIZAN_TOKEN_VALUE"
mkdir -p "$WORK/mizan-run"
START_DIR="$WORK/mizan-run"
start mizan /dev/null "$MIZAN" dev --manifest "$WORK/manifest.json" --upstream "http://127.0.0.1:$UP_PORT" \
  --host 127.0.0.1 --port "$MIZAN_PORT" --store memory
MIZAN_PID=$LAST_PID
start mizan-log "$WORK/mizan-requests.log" "$MIZAN" dev --manifest "$WORK/manifest.json" \
  --upstream "http://127.0.0.1:$UP_PORT" --host 127.0.0.1 --port "$MIZAN_LOG_PORT" --store memory
start mizan-2t /dev/null "$MIZAN" dev --manifest "$WORK/manifest.json" --upstream "http://127.0.0.1:$UP_PORT" \
  --host 127.0.0.1 --port "$MIZAN_2T_PORT" --store memory ${MIZAN_2T_EXTRA[@]+"${MIZAN_2T_EXTRA[@]}"}
START_DIR=""
wait_for_port mizan "$MIZAN_PORT"
wait_for_port mizan-log "$MIZAN_LOG_PORT"
wait_for_port mizan-2t "$MIZAN_2T_PORT"
[[ -f "$WORK/mizan-run/.mizan/secret" ]] && { log "run.sh: mizan dev wrote a secret file"; exit 70; }

# Name, port, how a hit shows, for every cache.
CACHES=(
  "nginx $NGINX_PORT nginx"
  "nginx-tmpfs $NGINX_SHM_PORT nginx"
  "nginx-1w $NGINX_1W_PORT nginx"
  "varnish $VARNISH_PORT varnish"
  "mizan $MIZAN_PORT mizan"
  "mizan-2t $MIZAN_2T_PORT mizan"
  "mizan-log $MIZAN_LOG_PORT mizan"
)

# 7. Warm every cache (each URL once) and check: the second request of every URL is a hit with the
# upstream's body, and /api/live/ is never cached.
log "== warming and checking the caches"
python3 - "$UP_PORT" "${CACHES[@]}" <<'PY'
import http.client, sys

up = int(sys.argv[1])
def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body

def is_hit(kind, h):
    if kind == "nginx": return h.get("x-cache-status") == "HIT"
    if kind == "varnish": return h.get("x-cache") == "HIT" and len(h.get("x-varnish", "").split()) == 2
    return h.get("cache-status", "").split(";")[1:2] == [" hit"]

def show(kind, h):
    return {"nginx": h.get("x-cache-status"), "varnish": f"{h.get('x-cache')} X-Varnish: {h.get('x-varnish')}"}.get(kind, h.get("cache-status"))

failed = False
for spec in sys.argv[2:]:
    name, port, kind = spec.split()
    port = int(port)
    first = None
    for i in range(1, 101):
        want = get(up, f"/api/books/{i}")
        s1, h1, b1 = get(port, f"/api/books/{i}")
        s2, h2, b2 = get(port, f"/api/books/{i}")
        if i == 1: first = (show(kind, h1), show(kind, h2))
        if s1 != 200 or s2 != 200 or b1 != want[2] or b2 != want[2] or not is_hit(kind, h2):
            print(f"run.sh: {name}: /api/books/{i} second request is not a hit with the upstream's body: "
                  f"{s2} {show(kind, h2)}", file=sys.stderr)
            failed = True
            break
    s3, h3, b3 = get(port, "/api/live/1")
    s4, h4, b4 = get(port, "/api/live/1")
    if s4 != 200 or is_hit(kind, h4) or b4 != get(up, "/api/live/1")[2]:
        print(f"run.sh: {name}: /api/live/1 is served from the cache or broken: {s4} {show(kind, h4)}", file=sys.stderr)
        failed = True
    print(f"   {name}: 100 URLs warmed; /api/books/1 first: {first[0]}; second: {first[1]}; /api/live/1: {show(kind, h4)}",
          file=sys.stderr)
sys.exit(1 if failed else 0)
PY

# 8. Measurements.
wait_for_quiet_machine
LOAD_AFTER_WAIT="$LOAD_BEFORE"
log "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
log "   $(nginx -v 2>&1); $(varnishd -V 2>&1 | head -n1); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"
log "   load average before: $LOAD_BEFORE"
log "   servers:"
while IFS=$'\t' read -r name cmd; do log "     $name: $cmd"; done < "$COMMANDS"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
WRK_ARGS=(-t"$THREADS" -c"$CONNS" -d"$DURATION" --latency)
UNIQUE_BASE=1000000

upstream_requests() {
  curl -s --max-time 2 "http://127.0.0.1:$UP_PORT/_status" | awk 'NR == 3 {print $3}'
}
# CPU jiffies: all cores busy, all cores total, and used by this script and everything it started
# (servers, wrk, curl). Busy minus ours over a run is what other work on the machine took.
cpu_snapshot() { # [server pid]: also the CPU of that server and its children
  python3 - "$$" "${1:-0}" <<'PY2'
import os, sys
root, server = int(sys.argv[1]), int(sys.argv[2])
v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
total = sum(v); busy = total - v[3] - v[4]
children, own = {}, {}
for pid in os.listdir("/proc"):
    if not pid.isdigit(): continue
    try: text = open(f"/proc/{pid}/stat").read()
    except OSError: continue
    f = text[text.rindex(")") + 2:].split()
    children.setdefault(int(f[1]), []).append(int(pid))
    own[int(pid)] = (int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
def tree(top):
    used, todo = sum(own.get(top, (0, 0))), list(children.get(top, []))
    while todo:
        pid = todo.pop()
        used += sum(own.get(pid, (0, 0)))
        todo.extend(children.get(pid, []))
    return used
print(busy, total, tree(root), tree(server) if server else 0)
PY2
}
# Waits (up to IDLE_WAIT seconds, and IDLE_BUDGET seconds over the whole run) until other work
# takes less than IDLE_MAX% of the CPU over 3 s.
IDLE_SPENT=0
wait_for_idle_cpu() {
  local waited=0 a b
  while :; do
    (( IDLE_SPENT >= IDLE_BUDGET )) && { log "     waited ${IDLE_SPENT}s for idle in all (IDLE_BUDGET); going on"; return 0; }
    IDLE_SPENT=$((IDLE_SPENT + 10))
    a=$(cpu_snapshot); sleep 3; b=$(cpu_snapshot)
    python3 -c "import sys; (b0,t0,m0,_),(b1,t1,m1,_)=(map(int,x.split()) for x in sys.argv[1:3]); sys.exit(0 if ((b1-b0)-(m1-m0))/max(1,t1-t0)*100 < float(sys.argv[3]) else 1)" \
      "$a" "$b" "$IDLE_MAX" && return 0
    (( waited >= IDLE_WAIT )) && { log "     still busy after ${IDLE_WAIT}s; going on"; return 0; }
    sleep 7; waited=$((waited + 10))
  done
}
mizan_counter() { # port key
  curl -s --max-time 2 -H "Authorization: Bearer $MIZAN_TOKEN_VALUE" "http://127.0.0.1:$1/_mizan/stats" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

# One wrk run: kind (hit, forward, miss), target name, port, round (0 = warm-up, c1 = one
# connection), extra wrk args. Appends to RESULTS: kind, target, round, requests, seconds,
# errors, p50, p90, p99, p99.9 and max (µs), upstream requests during the run, mizan hits.
run_wrk() {
  local kind="$1" name="$2" port="$3" round="$4"
  local args=("${WRK_ARGS[@]}") lua=()
  case "$kind" in
    hit) lua=(cycle /api/books/ 100) ;;
    forward) lua=(cycle /api/live/ 100) ;;
    miss) lua=(unique /api/books/ BASE) ;;
  esac
  [[ "$round" == 0 ]] && args=(-t"$THREADS" -c"$CONNS" -d"$WARMUP" --latency)
  [[ "$round" == c1 ]] && args=(-t1 -c1 -d"$C1_DURATION" --latency)
  local out="$WORK/wrk-$kind-$name-$round.txt" attempt=0 line
  while :; do
  local up_before up_after hits_before=0 hits_after=0 cpu_before cpu_after
  # Misses: ids no run has asked for, not even an attempt that is being repeated.
  [[ "$kind" == miss ]] && { UNIQUE_BASE=$((UNIQUE_BASE + 100000000)); lua=(unique /api/books/ "$UNIQUE_BASE"); }
  up_before=$(upstream_requests)
  cpu_before=$(cpu_snapshot "${SERVER_PID[$name]}")
  [[ "$name" == mizan* ]] && hits_before=$(mizan_counter "$port" hits)
  wrk "${args[@]}" -s "$HERE/wrk.lua" "http://127.0.0.1:$port" -- "${lua[@]}" > "$out" 2>&1 || {
    log "run.sh: wrk failed against $name:"; cat "$out" >&2; exit 70; }
  cpu_after=$(cpu_snapshot "${SERVER_PID[$name]}")
  up_after=$(upstream_requests)
  [[ "$name" == mizan* ]] && hits_after=$(mizan_counter "$port" hits)
  if [[ "$round" == 1 && ! -f "$WORK/wrk-command-$kind" ]]; then
    printf 'wrk %s -s Benchmarks/proxy/wrk.lua http://127.0.0.1:PORT -- %s\n' "${args[*]}" "${lua[*]}" > "$WORK/wrk-command-$kind"
  fi
  if [[ "$round" == c1 && ! -f "$WORK/wrk-command-c1-$kind" ]]; then
    printf 'wrk %s -s Benchmarks/proxy/wrk.lua http://127.0.0.1:PORT -- %s\n' "${args[*]}" "${lua[*]}" > "$WORK/wrk-command-c1-$kind"
  fi
  line=$(python3 - "$out" "$kind" "$name" "$round" "$((up_after - up_before - 1))" "$((hits_after - hits_before))" \
    "$cpu_before" "$cpu_after" "$attempt" <<'PY'
import os, re, sys
path, kind, name, rnd, upstream, hits, cpu_before, cpu_after, attempt = sys.argv[1:10]
(b0, t0, m0, s0), (b1, t1, m1, s1) = (map(int, c.split()) for c in (cpu_before, cpu_after))
other = max(0.0, ((b1 - b0) - (m1 - m0)) / max(1, t1 - t0) * 100)
text = open(path).read()
m = re.search(r"^RESULT (.*)$", text, re.M)
if not m:
    sys.exit(f"run.sh: no RESULT line in {path}:\n{text}")
r = dict(kv.split("=") for kv in m.group(1).split())
errors = sum(int(r[k]) for k in ("connect", "read", "write", "status", "timeout"))
# Cross-check against wrk's own text: Requests/sec and the 99% line of --latency.
rps_text = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print("\t".join([kind, name, rnd, r["requests"], str(int(r["duration_us"]) / 1e6), str(errors), r["mean_us"],
                 r["p50_us"], r["p90_us"], r["p99_us"], r["p999_us"], r["max_us"], upstream, hits, str(rps_text),
                 f"{other:.1f}", attempt,
                 f"{(s1 - s0) * 1e6 / int(os.sysconf('SC_CLK_TCK')) / max(1, int(r['requests'])):.1f}"]))
PY
)
  log "$(awk -F'\t' '{printf "   %-7s %-12s round %-3s %9.0f req/s  p50 %6.0f µs  p99 %6.0f µs  errors %s  upstream requests %s  other CPU %s%%  server CPU %s µs/request", $1, $2, $3, $4 / $5, $8, $10, $6, $13, $16, $18}' <<<"$line")"
  # Other work took more than BUSY_MAX% of the CPU during the run: wait until the machine is idle
  # and measure again (up to RETRIES times; the last attempt counts whatever it shows).
  if [[ "$round" != 0 ]] && (( attempt < RETRIES && IDLE_SPENT < IDLE_BUDGET )) &&
     python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$(cut -f16 <<<"$line")" "$BUSY_MAX"; then
    attempt=$((attempt + 1))
    log "     other work took more than ${BUSY_MAX}% of the CPU: waiting for an idle machine, then again (attempt $((attempt + 1)))"
    wait_for_idle_cpu
    continue
  fi
  break
  done
  printf '%s\n' "$line" >> "$RESULTS"
}

# The thread-count variants (nginx-1w, mizan-2t) are measured for hits only.
HIT_TARGETS=("upstream $UP_PORT" "nginx $NGINX_PORT" "nginx-tmpfs $NGINX_SHM_PORT" "nginx-1w $NGINX_1W_PORT"
             "varnish $VARNISH_PORT" "mizan $MIZAN_PORT" "mizan-2t $MIZAN_2T_PORT" "mizan-log $MIZAN_LOG_PORT")
PROXY_TARGETS=("nginx $NGINX_PORT" "varnish $VARNISH_PORT" "mizan $MIZAN_PORT")
MISS_TARGETS=("upstream $UP_PORT" "${PROXY_TARGETS[@]}")
STARTED=$(date +%s)
log "== warm-up runs ($WARMUP each, not counted)"
for t in "${HIT_TARGETS[@]}"; do run_wrk hit ${t} 0; done
for t in "${PROXY_TARGETS[@]}"; do run_wrk forward ${t} 0; done
for t in "${MISS_TARGETS[@]}"; do run_wrk miss ${t} 0; done
for ((round = 1; round <= ROUNDS; round++)); do
  log "== round $round of $ROUNDS"
  for t in "${HIT_TARGETS[@]}"; do run_wrk hit ${t} "$round"; done
  for t in "${PROXY_TARGETS[@]}"; do run_wrk forward ${t} "$round"; done
  for t in "${MISS_TARGETS[@]}"; do run_wrk miss ${t} "$round"; done
done
log "== one connection (-c1, $C1_DURATION)"
run_wrk hit upstream "$UP_PORT" c1
for t in "${PROXY_TARGETS[@]}"; do run_wrk hit ${t} c1; done
for t in "${PROXY_TARGETS[@]}"; do run_wrk forward ${t} c1; done
for t in "${MISS_TARGETS[@]}"; do run_wrk miss ${t} c1; done
ELAPSED=$(( $(date +%s) - STARTED ))
MIZAN_RSS=$(awk '/VmRSS/ {print $2}' "/proc/$MIZAN_PID/status" 2>/dev/null || echo 0)
MIZAN_ENTRIES=$(curl -s -H "Authorization: Bearer $MIZAN_TOKEN_VALUE" "http://127.0.0.1:$MIZAN_PORT/_mizan/stats" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["entries"], d["evictions"])')
LOG_LINE="$(grep -m1 '  hit  ' "$WORK/mizan-requests.log" 2>/dev/null || true)"
LOG_BYTES=$(stat -c %s "$WORK/mizan-requests.log")

# 9. Machine facts.
MACHINE="$WORK/machine.txt"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "swift=$(swift --version 2>&1 | head -n1)"
  echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "varnish=$(varnishd -V 2>&1 | head -n1 | sed 's/^varnishd (\(.*\) revision.*/\1/')"
  echo "wrk=$(wrk -v 2>&1 | head -n1 | awk '{print $2}')"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load=$LOAD_AFTER_WAIT before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "elapsed=$ELAPSED"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (with uncommitted changes in Sources/ or Package.swift)')"
  echo "binary=$(sha256sum "$MIZAN" | cut -c1-12)"
  echo "build=${BUILD_CMD[*]}"
  echo "threads=$THREADS"
  echo "conns=$CONNS"
  echo "duration=$DURATION"
  echo "rounds=$ROUNDS"
  echo "busy_max=$BUSY_MAX"
  echo "retries=$RETRIES"
  echo "warmup=$WARMUP"
  echo "c1_duration=$C1_DURATION"
  echo "mizan_2t_args=$MIZAN_2T_ARGS"
  echo "body_bytes=$BODY_BYTES"
  echo "mizan_rss_kib=$MIZAN_RSS"
  echo "mizan_entries=$MIZAN_ENTRIES"
  echo "log_line=$LOG_LINE"
  echo "log_bytes=$LOG_BYTES"
  for kind in hit forward miss; do
    [[ -f "$WORK/wrk-command-$kind" ]] && echo "wrk_$kind=$(cat "$WORK/wrk-command-$kind")"
    [[ -f "$WORK/wrk-command-c1-$kind" ]] && echo "wrk_c1_$kind=$(cat "$WORK/wrk-command-c1-$kind")"
  done
  while IFS=$'\t' read -r name cmd; do echo "cmd_$name=$cmd"; done < "$COMMANDS"
} > "$MACHINE"

# 10. The section: printed, and written into BENCHMARKS.md unless NO_MD is set.
python3 - "$RESULTS" "$MACHINE" "$OUT_MD" "${NO_MD:-}" <<'PY'
import os, re, statistics, sys

results_path, machine_path, md_path, no_md = sys.argv[1:5]
machine = dict(l.rstrip("\n").split("=", 1) for l in open(machine_path) if "=" in l)
runs = []
for line in open(results_path):
    f = line.rstrip("\n").split("\t")
    runs.append(dict(kind=f[0], name=f[1], round=f[2], requests=int(f[3]), seconds=float(f[4]), errors=int(f[5]),
                     mean=float(f[6]), p50=int(f[7]), p90=int(f[8]), p99=int(f[9]), p999=int(f[10]), max=int(f[11]),
                     upstream=int(f[12]), hits=int(f[13]), other=float(f[15]), attempt=int(f[16]), cpu=float(f[17])))
for r in runs: r["rps"] = r["requests"] / r["seconds"]

def rows(kind, rnd_filter):
    out = {}
    for r in runs:
        if r["kind"] == kind and rnd_filter(r["round"]): out.setdefault(r["name"], []).append(r)
    return out
measured = lambda rnd: rnd not in ("0", "c1")
def summary(rs):
    med = lambda k: statistics.median(r[k] for r in rs)
    return dict(rps=med("rps"), rps_min=min(r["rps"] for r in rs), rps_max=max(r["rps"] for r in rs),
                p50=med("p50"), p99=med("p99"), p999=med("p999"), mean=med("mean"), cpu=med("cpu"),
                errors=sum(r["errors"] for r in rs), upstream=sum(r["upstream"] for r in rs),
                requests=sum(r["requests"] for r in rs), hits=sum(r["hits"] for r in rs), n=len(rs))

hits = {k: summary(v) for k, v in rows("hit", measured).items()}
fwd = {k: summary(v) for k, v in rows("forward", measured).items()}
miss = {k: summary(v) for k, v in rows("miss", measured).items()}
c1 = {(r["kind"], r["name"]): r for r in runs if r["round"] == "c1"}

def k(x): return f"{x / 1000:,.1f}k"
def us(x): return f"{x / 1000:,.2f} ms" if x >= 1000 else f"{x:,.0f} µs"
def ratio(a, b): return f"{a / b:.2f}×"
# "name (details)": the tables of forwards, misses and -c1 show the part before " (", the ratio
# line the details of the best nginx.
mizan_2t_args = machine.get("mizan_2t_args", "--threads 2")
LABEL = {
    "upstream": "upstream (static nginx, called directly)",
    "nginx": "nginx proxy_cache (cache folder on disk)",
    "nginx-tmpfs": "nginx proxy_cache (cache folder on tmpfs)",
    "nginx-1w": "nginx proxy_cache (cache folder on disk, 1 worker)",
    "varnish": "Varnish (malloc storage)",
    "mizan": "mizan dev (request log to /dev/null)",
    "mizan-2t": "mizan dev (request log to /dev/null, " + (f"`{mizan_2t_args}`" if mizan_2t_args else "no extra arguments") + ")",
    "mizan-log": "mizan dev (request log to a file)",
}
NGINX_NAMES = ("nginx", "nginx-tmpfs", "nginx-1w")
HIT_NAMES = ("upstream", "nginx", "nginx-tmpfs", "nginx-1w", "varnish", "mizan", "mizan-2t", "mizan-log")

out = []
w = out.append
w("## proxy")
w("")
w("Cache hits of `mizan dev` against nginx `proxy_cache` and Varnish, each in front of the same static "
  f"upstream (a separate nginx serving 100 JSON files of about {machine['body_bytes']} bytes), measured with wrk over "
  "loopback in one run of `Benchmarks/proxy/run.sh`, the same wrk settings for every target. The upstream called "
  "directly is the ceiling for hits and the baseline for forwarded requests and misses. wrk, the proxy and (for "
  "forwards and misses) the upstream share the same cores.")
w("")
w("Target (issue): hit throughput at least the best nginx configuration's, p99 no worse than nginx's; report "
  "the miss overhead against calling the upstream directly. Measured in the issue before any code: nginx "
  "`proxy_cache` about 55–72k hits/s, Varnish 40–57k, the static upstream about 100–125k/s.")
w("")
w("Machine and method:")
w("")
w(f"- {machine['nproc']} cores (`nproc`), {machine['cpu']}, {machine['mem']} memory, {machine['kernel']}")
w(f"- load average (1, 5, 15 min): {machine['load']} the measurements ({int(machine['elapsed']) // 60} min "
  f"{int(machine['elapsed']) % 60} s of wrk)")
w(f"- nginx {machine['nginx'].replace('nginx/', '')}, Varnish {machine['varnish'].replace('varnish-', '')}, "
  f"wrk {machine['wrk']} (Debian packages); {machine['swift']}")
w(f"- mizan: release binary built with `{machine['build']}`, copied to a temporary folder; "
  f"commit {machine['commit']}, binary sha256 {machine['binary']}…, measured {machine['date']}")
w(f"- each target {machine['rounds']} runs of {machine['duration']} (rounds interleaved: every target once per "
  f"round), after one uncounted {machine['warmup']} warm-up run; the tables give the median run, req/s with the "
  "min-max over the runs, and wrk's latency percentiles (`--latency`, the median over the runs; wrk corrects them for coordinated "
  "omission, so a stall counts for the requests it held up)")
nproc = int(machine["nproc"])
w(f"- threads: nginx `worker_processes auto` ({nproc} here) and 1; mizan's default event-loop count (half the "
  f"cores, at least 1: {max(1, nproc // 2)} here) and `--threads 2`; Varnish its defaults")
cache_names = tuple(n for n in HIT_NAMES if n != "upstream")
others = sorted(r["other"] for r in runs if measured(r["round"]))
worst = max((r for r in runs if measured(r["round"])), key=lambda r: r["other"])
w(f"- other work on the machine (CPU busy minus what the script and its servers and wrk used, over all "
  f"{machine['nproc']} cores) during the counted runs: median {statistics.median(others):.0f}%, "
  f"max {worst['other']:.0f}% ({worst['kind']} {worst['name']}, round {worst['round']}); a run during which it "
  f"took more than {machine['busy_max']}% was measured again once the machine was idle (up to {machine['retries']} "
  f"times, the last attempt counting): {sum(1 for r in runs if r['attempt'] > 0)} of "
  f"{sum(1 for r in runs if r['round'] != '0')} runs were repeated")
leaked = sum(r["upstream"] for r in runs if r["kind"] == "hit" and r["name"] in cache_names and r["round"] != "0")
mizan_hit_runs = [r for r in runs if r["kind"] == "hit" and r["name"].startswith("mizan")]
mizan_all_hits = all(r["hits"] >= r["requests"] for r in mizan_hit_runs)
hit_errors = sum(r["errors"] for r in runs if r["kind"] == "hit")
check = ("did not move, so every response was a hit" if leaked == 0 else
         f"moved by **{leaked:,} requests** over all hit runs, so not every response was a hit")
mcheck = ("mizan's own `hits` counter (`/_mizan/stats`) grew by at least the requests wrk completed in every hit run"
          if mizan_all_hits else "mizan's own `hits` counter grew by **less** than the requests wrk completed in some hit run")
w("- every cache warmed first (each URL requested once) and checked: the second request of each URL is a hit "
  "(`X-Cache-Status: HIT`, Varnish two ids in `X-Varnish`, mizan `Cache-Status: mizan; hit`) with the "
  f"upstream's body; during the hit runs the upstream's request counter (nginx `stub_status`) {check}; {mcheck}; "
  + ("no socket errors or non-2xx responses in any hit run" if hit_errors == 0 else f"**{hit_errors:,} errors** in the hit runs"))
w(f"- reproduce: `Benchmarks/proxy/run.sh` (`DURATION={machine['duration']} ROUNDS={machine['rounds']} "
  f"THREADS={machine['threads']} CONNS={machine['conns']}`; `NO_BUILD=1` reuses the release binary)")
w("")
w("Commands (`$WORK` a temporary folder, configs written from the templates in `Benchmarks/proxy/`; PORT each "
  "target's own port):")
w("")
w("```")
w(machine["wrk_hit"] + "      # hits")
w(machine["wrk_forward"] + "      # forward (not cached)")
w(machine["wrk_miss"] + "   # misses (BASE new every run)")
# The worker count is in the config, not on the command line: shown as a comment.
SUFFIX = {"nginx": "   # worker_processes auto", "nginx-tmpfs": "   # worker_processes auto",
          "nginx-1w": "   # worker_processes 1", "mizan": "   > /dev/null", "mizan-2t": "   > /dev/null",
          "mizan-log": "   > $WORK/requests.log"}
for name in HIT_NAMES:
    cmd = machine.get(f"cmd_{name}")
    if cmd:
        cmd = re.sub(r"--port \d+", "--port PORT", re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", cmd))
        if name.startswith("mizan"): cmd = "MIZAN_SECRET=… MIZAN_TOKEN=… " + cmd.replace("$WORK/mizan dev", "mizan dev", 1)
        w(f"{cmd}{SUFFIX.get(name, '')}")
w("```")
w("")

w(f"### Hits (`-t{machine['threads']} -c{machine['conns']}`, 100 URLs in turn)")
w("")
w("| target | req/s (median) | min-max | p50 | p99 | p99.9 | vs upstream | server CPU / request | errors | upstream requests |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
up = hits.get("upstream")
for name in HIT_NAMES:
    s = hits.get(name)
    if not s: continue
    w(f"| {LABEL[name]} | {s['rps']:,.0f} | {k(s['rps_min'])}-{k(s['rps_max'])} | {us(s['p50'])} | {us(s['p99'])} | "
      f"{us(s['p999'])} | {s['rps'] / up['rps'] * 100:.0f}% | {s['cpu']:.1f} µs | {s['errors']} | {'—' if name == 'upstream' else s['upstream']} |")
w("")
w("Server CPU / request: user + system CPU time of the target's processes (nginx master and workers, Varnish "
  "manager and child, mizan dev) during the run, over the requests wrk completed (median over the runs); it does "
  "not depend on how the cores were shared, so it compares the servers' own cost even on a busy machine.")
w("")
best_nginx_name = max(NGINX_NAMES, key=lambda n: hits[n]["rps"])
bn, va, mz = hits[best_nginx_name], hits["varnish"], hits["mizan"]
mz_log = hits.get("mizan-log")
w(f"Ratios (median req/s): mizan / best nginx ({LABEL[best_nginx_name].split('(')[1].rstrip(')')}) "
  f"**{ratio(mz['rps'], bn['rps'])}**, mizan / Varnish **{ratio(mz['rps'], va['rps'])}**; "
  f"of the upstream's ceiling: nginx {bn['rps'] / up['rps'] * 100:.0f}%, Varnish {va['rps'] / up['rps'] * 100:.0f}%, "
  f"mizan {mz['rps'] / up['rps'] * 100:.0f}%. p99: mizan {us(mz['p99'])} against nginx {us(bn['p99'])} "
  f"({ratio(mz['p99'], bn['p99'])}) and Varnish {us(va['p99'])}.")
per_round = []
for rnd in sorted({r["round"] for r in runs if measured(r["round"])}, key=int):
    got = {r["name"]: r for r in runs if r["kind"] == "hit" and r["round"] == rnd}
    if "mizan" in got and best_nginx_name in got and "varnish" in got:
        per_round.append((got["mizan"]["rps"] / got[best_nginx_name]["rps"], got["mizan"]["rps"] / got["varnish"]["rps"]))
if per_round:
    w("Within each round (the targets measured one after the other): mizan / best nginx "
      + ", ".join(f"{a:.2f}" for a, _ in per_round) + "; mizan / Varnish " + ", ".join(f"{b:.2f}" for _, b in per_round) + ".")
mz2 = hits.get("mizan-2t")
if mz2:
    w(f"{f'With `{mizan_2t_args}`' if mizan_2t_args else 'The second /dev/null instance, without extra arguments,'} "
      f"(nginx's `worker_processes auto` runs {nproc} workers here): "
      f"mizan / best nginx **{ratio(mz2['rps'], bn['rps'])}** ({mz2['rps']:,.0f} req/s), p99 {us(mz2['p99'])} against "
      f"nginx {us(bn['p99'])} ({ratio(mz2['p99'], bn['p99'])}).")
if mz_log:
    w(f"The request log to a file changes mizan's hit throughput by {round((mz_log['rps'] / mz['rps'] - 1) * 100) or 0:+d}% "
      f"({mz_log['rps']:,.0f} against {mz['rps']:,.0f} req/s); one line like `{machine['log_line'].strip()}`, "
      f"{int(machine['log_bytes']) / 1e6:,.1f} MB over the run.")
w("")
tp_ok = mz["rps"] >= bn["rps"]
p99_ok = mz["p99"] <= bn["p99"]
w("Against the target:")
w("")
w(f"- hit throughput at least the best nginx configuration's ({bn['rps']:,.0f} req/s): mizan {mz['rps']:,.0f} "
  f"({ratio(mz['rps'], bn['rps'])}) — {'**pass**' if tp_ok else '**FAIL**'}")
w(f"- hit p99 no worse than nginx's ({us(bn['p99'])}): mizan {us(mz['p99'])} — {'**pass**' if p99_ok else '**FAIL**'}")
w("")

w(f"### Forwarded and missed requests (`-t{machine['threads']} -c{machine['conns']}`)")
w("")
w("Forward: `/api/live/1..100`, a route the proxy does not cache (mizan `cache: false`, nginx without "
  "`proxy_cache`, Varnish `return (pass)`), so every request goes to the upstream. Miss: `/api/books/N` with an "
  "id never requested before, so every request is fetched, stored and answered (the upstream answers any id "
  "with book 1's file through `try_files`).")
w("")
w("| target | kind | req/s (median) | min-max | p50 | p99 | vs upstream direct | proxy CPU / request | errors | upstream requests / requests |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
mup = miss.get("upstream")
w(f"| {LABEL['upstream']} | files | {up['rps']:,.0f} | {k(up['rps_min'])}-{k(up['rps_max'])} | {us(up['p50'])} | {us(up['p99'])} | 100% | {up['cpu']:.1f} µs (upstream) | {up['errors']} | — |")
for kind, table in (("forward", fwd),):
    for name in ("nginx", "varnish", "mizan"):
        s = table.get(name)
        if not s: continue
        w(f"| {LABEL[name].split(' (')[0]} | {kind} | {s['rps']:,.0f} | {k(s['rps_min'])}-{k(s['rps_max'])} | {us(s['p50'])} | "
          f"{us(s['p99'])} | {s['rps'] / up['rps'] * 100:.0f}% | {s['cpu']:.1f} µs | {s['errors']} | {s['upstream'] / s['requests']:.2f} |")
if mup:
    w(f"| {LABEL['upstream']} | unique ids (`try_files`) | {mup['rps']:,.0f} | {k(mup['rps_min'])}-{k(mup['rps_max'])} | {us(mup['p50'])} | {us(mup['p99'])} | 100% | {mup['cpu']:.1f} µs (upstream) | {mup['errors']} | — |")
    for name in ("nginx", "varnish", "mizan"):
        s = miss.get(name)
        if not s: continue
        w(f"| {LABEL[name].split(' (')[0]} | miss | {s['rps']:,.0f} | {k(s['rps_min'])}-{k(s['rps_max'])} | {us(s['p50'])} | "
          f"{us(s['p99'])} | {s['rps'] / mup['rps'] * 100:.0f}% | {s['cpu']:.1f} µs | {s['errors']} | {s['upstream'] / s['requests']:.2f} |")
w("")
w("\"upstream requests / requests\" is counted at the upstream (`stub_status`) over the runs: 1.00 means every "
  "request went upstream once. \"vs upstream direct\" compares forwards with the upstream serving the files and "
  "misses with the upstream serving unique ids.")
w("")

w("One connection (`-t1 -c1`, " + machine["c1_duration"] + " each, one run): the latency a proxy adds to one request.")
w("")
w("| target | hit | forward | miss |")
w("|---|---:|---:|---:|")
def c1cell(kind, name):
    r = c1.get((kind, name))
    return f"{us(1e6 / r['rps'])} ({r['rps']:,.0f}/s)" if r else "—"
w(f"| upstream direct (files; unique ids for miss) | {c1cell('hit', 'upstream')} | {c1cell('hit', 'upstream')} | {c1cell('miss', 'upstream')} |")
for name in ("nginx", "varnish", "mizan"):
    w(f"| {LABEL[name].split(' (')[0]} | {c1cell('hit', name)} | {c1cell('forward', name)} | {c1cell('miss', name)} |")
w("")
w("Time per request (run time / requests, and requests/s) at one connection; a proxy's forward or miss minus the "
  "upstream's own time is what that proxy adds. (Not wrk's mean latency: wrk corrects its latency statistics "
  "for coordinated omission, which inflates the mean at one connection.)")
w("")
mf, ms_ = fwd.get("mizan"), miss.get("mizan")
if mf and ms_ and mup:
    add_f = c1.get(("forward", "mizan")); add_m = c1.get(("miss", "mizan"))
    base_f = c1.get(("hit", "upstream")); base_m = c1.get(("miss", "upstream"))
    extra = ""
    if add_f and base_f and add_m and base_m:
        t = lambda r: 1e6 / r["rps"]
        extra = (f"; at one connection mizan adds {us(t(add_f) - t(base_f))} to a forwarded request and "
                 f"{us(t(add_m) - t(base_m))} to a miss")
    w(f"**Miss overhead:** forwarded through mizan, the upstream's {up['rps']:,.0f} req/s become {mf['rps']:,.0f} "
      f"({mf['rps'] / up['rps'] * 100:.0f}%; nginx {fwd['nginx']['rps'] / up['rps'] * 100:.0f}%, Varnish "
      f"{fwd['varnish']['rps'] / up['rps'] * 100:.0f}%); misses that are stored: {ms_['rps']:,.0f} against "
      f"{mup['rps']:,.0f} direct ({ms_['rps'] / mup['rps'] * 100:.0f}%; nginx {miss['nginx']['rps'] / mup['rps'] * 100:.0f}%, "
      f"Varnish {miss['varnish']['rps'] / mup['rps'] * 100:.0f}%){extra}.")
    w("")
if machine.get("mizan_entries"):
    entries, evictions = machine["mizan_entries"].split()
    w(f"After the run mizan dev (the /dev/null instance) held {int(entries):,} entries ({int(evictions):,} evicted "
      f"by the 256 MB memory store's LRU) in {int(machine['mizan_rss_kib']) / 1024:,.0f} MiB resident.")
    w("")

section = "\n".join(out).rstrip("\n") + "\n"
print(section)
if not no_md:
    if os.path.exists(md_path):
        text = open(md_path).read()
    else:
        text = "# Benchmarks\n\nMeasured by the scripts under `Benchmarks/`; each section says how to reproduce it.\n"
    pattern = re.compile(r"^## proxy[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda m: section + ("\n" if m.end() < len(text) else ""), text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(md_path, "w").write(text)
PY
[[ -z "${NO_MD:-}" ]] && log "wrote the proxy section of $OUT_MD"
exit 0
