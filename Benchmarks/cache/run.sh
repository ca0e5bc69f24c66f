#!/usr/bin/env bash
# `mizan cache ls` benchmark (issue 6): list every entry of an SQLite store of ENTRIES entries
# (1,000,000 by default) as a table, as TSV and as JSON, to show that listing streams page by page:
# peak memory must stay under 100 MB whatever the store's size. Writes the "## cache" section of
# BENCHMARKS.md (other sections kept).
#
#   Benchmarks/cache/run.sh
#   ENTRIES=200000 NO_BUILD=1 Benchmarks/cache/run.sh
#   STORE=/tmp/cache-1m.sqlite NO_BUILD=1 Benchmarks/cache/run.sh   # list a store filled before
#
# Needs: swift, python3, /usr/bin/time (Debian package `time`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ENTRIES="${ENTRIES:-1000000}"
SCRATCH="${SCRATCH:-.build-release}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"
log() { printf '%s\n' "$*" >&2; }
[[ -x /usr/bin/time ]] || { log "run.sh: /usr/bin/time is missing; install it with: apt-get install -y time"; exit 69; }

source "$ROOT/Benchmarks/lib.sh"
build_release_mizan
if [[ -z "${NO_BUILD:-}" ]]; then swift build -c release --scratch-path "$SCRATCH" --product mizan-stores-bench >&2; fi
BENCH="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/mizan-stores-bench"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bench-cache.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cp "$BUILT" "$WORK/mizan"
MIZAN="$WORK/mizan"

if [[ -n "${STORE:-}" && -f "$STORE" ]]; then
  log "listing the existing store $STORE"
  ln -s "$STORE" "$WORK/cache.sqlite"
else
  log "filling an SQLite store with $ENTRIES entries"
  "$BENCH" fill "$WORK/cache.sqlite" "$ENTRIES" >&2
fi
wait_for_quiet_machine

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
measure() {
  local name="$1"; shift
  local start end lines
  start="$(date +%s.%N)"
  (cd "$WORK" && /usr/bin/time -f '%M' -o "$WORK/rss" "$MIZAN" cache ls --store "sqlite:$WORK/cache.sqlite" "$@" > "$WORK/out")
  end="$(date +%s.%N)"
  lines="$(wc -l < "$WORK/out")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(python3 -c "print(f'{$end - $start:.2f}')")" "$(tail -n1 "$WORK/rss")" "$lines" "$(stat -c %s "$WORK/out")" >> "$RESULTS"
  log "$name: $(tail -n1 "$RESULTS")"
}
measure "table (--table)" --table
measure "TSV (a pipe)"
measure "JSON (--json)" --json

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr); load before: $LOAD_BEFORE"
python3 - "$RESULTS" "$MACHINE" "$ENTRIES" "$OUT_MD" <<'PY'
import re, sys
results, machine, entries, out_md = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
lines = ["## cache", "",
         f"`mizan cache ls` over an SQLite store of {int(entries):,} entries (release build), output to a file: "
         "entries are read 500 to a page and written as each page arrives, so memory should not grow with the store.", "",
         f"Machine: {machine}.", "", "Command: `Benchmarks/cache/run.sh` (ENTRIES sets the size).", "",
         "| format | wall | peak memory | lines | output |", "|---|---|---|---|---|"]
for name, wall, rss, nlines, size in rows:
    lines.append(f"| {name} | {wall} s | {int(rss)/1024:.0f} MB | {int(nlines):,} | {int(size)/1e6:.0f} MB |")
worst = max(int(r[2]) for r in rows) / 1024
lines += ["", f"Target: peak memory under 100 MB. Worst here: {worst:.0f} MB — {'met' if worst < 100 else 'NOT met'}."]
section = "\n".join(lines) + "\n"
sys.path.insert(0, "Benchmarks")  # the scripts run from the repository root
from markdown_section import replace_section
replace_section(out_md, "cache", section)
PY
log "wrote the cache section of $OUT_MD"
