#!/usr/bin/env bash
# OpenAPI benchmark (issue 3): `mizan codegen` against openapi-generator-cli's `typescript-fetch`
# generator on the OpenAI description, in one run of this script: wall time of each, the ratio,
# peak memory of each, tsc --strict over both outputs. Writes the "## openapi" section of
# BENCHMARKS.md (other sections kept).
#
#   Benchmarks/openapi/run.sh             # everything
#   RUNS=10 OAG_RUNS=5 Benchmarks/openapi/run.sh
#   NO_TSC=1 Benchmarks/openapi/run.sh    # skip the tsc check
#   NO_BUILD=1 Benchmarks/openapi/run.sh  # use the existing release binary
#   CORPUS=/elsewhere Benchmarks/openapi/run.sh
#
# Settings (environment): CORPUS (folder holding the description, /work/shared/corpus), SPEC
# (the description, $CORPUS/openai-openapi.yaml), RUNS (timed runs of mizan, 5), OAG_RUNS (timed
# runs of the generator, 3), WARMUP / OAG_WARMUP (hyperfine warm-ups, 1 / 0: each command's
# peak-memory run comes first and already warms the file cache; a JVM keeps nothing between
# processes), VENV (.venv-bench), OAG_VERSION (the PyPI version installed into a new venv, 7.26.0;
# empty for the newest), OAG_FLAGS (extra generator flags, "--skip-validate-spec"), MIZAN_FLAGS
# (extra mizan flags, none), SCRATCH (release scratch path, .build-release), OUT_MD (the Markdown
# file), QUIET_LOAD and QUIET_WAIT (wait up to QUIET_WAIT s for the 1-minute load average to fall
# below QUIET_LOAD).
#
# Measured, each run on a fresh output folder (hyperfine --prepare removes it):
#   mizan codegen --schema SPEC --output OUT
#   openapi-generator-cli generate -g typescript-fetch -i SPEC -o OUT --skip-validate-spec
# A command that exits non-zero is not timed; the table says "failed (exit N): <first stderr
# line>" and the script goes on (mizan cannot read OpenAPI until the importer lands).
#
# Needs: swift, python3, Java 17 (`java` on PATH; the generator's PyPI wrapper runs its bundled
# jar with it), hyperfine, /usr/bin/time (Debian package `time`); tsc for the type check. The
# generator is installed from PyPI into $VENV (git-ignored) when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CORPUS="${CORPUS:-/work/shared/corpus}"
SPEC="${SPEC:-$CORPUS/openai-openapi.yaml}"
RUNS="${RUNS:-5}"
OAG_RUNS="${OAG_RUNS:-3}"
WARMUP="${WARMUP:-1}"
OAG_WARMUP="${OAG_WARMUP:-0}"
VENV="${VENV:-$ROOT/.venv-bench}"
OAG_VERSION="${OAG_VERSION-7.26.0}"
OAG_FLAGS="${OAG_FLAGS---skip-validate-spec}"
MIZAN_FLAGS="${MIZAN_FLAGS:-}"
SCRATCH="${SCRATCH:-.build-release}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"
TSC_FLAGS=(--strict --noEmit --target ES2020 --module ES2020 --moduleResolution node --lib ES2020,DOM)

log() { printf '%s\n' "$*" >&2; }

# 0. Without the corpus there is nothing to measure: skip, successfully.
if [[ ! -d "$CORPUS" || ! -f "$SPEC" ]]; then
  echo "SKIP: Benchmarks/openapi/run.sh: no OpenAPI description at $SPEC (set CORPUS or SPEC); nothing measured"
  exit 0
fi
if [[ ! -x /usr/bin/time ]]; then
  log "run.sh: /usr/bin/time is missing; install it with: apt-get install -y time"
  exit 69
fi
command -v hyperfine >/dev/null || { log "run.sh: hyperfine is missing; install it with: apt-get install -y hyperfine"; exit 69; }
command -v java >/dev/null || { log "run.sh: java is missing (openapi-generator needs Java 11+; this machine has 17)"; exit 69; }

# 1. openapi-generator-cli from PyPI, in its own venv (it bundles the jar and runs it on `java`).
OAG="$VENV/bin/openapi-generator-cli"
if [[ ! -x "$OAG" ]]; then
  log "installing openapi-generator-cli${OAG_VERSION:+==$OAG_VERSION} into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "openapi-generator-cli${OAG_VERSION:+==$OAG_VERSION}" >&2
fi
OAG_PIP_VERSION="$("$VENV/bin/pip" show openapi-generator-cli 2>/dev/null | awk '/^Version:/ {print $2}')"
OAG_JAR_VERSION="$("$OAG" version 2>/dev/null | tail -n1)"
JAVA_VERSION="$(java -version 2>&1 | head -n1)"
log "openapi-generator-cli $OAG_PIP_VERSION (jar $OAG_JAR_VERSION), $JAVA_VERSION"

# 2. Release build, then wait for a quiet machine (Benchmarks/lib.sh).
source "$ROOT/Benchmarks/lib.sh"
build_release_mizan
wait_for_quiet_machine
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bench-openapi.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# Measure a private copy, so a rebuild of the scratch path during the run cannot swap binaries.
MIZAN="$WORK/mizan"
cp "$BUILT" "$MIZAN"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

# The commands, as words; OUT is substituted per use.
# shellcheck disable=SC2206
mizan_cmd() { local out="$1"; CMD=("$MIZAN" codegen --schema "$SPEC" --output "$out" $MIZAN_FLAGS); }
# shellcheck disable=SC2206
oag_cmd() { local out="$1"; CMD=("$OAG" generate -g typescript-fetch -i "$SPEC" -o "$out" $OAG_FLAGS); }

# One tool: a peak-memory run first (it also checks that the command succeeds and leaves the
# output for tsc), then hyperfine on fresh output folders. Appends one line to RESULTS:
# name, status, median, min, max, cpu, rss KiB, files, bytes, runs, the command shown.
bench() {
  local name="$1" cmdfn="$2" runs="$3" warmup="$4"
  local out="$WORK/out-$name" timed="$WORK/timed-$name" rc
  "$cmdfn" "$out"
  local shown
  shown="$(printf '%s ' "${CMD[@]}" | sed -e "s#$MIZAN#mizan#; s#$OAG#openapi-generator-cli#; s#$SPEC#SPEC#; s#$out#OUT#; s# \$##")"
  log "== $name: $shown"
  rm -rf "$out"
  set +e
  /usr/bin/time -f '%M' -o "$WORK/rss-$name" "${CMD[@]}" >"$WORK/log-$name.out" 2>"$WORK/log-$name.err"
  rc=$?
  set -e
  if (( rc != 0 )); then
    local first
    first="$(grep -m1 -v '^[[:space:]]*$' "$WORK/log-$name.err" || true)"
    [[ -z "$first" ]] && first="$(grep -m1 -v '^[[:space:]]*$' "$WORK/log-$name.out" || true)"
    first="$(printf '%s' "$first" | sed -e "s#$SPEC#SPEC#g" | tr '\t' ' ' | cut -c1-200)"
    log "   $name: failed (exit $rc): $first"
    printf '%s\tfailed (exit %s): %s\t\t\t\t\t\t\t\t%s\t%s\n' "$name" "$rc" "$first" "$runs" "$shown" >> "$RESULTS"
    rm -rf "$out"
    return 0
  fi
  local rss files bytes
  rss="$(tail -n1 "$WORK/rss-$name")"
  files="$(find "$out" -type f | wc -l)"
  bytes="$(find "$out" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
  "$cmdfn" "$timed"
  if ! hyperfine --style none --warmup "$warmup" --runs "$runs" -N --prepare "rm -rf $timed" \
        --export-json "$WORK/hf-$name.json" -- "${CMD[*]}" >/dev/null 2>"$WORK/hf-$name.err"; then
    local first
    first="$(grep -m1 -v '^[[:space:]]*$' "$WORK/hf-$name.err" | cut -c1-200 || true)"
    log "   $name: hyperfine failed: $first"
    printf '%s\tfailed under hyperfine: %s\t\t\t\t\t%s\t%s\t%s\t%s\t%s\n' "$name" "$first" "$rss" "$files" "$bytes" "$runs" "$shown" >> "$RESULTS"
    return 0
  fi
  rm -rf "$timed"
  local stats
  stats="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["min"], r["max"], r["user"] + r["system"], sep="\t")' "$WORK/hf-$name.json")"
  printf '%s\tok\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$stats" "$rss" "$files" "$bytes" "$runs" "$shown" >> "$RESULTS"
  log "$(printf '   median %.3f s, peak %d MB, %d files' "$(cut -f1 <<<"$stats")" "$((rss * 1024 / 1000000))" "$files")"
}

bench mizan mizan_cmd "$RUNS" "$WARMUP"
bench openapi-generator oag_cmd "$OAG_RUNS" "$OAG_WARMUP"

# Why --skip-validate-spec: the generator's own validation of the description, once, not timed.
VALIDATION="$WORK/validate.txt"
: > "$VALIDATION"
if [[ " $OAG_FLAGS " == *" --skip-validate-spec "* ]]; then
  log "== openapi-generator-cli validate (why --skip-validate-spec)"
  set +e
  "$OAG" validate -i "$SPEC" >"$WORK/validate.out" 2>&1
  echo "rc=$?" > "$VALIDATION"
  set -e
  python3 - "$WORK/validate.out" >> "$VALIDATION" <<'PY'
import sys
errors, warnings, section, cur = [], [], None, None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    s = line.strip()
    if s.startswith("Errors:"): section = errors; continue
    if s.startswith("Warnings:"): section = warnings; continue
    if section is None: continue
    if s.startswith("- "): section.append(s[2:]); continue
    if s and section and line[:1] in " \t": section[-1] += " " + s
print(f"errors={len(errors)}")
print(f"warnings={len(warnings)}")
if errors: print("first=" + errors[0])
PY
fi

# tsc --strict over both outputs (every .ts file each wrote).
TSC_RESULT="$WORK/tsc.tsv"
: > "$TSC_RESULT"
if [[ -z "${NO_TSC:-}" ]] && command -v tsc >/dev/null; then
  for name in mizan openapi-generator; do
    out="$WORK/out-$name"
    [[ -d "$out" ]] || continue
    mapfile -t tsfiles < <(find "$out" -name '*.ts' | sort)
    (( ${#tsfiles[@]} )) || { printf '%s\t-\t0\t0\t0\t0\t(no .ts files)\n' "$name" >> "$TSC_RESULT"; continue; }
    log "== tsc over the $name output (${#tsfiles[@]} .ts files)"
    set +e
    (cd "$out" && /usr/bin/time -f '%e %M' -o "$WORK/tsc.time" tsc "${TSC_FLAGS[@]}" "${tsfiles[@]#"$out"/}" >"$WORK/tsc-$name.out" 2>&1)
    tsc_rc=$?
    set -e
    read -r tsc_wall tsc_rss < <(tail -n1 "$WORK/tsc.time")
    tsc_errors=$(grep -c 'error TS' "$WORK/tsc-$name.out" || true)
    codes=$(grep -o 'error TS[0-9]*' "$WORK/tsc-$name.out" | sort | uniq -c | sort -rn | awk '{printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $3}' || true)
    first=$({ grep -m1 'error TS' "$WORK/tsc-$name.out" || true; } | cut -c1-200)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tsc_rc" "$tsc_errors" "$tsc_wall" "$tsc_rss" "${#tsfiles[@]}" "$codes" "$first" >> "$TSC_RESULT"
    log "   tsc exit $tsc_rc, $tsc_errors errors, ${tsc_wall}s"
  done
fi

# Machine facts and the description's shape.
MACHINE="$WORK/machine.txt"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "swift=$(swift --version 2>&1 | head -n1)"
  echo "java=$JAVA_VERSION"
  echo "java_opts=${JAVA_OPTS:-}"
  echo "oag_pip=$OAG_PIP_VERSION"
  echo "oag_jar=$OAG_JAR_VERSION"
  echo "oag_flags=$OAG_FLAGS"
  echo "venv=${VENV#"$ROOT"/}"
  echo "tsc=$(command -v tsc >/dev/null && tsc --version || echo none)"
  echo "tsc_flags=${TSC_FLAGS[*]}"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "kernel=$(uname -sr)"
  echo "load=$LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  echo "timer=$(hyperfine --version)"
  echo "commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Templates 2>/dev/null || echo ' (with uncommitted changes in Sources/ or Templates/)')"
  echo "binary=$(sha256sum "$MIZAN" | cut -c1-12)"
  echo "runs=$RUNS"
  echo "oag_runs=$OAG_RUNS"
  echo "warmup=$WARMUP"
  echo "oag_warmup=$OAG_WARMUP"
  echo "build=${BUILD_CMD[*]}"
  echo "spec=$SPEC"
  echo "spec_name=$(basename "$SPEC")"
  echo "spec_bytes=$(stat -c %s "$SPEC")"
  echo "spec_sha=$(sha256sum "$SPEC" | cut -c1-12)"
  python3 - "$SPEC" <<'PY' || true
import sys
try:
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(sys.argv[1]) as f:
        d = yaml.load(f, Loader=loader) if not sys.argv[1].endswith(".json") else __import__("json").load(f)
except Exception as e:  # no PyYAML, or an unreadable file: the shape is optional
    sys.exit(0)
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
paths = d.get("paths") or {}
print(f"spec_openapi={d.get('openapi', '?')}")
print(f"spec_title={(d.get('info') or {}).get('title', '?')} {(d.get('info') or {}).get('version', '')}".rstrip())
print(f"spec_paths={len(paths)}")
print(f"spec_ops={sum(1 for p in paths.values() if isinstance(p, dict) for m in p if m in methods)}")
print(f"spec_schemas={len(((d.get('components') or {}).get('schemas')) or {})}")
PY
} > "$MACHINE"

python3 - "$RESULTS" "$MACHINE" "$TSC_RESULT" "$VALIDATION" "$OUT_MD" <<'PY'
import os, re, sys

results_path, machine_path, tsc_path, validation_path, md_path = sys.argv[1:6]
rows = {}
for line in open(results_path):
    f = line.rstrip("\n").split("\t")
    r = dict(name=f[0], status=f[1], runs=f[9], cmd=f[10])
    r["ok"] = f[1] == "ok"
    if r["ok"]:
        r.update(med=float(f[2]), min=float(f[3]), max=float(f[4]), cpu=float(f[5]))
    r["rss"] = int(f[6]) * 1024 if f[6] else None
    r["files"] = int(f[7]) if f[7] else None
    r["bytes"] = int(f[8]) if f[8] else None
    rows[f[0]] = r
machine = dict(l.rstrip("\n").split("=", 1) for l in open(machine_path) if "=" in l)
tsc = {}
for line in open(tsc_path):
    f = line.rstrip("\n").split("\t")
    tsc[f[0]] = dict(rc=f[1], errors=int(f[2]), wall=float(f[3]), rss=int(f[4]) * 1024, files=int(f[5]),
                     codes=f[6], first=f[7] if len(f) > 7 else "")
validation = dict(l.rstrip("\n").split("=", 1) for l in open(validation_path) if "=" in l)

MB = 1e6
def mb(b): return f"{b / MB:,.1f}"
def ms(s): return f"{s * 1000:,.0f} ms" if s < 10 else f"{s:.1f} s"
def span(a, b):
    if b < 10: return f"{a * 1000:,.0f}-{b * 1000:,.0f} ms"
    return f"{a:.1f}-{b:.1f} s"
def md_code(s): return "`" + s.replace("`", "'") + "`"

mz, og = rows.get("mizan"), rows.get("openapi-generator")
out = []
w = out.append
w("## openapi")
w("")
shape = ""
if "spec_paths" in machine:
    shape = (f", OpenAPI {machine['spec_openapi']}, {machine['spec_title']}: {int(machine['spec_paths']):,} paths, "
             f"{int(machine['spec_ops']):,} operations, {int(machine['spec_schemas']):,} component schemas")
w(f"`mizan codegen` against openapi-generator's `typescript-fetch` generator on the OpenAI description "
  f"(`{machine['spec_name']}`, {mb(int(machine['spec_bytes']))} MB, sha256 {machine['spec_sha']}…{shape}), "
  "measured in one run of the script, one after the other on the same machine. Each run writes "
  "into a fresh output folder (hyperfine `--prepare` removes it).")
w("")
w("Target (issue 3): mizan at least 20× faster than openapi-generator, under 0.5 s and under 300 MB "
  "peak memory.")
w("")
w("Commands (SPEC = the description, OUT = the output folder):")
w("")
for r in (mz, og):
    if r: w(f"- {r['name']}: `{r['cmd']}`")
w("")
oag_flags = machine.get("oag_flags", "")
if "--skip-validate-spec" in oag_flags.split():
    why = "without it openapi-generator stops at its own validation of the description"
    if validation.get("errors"):
        why += (f" (`openapi-generator-cli validate`: {validation['errors']} errors, {validation['warnings']} warnings; "
                f"the first: \"{validation.get('first', '')[:160]}\")")
    w(f"Generator flags: `{oag_flags}` — {why}; no other flags, so `typescript-fetch` runs with its defaults "
      "(models, APIs, runtime and Markdown docs).")
    w("")
elif oag_flags:
    w(f"Generator flags: `{oag_flags}`.")
    w("")
w("Machine and method:")
w("")
w(f"- {machine['nproc']} cores (`nproc`), {machine['cpu']}, {machine['mem']} memory, {machine['kernel']}")
w(f"- load average (1, 5, 15 min): {machine['load']} the measurements; other work on the machine "
  "shows up as a wide min-max")
w(f"- {machine['swift']}; release binary built with `{machine['build']}`, copied to a temporary folder before timing")
w(f"- commit {machine['commit']}, binary sha256 {machine['binary']}…, measured {machine['date']}")
jo = f", `JAVA_OPTS={machine['java_opts']}`" if machine.get("java_opts") else " (no `JAVA_OPTS`: the JVM's default heap limit)"
w(f"- openapi-generator-cli {machine['oag_pip']} from PyPI (jar {machine['oag_jar']}) in `{machine['venv']}`, "
  f"run through its Python wrapper on {machine['java']}{jo}")
def warm(n): return f"{n} warm-up" + ("" if n == "1" else "s")
w(f"- wall time: {machine['timer']}, median with min-max; mizan {machine['runs']} runs after {warm(machine['warmup'])}, "
  f"openapi-generator {machine['oag_runs']} runs after {warm(machine['oag_warmup'])}; before the timed runs "
  "each command runs once under `/usr/bin/time -v` for its peak memory (\"Maximum resident set size\"; for the "
  "generator, the JVM child of the wrapper), which also checks it succeeds and warms the file cache")
w(f"- reproduce: `Benchmarks/openapi/run.sh` (`RUNS={machine['runs']} OAG_RUNS={machine['oag_runs']}`; "
  "`NO_BUILD=1` to reuse the release binary, `NO_TSC=1` to skip tsc)")
w("")
w("| tool | median | min-max | CPU (user+sys) | peak RSS MB | output MB (files) | tsc --strict |")
w("|---|---:|---:|---:|---:|---:|---|")
for r in (mz, og):
    if not r: continue
    t = tsc.get(r["name"])
    tcell = "not run"
    if t:
        tcell = "passes" if t["rc"] == "0" and t["errors"] == 0 else f"FAILS: {t['errors']:,} errors"
    outcell = f"{mb(r['bytes'])} ({r['files']:,})" if r["bytes"] is not None else "—"
    rsscell = mb(r["rss"]) if r["rss"] is not None else "—"
    if r["ok"]:
        w(f"| {r['name']} | {ms(r['med'])} | {span(r['min'], r['max'])} | {ms(r['cpu'])} | {rsscell} | {outcell} | {tcell} |")
    else:
        w(f"| {r['name']} | {r['name']}: {r['status'].replace('|', '/')} | — | — | {rsscell} | {outcell} | {tcell} |")
w("")
w("MB = 10^6 bytes. CPU = mean user + system time of the process and its children; the JVM uses "
  "both cores, so its CPU exceeds its wall time. Peak RSS is one run; the JVM's varies from run to run "
  "(garbage-collection timing under the default heap limit, a quarter of the memory).")
w("")

both = mz and og and mz["ok"] and og["ok"]
if both:
    ratio = og["med"] / mz["med"]
    cpu_ratio = og["cpu"] / mz["cpu"] if mz["cpu"] > 0 else float("inf")
    r_ok, t_ok, m_ok = ratio >= 20, mz["med"] < 0.5, mz["rss"] < 300 * MB
    w(f"**Ratio: mizan is {ratio:,.1f}× faster than openapi-generator** (median wall time "
      f"{ms(og['med'])} / {ms(mz['med'])}; {cpu_ratio:,.1f}× in CPU time), and uses "
      f"{og['rss'] / mz['rss']:,.1f}× less peak memory.")
    w("")
    w("Against the targets:")
    w("")
    w(f"- at least 20× faster: {ratio:,.1f}× — {'**pass**' if r_ok else '**FAIL**'}")
    w(f"- under 0.5 s: {ms(mz['med'])} — {'**pass**' if t_ok else '**FAIL**'}")
    w(f"- under 300 MB: {mb(mz['rss'])} MB — {'**pass**' if m_ok else '**FAIL**'}")
else:
    why = []
    for r in (mz, og):
        if r and not r["ok"]: why.append(f"{r['name']} {r['status']}")
    w(f"**Ratio: not measured** ({'; '.join(why) or 'a measurement is missing'}).")
    w("")
    w("Against the targets: **FAIL** — at least 20× faster, under 0.5 s and under 300 MB cannot be "
      "shown until both commands succeed.")
w("")

if tsc:
    w(f"Type check: `tsc {machine['tsc_flags']}` ({machine['tsc']}) over every `.ts` file of each output:")
    w("")
    for name in ("mizan", "openapi-generator"):
        t = tsc.get(name)
        if not t: continue
        ok = t["rc"] == "0" and t["errors"] == 0
        line = (f"- {name}: {t['files']:,} files, {'passes with no errors' if ok else 'FAILS with ' + format(t['errors'], ',') + ' errors'}"
                f"{' (' + t['codes'] + ')' if t['codes'] else ''}; tsc takes {t['wall']:.1f} s and {t['rss'] / MB:,.0f} MB")
        if not ok and t["first"]:
            line += f"; first: `{t['first'].replace('`', chr(39))}`"
        w(line)
    w("")

section = "\n".join(out).rstrip("\n") + "\n"
sys.path.insert(0, "Benchmarks")  # the scripts run from the repository root
from markdown_section import replace_section
replace_section(md_path, "openapi", section)
PY
log "wrote the openapi section of $OUT_MD"
