# Starts and stops the portal (frontend dev server + backend) in the
# background, for tests.
# shellcheck shell=bash

PORTAL_LOG="$REPO_ROOT/test-results/portal.log"
PORTAL_PID_FILE="$REPO_ROOT/test-results/portal.pid"

start_portal_background() {
  mkdir -p "$REPO_ROOT/test-results"
  # Each start keeps the log of the one before (portal.1.log is the first):
  # a failure in the e2e phase is read after the later phases restarted it.
  if [ -f "$PORTAL_LOG" ]; then
    local n=1
    while [ -f "${PORTAL_LOG%.log}.$n.log" ]; do n=$((n + 1)); done
    mv "$PORTAL_LOG" "${PORTAL_LOG%.log}.$n.log"
  fi
  # Its own session, so stop_portal can end the whole process group.
  setsid bash -c 'cd "$0" && exec yarn start "$@"' "$REPO_ROOT" "$@" \
    >"$PORTAL_LOG" 2>&1 </dev/null &
  echo $! >"$PORTAL_PID_FILE"
  log "portal starting (log: test-results/portal.log)"
  local deadline=$((SECONDS + 300))
  until curl -sf http://localhost:7007/.backstage/health/v1/readiness >/dev/null &&
    curl -sf http://localhost:3000 >/dev/null; do
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$PORTAL_PID_FILE")" 2>/dev/null; then
      log "portal did not become ready; last lines of its log:"
      tail -n 40 "$PORTAL_LOG" >&2
      return 1
    fi
    sleep 2
  done
  log "portal ready after ${SECONDS}s of this script"
}

stop_portal() {
  [ -f "$PORTAL_PID_FILE" ] || return 0
  local pid
  pid="$(cat "$PORTAL_PID_FILE")"
  kill -- -"$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -9 -- -"$pid" 2>/dev/null || true
  rm -f "$PORTAL_PID_FILE"
}

restart_portal() {
  stop_portal
  start_portal_background "$@"
}
