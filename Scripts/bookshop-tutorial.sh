#!/usr/bin/env bash
# Runs the README's bookshop tutorial as written: the ```sh blocks between <!-- tutorial:start -->
# and <!-- tutorial:end -->, in order, in one shell, in a copy of Examples/bookshop whose
# ../../.build is this repository's. Ports 8000 and 4000 become free ones (MIZAN_DEV_PORT and
# MIZAN_DEV_UPSTREAM override mizan.toml the way the README says). A block followed by a plain
# ``` block must print exactly that (ttl values aside). Whatever the tutorial started is stopped.
#   Scripts/bookshop-tutorial.sh        (after `make build`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "bookshop-tutorial: $*" >&2; }
[ -x "$root/.build/debug/mizan" ] || { say "error: build mizan first (make build)"; exit 64; }

work="$(mktemp -d "${TMPDIR:-/tmp}/mizan-tutorial.XXXXXX")"
group=""
cleanup() {
  local status=$?
  # The tutorial ran in a process group of its own: stop whatever of it is still running.
  [ -n "$group" ] && kill -- "-$group" 2>/dev/null || true
  [ "$status" -ne 0 ] && [ -f "$work/run.log" ] && { say "its output:"; tail -30 "$work/run.log" >&2; }
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/clone"
(cd "$root" && git ls-files -z Examples/bookshop | xargs -0 cp --parents -t "$work/clone")
ln -s "$root/.build" "$work/clone/.build"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
django_port="$(free_port)"
dev_port="$(free_port)"

# README → tutorial.sh (each block's stdout into out-N.txt) and expect-N.txt.
python3 - "$root/README.md" "$work" "$django_port" "$dev_port" <<'PY'
import re, sys
readme, work, django_port, dev_port = sys.argv[1:]
text = open(readme).read()
start, end = text.index("<!-- tutorial:start"), text.index("<!-- tutorial:end -->")
blocks = re.findall(r"^```(\w*)\n(.*?)^```$", text[start:end], re.S | re.M)
script = ["set -euo pipefail"]
n = 0
for index, (lang, body) in enumerate(blocks):
    if lang != "sh":
        continue
    n += 1
    body = body.replace(":8000", ":" + django_port).replace(":4000", ":" + dev_port)
    script += [f"echo '--- block {n}' >&2", "{", body.rstrip("\n"), f"}} > {work}/out-{n}.txt"]
    if index + 1 < len(blocks) and blocks[index + 1][0] == "":
        open(f"{work}/expect-{n}.txt", "w").write(blocks[index + 1][1])
open(f"{work}/tutorial.sh", "w").write("\n".join(script) + "\n")

PY

say "running the README tutorial (Django on :$django_port, mizan dev on :$dev_port)"
export MIZAN_DEV_PORT="$dev_port" MIZAN_DEV_UPSTREAM="http://127.0.0.1:$django_port" PYTHONDONTWRITEBYTECODE=1
(cd "$work/clone" && exec setsid bash "$work/tutorial.sh") > "$work/run.log" 2>&1 &
group=$!
wait "$group" || { say "a tutorial command failed"; exit 1; }
group=""

failed=0
for expect in "$work"/expect-*.txt; do
  n="${expect##*/expect-}"; n="${n%.txt}"
  if ! diff -u <(sed -E 's/ttl=[0-9-]+/ttl=N/g' "$expect") <(sed -E 's/ttl=[0-9-]+/ttl=N/g; s/\r$//' "$work/out-$n.txt") >&2; then
    say "block $n printed something else than the README shows"; failed=1
  fi
done
[ "$failed" -eq 0 ] && say "ok: every command ran, every output shown matched"
exit "$failed"
