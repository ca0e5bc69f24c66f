# Shared by the benchmark scripts (sourced, not run). Expects SCRATCH and a `log` function.

# Builds the release binary in its own scratch path (unless NO_BUILD is set), so it does not
# contend with the debug build's lock; sets BUILD_CMD and BUILT (the binary's path).
build_release_mizan() {
  BUILD_CMD=(swift build -c release --scratch-path "$SCRATCH" --product mizan)
  if [[ -z "${NO_BUILD:-}" ]]; then
    log "building: ${BUILD_CMD[*]}"
    "${BUILD_CMD[@]}" >&2
  fi
  BUILT="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/mizan"
  [[ -x "$BUILT" ]] || { log "run.sh: no release binary at $BUILT"; exit 69; }
}

# Waits (up to QUIET_WAIT seconds) for the 1-minute load average to fall below QUIET_LOAD: builds
# and tests running beside a benchmark on 2 cores would be measured too. Sets LOAD_BEFORE.
wait_for_quiet_machine() {
  QUIET_LOAD="${QUIET_LOAD:-1.0}"
  QUIET_WAIT="${QUIET_WAIT:-300}"
  local waited=0
  while python3 -c "import sys; sys.exit(0 if float(open('/proc/loadavg').read().split()[0]) > $QUIET_LOAD else 1)" \
        && (( waited < QUIET_WAIT )); do
    (( waited == 0 )) && log "waiting for the 1-minute load average to fall below $QUIET_LOAD (up to ${QUIET_WAIT}s)"
    sleep 10; waited=$((waited + 10))
  done
  LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
}
