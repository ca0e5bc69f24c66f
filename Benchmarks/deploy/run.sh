#!/usr/bin/env bash
# Deploy benchmark (issue 7): `mizan deploy` of a generated bundle — FILES files, MB megabytes in
# all — to a release `mizan dev` on loopback (which serves the Render API), then the same bundle
# again (nothing to upload), then a bundle four times as big, to show peak memory does not grow
# with the bundle (files are hashed and uploaded streaming). Writes the "## deploy" section of
# BENCHMARKS.md (other sections kept).
#
#   Benchmarks/deploy/run.sh                  # 1,000 files, 50 MB
#   FILES=200 MB=10 Benchmarks/deploy/run.sh
#   NO_BUILD=1 Benchmarks/deploy/run.sh       # use the existing release binary
#   ROUNDS=1 Benchmarks/deploy/run.sh         # one round instead of three
#
# Needs: swift, python3, /usr/bin/time (Debian package `time`). Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
FILES="${FILES:-1000}"
MB="${MB:-50}"
SCRATCH="${SCRATCH:-.build-release}"
OUT_MD="${OUT_MD:-$ROOT/BENCHMARKS.md}"
PORT="${PORT:-4790}"
log() { printf '%s\n' "$*" >&2; }
[[ -x /usr/bin/time ]] || { log "run.sh: /usr/bin/time is missing; install it with: apt-get install -y time"; exit 69; }

source "$ROOT/Benchmarks/lib.sh"
build_release_mizan
wait_for_quiet_machine
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mizan-bench-deploy.XXXXXX")"
DEV_PID=""
cleanup() { [[ -n "$DEV_PID" ]] && kill "$DEV_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
MIZAN="$WORK/mizan"
cp "$BUILT" "$MIZAN"

# A project whose bundle is FILES files of random bytes (MB in all), plus the bookshop manifest.
make_project() {
  local dir="$1" files="$2" mb="$3"
  mkdir -p "$dir/dist/worker" "$dir/public"
  (cd "$dir" && "$MIZAN" codegen --schema "$ROOT/Examples/bookshop/mizan-schema.json" --output generated >/dev/null)
  python3 - "$dir/dist/worker" "$files" "$mb" <<'PY'
import os, sys
folder, files, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = mb * 1_000_000 // files
for i in range(files):
    sub = os.path.join(folder, f"chunk{i // 100:02d}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"part{i:05d}.js"), "wb") as f:
        f.write(os.urandom(size))
PY
  cat > "$dir/mizan.toml" <<TOML
[render]
project = "bench"
url = "http://127.0.0.1:$PORT"
TOML
}

SERVER="$WORK/server"
mkdir -p "$SERVER"
(cd "$SERVER" && "$MIZAN" codegen --schema "$ROOT/Examples/bookshop/mizan-schema.json" --output generated >/dev/null)
SERVER_PEAK_KB=0
# A server with no deployments and no blobs, so that each round's first deploy uploads everything.
# `exec`, so that DEV_PID is the server's own process (its peak memory is read when it stops).
start_server() {
  rm -rf "$SERVER/.mizan/render"
  : > "$WORK/dev.err"
  (cd "$SERVER" && MIZAN_SECRET=bench-secret-0123456789 MIZAN_TOKEN=bench exec "$MIZAN" dev --port "$PORT" --manifest generated/manifest.json \
     --upstream http://127.0.0.1:9 >/dev/null 2>"$WORK/dev.err") &
  DEV_PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$WORK/dev.err" 2>/dev/null && break; sleep 0.1; done
}
stop_server() {
  local peak
  peak="$(awk '/^VmHWM:/ {print $2}' "/proc/$DEV_PID/status")"
  (( peak > SERVER_PEAK_KB )) && SERVER_PEAK_KB="$peak"
  kill "$DEV_PID"; wait "$DEV_PID" 2>/dev/null || true
  DEV_PID=""
}

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# One deploy: wall seconds, peak RSS KiB, uploaded files and bytes.
deploy() {
  local name="$1" dir="$2"
  local start end
  start="$(date +%s.%N)"
  (cd "$dir" && MIZAN_TOKEN=bench /usr/bin/time -f '%M' -o "$WORK/rss-$name" "$MIZAN" deploy --json >"$WORK/out-$name.json" 2>"$WORK/err-$name")
  end="$(date +%s.%N)"
  python3 - "$name" "$start" "$end" "$WORK/rss-$name" "$WORK/out-$name.json" "$(find "$dir/dist" -type f | wc -l)" "$(du -sb "$dir/dist" | cut -f1)" >> "$RESULTS" <<'PY'
import json, sys
name, start, end, rss, out, files, size = sys.argv[1:]
r = json.load(open(out))
print(name, f"{float(end) - float(start):.3f}", open(rss).read().split()[-1], files, size,
      r["uploaded"]["files"], r["uploaded"]["bytes"], r["skipped"]["files"], sep="\t")
PY
  log "$name: $(tail -n1 "$RESULTS")"
}

make_project "$WORK/small" "$FILES" "$MB"
make_project "$WORK/big" "$FILES" $((MB * 4))
ROUNDS="${ROUNDS:-3}"
for round in $(seq "$ROUNDS"); do
  start_server
  deploy "first deploy" "$WORK/small"
  deploy "re-deploy, no change" "$WORK/small"
  deploy "first deploy, 4x bytes" "$WORK/big"
  deploy "re-deploy, no change, 4x bytes" "$WORK/big"
  if (( round == ROUNDS )); then
    # For scale: the peak of one small API call (`mizan deploy ls`), the floor of any deploy.
    (cd "$WORK/small" && MIZAN_TOKEN=bench /usr/bin/time -f '%M' -o "$WORK/rss-ls" "$MIZAN" deploy ls >/dev/null 2>&1)
    BASELINE_KB="$(tail -n1 "$WORK/rss-ls")"
  fi
  stop_server
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr); load average (1, 5, 15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
python3 - "$RESULTS" "$MACHINE" "$FILES" "$MB" "$OUT_MD" "$SERVER_PEAK_KB" "$BASELINE_KB" "$ROUNDS" <<'PY'
import re, statistics, sys
results, machine, files, mb, out_md, server_peak_kb, baseline_kb, rounds = sys.argv[1:]
runs = [l.rstrip("\n").split("\t") for l in open(results) if l.strip()]
# One row per kind of run: the median wall time (and the range), the highest peak memory.
rows = []
for name in dict.fromkeys(r[0] for r in runs):
    same = [r for r in runs if r[0] == name]
    walls = sorted(float(r[1]) for r in same)
    wall = f"{statistics.median(walls):.2f} s" + (f" ({walls[0]:.2f}–{walls[-1]:.2f})" if len(walls) > 1 else "")
    first = same[0]
    rows.append((name, wall, str(max(int(r[2]) for r in same)), *first[3:]))
lines = ["## deploy", "",
         f"`mizan deploy` of a generated bundle ({files} files of random bytes plus the bookshop manifest) to a release "
         "`mizan dev` on 127.0.0.1, which serves the Render API: hash every file (streamed), create the deployment, upload "
         "the missing blobs (4 in parallel, through libcurl's multi interface, each streamed from disk), finalize, poll "
         "until live.", "",
         f"Machine: {machine}.", "",
         "Command: `Benchmarks/deploy/run.sh` (FILES and MB set the bundle).", "",
         f"Each row: {rounds} rounds, each against a fresh server; wall is the median (range), memory the highest.", "",
         "| run | bundle | uploaded | wall | peak memory of `mizan deploy` |", "|---|---|---|---|---|"]
for name, wall, rss, nfiles, size, up_files, up_bytes, skipped in rows:
    lines.append(f"| {name} | {nfiles} files, {int(size)/1e6:.0f} MB | {up_files} files, {int(up_bytes)/1e6:.1f} MB "
                 f"({skipped} already there) | {wall} | {int(rss)/1024:.0f} MB |")
lines += ["", "Peak memory is that of the `mizan deploy` process (`/usr/bin/time -f %M`, resident set); the 4x rows show "
          "whether it grows with the bundle's bytes. For scale, `mizan deploy ls` (one small API call) peaks at "
          f"{int(baseline_kb)/1024:.0f} MB. Wall time includes hashing every file, which the re-deploys do too. "
          f"The `mizan dev` server is a separate process (its highest peak in a round: {int(server_peak_kb)/1024:.0f} MB); "
          "it writes every blob to disk, on the same 2 cores. The load average above is other work on the machine (builds)."]
section = "\n".join(lines) + "\n"
sys.path.insert(0, "Benchmarks")  # the scripts run from the repository root
from markdown_section import replace_section
replace_section(out_md, "deploy", section)
PY
log "wrote the deploy section of $OUT_MD"
