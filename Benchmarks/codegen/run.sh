#!/usr/bin/env bash
# Codegen benchmark: release build, synthetic schema-exports of 500 → 10,000 clients, wall time
# and peak memory of `mizan codegen` (and of `mizan schema validate` alone), tsc --strict over
# the 5,000-client output. Writes the "## codegen" section of BENCHMARKS.md (other sections kept).
#
#   Benchmarks/codegen/run.sh            # everything
#   SIZES="500:200 5000:2000" RUNS=3 Benchmarks/codegen/run.sh
#   NO_TSC=1 Benchmarks/codegen/run.sh   # skip the tsc check
#   NO_BUILD=1 Benchmarks/codegen/run.sh # use the existing release binary
#
# Settings (environment): SIZES (clients:types pairs), RUNS (timed runs per command: 10 with
# hyperfine, 5 without), SEED (make-schema.py seed), TSC_SIZE (which output tsc checks),
# SCRATCH (release scratch path, .build-release), OUT_MD (the Markdown file), QUIET_LOAD and
# QUIET_WAIT (wait up to QUIET_WAIT s for the 1-minute load average to fall below QUIET_LOAD),
# NO_HYPERFINE=1 (time with the built-in loop even when hyperfine is installed).
#
# Measured per size, each on a fresh output folder (removed before every run):
#   mizan codegen --schema S --output OUT      and      mizan schema validate S
#
# Needs: swift, python3, /usr/bin/time (Debian package `time`); hyperfine is used when installed
# (otherwise each command runs RUNS times and the median is taken); tsc for the type check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HERE="Benchmarks/codegen"
SIZES="${SIZES:-500:200 1000:400 2000:800 5000:2000 10000:4000}"
HYPERFINE=""
[[ -z "${NO_HYPERFINE:-}" ]] && command -v hyperfine >/dev/null && HYPERFINE=hyperfine
if [[ -n "$HYPERFINE" ]]; then RUNS="${RUNS:-10}"; else RUNS="${RUNS:-5}"; fi
SEED="${SEED:-1}"
TSC_SIZE="${TSC_SIZE:-5000}"
SCRATCH="${SCRATCH:-.build-release}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"

log() { printf '%s\n' "$*" >&2; }

if [[ ! -x /usr/bin/time ]]; then
  log "run.sh: /usr/bin/time is missing; install it with: apt-get install -y time"
  exit 69
fi

# 1. Release build, then wait for a quiet machine (Benchmarks/lib.sh).
source "$ROOT/Benchmarks/lib.sh"
build_release_mizan
wait_for_quiet_machine
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# Measure a private copy, so a rebuild of the scratch path during the run cannot swap binaries.
MIZAN="$WORK/mizan"
cp "$BUILT" "$MIZAN"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# Median, min and max (seconds) of RUNS timings of a command, and its mean CPU time (user + system;
# "nan" without hyperfine); PREP runs before each timing. Prints "median min max cpu".
measure() {
  local prep="$1"; shift
  local json="$WORK/hf.json"
  if [[ -n "$HYPERFINE" ]]; then
    hyperfine --style none --warmup 1 --runs "$RUNS" -N --prepare "$prep" \
      --export-json "$json" -- "$*" >/dev/null 2>&1 || {
        log "hyperfine failed for: $*"; exit 70; }
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["min"], r["max"], r["user"] + r["system"])' "$json"
  else
    local times=() i start end
    bash -c "$prep"; "$@" >/dev/null 2>&1 # warm-up
    for ((i = 0; i < RUNS; i++)); do
      bash -c "$prep"
      start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
      times+=("$(python3 -c "print($end - $start)")")
    done
    python3 -c 'import statistics,sys; t=[float(x) for x in sys.argv[1:]]; print(statistics.median(t), min(t), max(t), "nan")' "${times[@]}"
  fi
}

# Peak resident set size (KiB) of one run.
peak_rss() {
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/rss.err" || {
    log "failed: $*"; cat "$WORK/rss.err" >&2; exit 70; }
  tail -n1 "$WORK/rss"
}

for size in $SIZES; do
  clients="${size%%:*}"; types="${size##*:}"
  schema="$WORK/schema-$clients.json"
  out="$WORK/out-$clients"
  log "== $clients clients, $types types"
  python3 "$HERE/make-schema.py" --clients "$clients" --types "$types" --seed "$SEED" --output "$schema"

  # The synthetic schema must be valid, without warnings, or the numbers mean nothing.
  if ! "$MIZAN" schema validate "$schema" >"$WORK/validate.out" 2>"$WORK/validate.err"; then
    log "run.sh: the generated schema is not valid (a make-schema.py bug):"; head -20 "$WORK/validate.err" >&2; exit 65
  fi
  if grep -q 'warning:' "$WORK/validate.err"; then
    log "run.sh: the generated schema has warnings (a make-schema.py bug):"; head -20 "$WORK/validate.err" >&2; exit 65
  fi

  read -r v_med v_min v_max v_cpu < <(measure "true" "$MIZAN" schema validate "$schema")
  v_rss=$(peak_rss "$MIZAN" schema validate "$schema")
  read -r c_med c_min c_max c_cpu < <(measure "rm -rf $out" "$MIZAN" codegen --schema "$schema" --output "$out")
  rm -rf "$out"
  c_rss=$(peak_rss "$MIZAN" codegen --schema "$schema" --output "$out")
  schema_bytes=$(stat -c %s "$schema")
  out_bytes=$(find "$out" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$clients" "$types" "$schema_bytes" "$out_bytes" "$c_med" "$c_min" "$c_max" "$c_rss" \
    "$v_med" "$v_min" "$v_max" "$v_rss" "$(find "$out" -type f | wc -l)" "$c_cpu" "$v_cpu" >> "$RESULTS"
  log "$(printf '   codegen median %.3f s, peak %d MB; validate median %.3f s' "$c_med" "$((c_rss * 1024 / 1000000))" "$v_med")"
done

# tsc --strict over one output (the 5,000-client one by default).
TSC_FLAGS=(--strict --noEmit --target ES2020 --module ES2020 --moduleResolution node --lib ES2020,DOM)
TSC_RESULT="$WORK/tsc.txt"
: > "$TSC_RESULT"
if [[ -z "${NO_TSC:-}" ]] && command -v tsc >/dev/null && [[ -d "$WORK/out-$TSC_SIZE" ]]; then
  log "== tsc over the $TSC_SIZE-client output"
  set +e
  /usr/bin/time -f '%e %M' -o "$WORK/tsc.time" tsc "${TSC_FLAGS[@]}" "$WORK/out-$TSC_SIZE"/*.ts >"$WORK/tsc.out" 2>&1
  tsc_rc=$?
  set -e
  read -r tsc_wall tsc_rss < <(tail -n1 "$WORK/tsc.time")
  tsc_errors=$(grep -c 'error TS' "$WORK/tsc.out" || true)
  {
    echo "size=$TSC_SIZE"; echo "rc=$tsc_rc"; echo "wall=$tsc_wall"; echo "rss=$tsc_rss"
    echo "errors=$tsc_errors"; echo "version=$(tsc --version)"
    echo "flags=${TSC_FLAGS[*]}"
    echo "first:"; { grep 'error TS' "$WORK/tsc.out" || true; } | head -10 | sed "s#$WORK/##"
  } > "$TSC_RESULT"
  log "   tsc exit $tsc_rc, $tsc_errors errors, ${tsc_wall}s"
fi

# Machine facts.
MACHINE="$WORK/machine.txt"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "swift=$(swift --version 2>&1 | head -n1)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "kernel=$(uname -sr)"
  echo "load=$LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "timer=$([[ -n "$HYPERFINE" ]] && hyperfine --version || echo "a shell loop (date +%s.%N)")"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Templates 2>/dev/null || echo ' (with uncommitted changes in Sources/ or Templates/)')"
  echo "binary=$(sha256sum "$MIZAN" | cut -c1-12)"
  echo "runs=$RUNS"
  echo "seed=$SEED"
  echo "build=${BUILD_CMD[*]}"
} > "$MACHINE"

python3 - "$RESULTS" "$MACHINE" "$TSC_RESULT" "$OUT_MD" "$SIZES" <<'PY'
import os, re, sys

results_path, machine_path, tsc_path, md_path, sizes = sys.argv[1:6]
rows = []
for line in open(results_path):
    f = line.rstrip("\n").split("\t")
    rows.append(dict(clients=int(f[0]), types=int(f[1]), schema=int(f[2]), out=int(f[3]),
                     med=float(f[4]), min=float(f[5]), max=float(f[6]), rss=int(f[7]) * 1024,
                     vmed=float(f[8]), vmin=float(f[9]), vmax=float(f[10]), vrss=int(f[11]) * 1024,
                     files=int(f[12]), cpu=float(f[13]), vcpu=float(f[14])))
machine = dict(l.rstrip("\n").split("=", 1) for l in open(machine_path) if "=" in l)
tsc = {}
tsc_first = []
if os.path.getsize(tsc_path):
    lines = open(tsc_path).read().split("\n")
    i = lines.index("first:")
    tsc = dict(l.split("=", 1) for l in lines[:i] if "=" in l)
    tsc_first = [l for l in lines[i + 1:] if l]

MB = 1e6
def mb(b): return f"{b / MB:.1f}"
def ms(s): return f"{s * 1000:,.0f} ms" if s < 10 else f"{s:.1f} s"
def span(a, b):
    if b < 10: return f"{a * 1000:,.0f}-{b * 1000:,.0f} ms"
    return f"{a:.1f}-{b:.1f} s"
def cpu(s): return "n/a" if s != s else ms(s)
def us_per_client(r, key="med"): return r[key] / r["clients"] * 1e6

out = []
w = out.append
w("## codegen")
w("")
w("`mizan codegen --schema S --output OUT` on synthetic schema-exports from "
  "`Benchmarks/codegen/make-schema.py` (seeded, deterministic: objects of 5-15 fields with every "
  "field form, enums, discriminated and plain unions, aliases, recursion; clients over ~50 "
  "namespaces with GET/POST/PUT/PATCH/DELETE, path/query/body params, public/user/session cache "
  "policies, errors, mapped/literal/\"*\" affects and branching returns). Every schema passes "
  "`mizan schema validate` with no errors and no warnings. OUT is removed before each run, so "
  "every run writes all files. `schema validate` alone is timed too, to separate "
  "read + decode + validate from translating and rendering.")
w("")
w("Target (from the requirements): 5,000 clients and 2,000 types in under 1 s with a release "
  "build, under 300 MB peak memory, on this 2-core machine; growth linear from 500 to 5,000 clients.")
w("")
w("Machine and method:")
w("")
w(f"- {machine['nproc']} cores (`nproc`), {machine['cpu']}, {machine['mem']} memory, {machine['kernel']}")
w(f"- load average (1, 5, 15 min): {machine['load']} the measurements; other work on the machine "
  "shows up as a wide min-max")
w(f"- {machine['swift']}; release binary built with `{machine['build']}`")
w(f"- commit {machine['commit']}, binary sha256 {machine['binary']}…, measured {machine['date']}")
w(f"- wall time: {machine['timer']}, {machine['runs']} runs after 1 warm-up, median with min-max; "
  "peak memory: `/usr/bin/time -v` \"Maximum resident set size\" of one further run")
w(f"- reproduce: `Benchmarks/codegen/run.sh` (sizes `SIZES=\"{sizes}\"`, `RUNS={machine['runs']}`, `SEED={machine['seed']}`)")
w("")
w("| clients | types | schema MB | output MB (files) | codegen median | min-max | CPU (user+sys) | peak RSS MB | µs / client | validate median | validate CPU | validate peak RSS MB |")
w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    w(f"| {r['clients']:,} | {r['types']:,} | {mb(r['schema'])} | {mb(r['out'])} ({r['files']}) | "
      f"{ms(r['med'])} | {span(r['min'], r['max'])} | {cpu(r['cpu'])} | {mb(r['rss'])} | {us_per_client(r):,.0f} | "
      f"{ms(r['vmed'])} | {cpu(r['vcpu'])} | {mb(r['vrss'])} |")
w("")
w("MB = 10^6 bytes. CPU = mean user + system time (the process is single-threaded, so CPU close "
  "to wall means the machine was quiet). µs / client = codegen median / clients. Output = clients.ts, index.ts, "
  "manifest.json, runtime.ts, types.ts.")
w("")

by = {r["clients"]: r for r in rows}
target = by.get(5000)
if target:
    t_ok = target["med"] < 1.0
    m_ok = target["rss"] < 300 * MB
    w(f"**5,000 clients / {target['types']:,} types: {ms(target['med'])} "
      f"({'meets' if t_ok else 'MISSES'} the 1 s target), peak {mb(target['rss'])} MB "
      f"({'meets' if m_ok else 'MISSES'} the 300 MB target).** "
      f"`schema validate` alone takes {ms(target['vmed'])}, so translating, rendering and writing take "
      f"about {ms(max(0.0, target['med'] - target['vmed']))} "
      f"({max(0.0, target['med'] - target['vmed']) / target['med'] * 100:.0f}% of the run).")
    w("")

small, big = by.get(500), by.get(5000)
if small and big:
    a, b = us_per_client(small), us_per_client(big)
    ratio = b / a
    verdict = ("linear: the time per client stays within 25%" if 0.8 <= ratio <= 1.25
               else "NOT linear: the time per client changes by more than 25%")
    va, vb = us_per_client(small, "vmed"), us_per_client(big, "vmed")
    w(f"Linearity: codegen takes {a:,.0f} µs per client at 500 clients and {b:,.0f} µs at 5,000 "
      f"(ratio {ratio:.2f}), {verdict}. `schema validate`: {va:,.0f} → {vb:,.0f} µs per client "
      f"(ratio {vb / va:.2f}).")
    if by.get(10000):
        c = us_per_client(by[10000])
        w(f"At 10,000 clients (the extra point) codegen takes {c:,.0f} µs per client, "
          f"{(c / b - 1) * 100:+.0f}% against 5,000.")
    xs = [r["clients"] for r in rows]; ys = [r["med"] for r in rows]
    if len(rows) >= 3:
        n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
        sxx = sum((x - mx) ** 2 for x in xs); sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
        slope = sxy / sxx; icpt = my - slope * mx
        ss_res = sum((y - (icpt + slope * x)) ** 2 for x, y in zip(xs, ys))
        ss_tot = sum((y - my) ** 2 for y in ys)
        r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
        w(f"A least-squares line over all sizes: {ms(icpt) if icpt >= 0 else '-' + ms(-icpt)} + "
          f"{slope * 1e6:,.0f} µs × clients, R² = {r2:.4f}.")
    w("")

if tsc:
    ok = tsc.get("rc") == "0" and tsc.get("errors") == "0"
    w(f"Type check: `tsc {tsc['flags']}` ({tsc['version']}) over the {int(tsc['size']):,}-client output "
      f"{'passes with no errors' if ok else 'FAILS with ' + tsc['errors'] + ' errors'}; "
      f"tsc takes {float(tsc['wall']):.1f} s and {int(tsc['rss']) * 1024 / MB:,.0f} MB.")
    if not ok and tsc_first:
        w("")
        w("First errors:")
        w("")
        w("```")
        out.extend(tsc_first)
        w("```")
    w("")

sys.path.insert(0, "Benchmarks")  # the scripts run from the repository root
from markdown_section import replace_section
replace_section(md_path, "codegen", "\n".join(out))
PY
log "wrote the codegen section of $OUT_MD"
