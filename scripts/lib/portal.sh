# Starts and stops the portal in the background, for tests: the frontend
# dev server and the backend (`yarn start`); with PORTAL_FRONTEND=built the
# backend alone, serving the production build of packages/app (made by
# build_frontend) through its app plugin on :7007, as deployed
# (app-config.deployed.yaml, PostgreSQL); run from the backend's production
# build with `node` when BACKEND_BUNDLE_DIR names one (backend-bundle.sh).
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
  local command=(yarn start "$@") frontend=http://localhost:3000
  local dir="$REPO_ROOT"
  if [ "${PORTAL_FRONTEND:-dev-server}" = built ]; then
    # Last, so its app.baseUrl wins over the dev server's.
    command=(yarn workspace backend start "$@" --config "$REPO_ROOT/app-config.deployed.yaml")
    frontend=http://localhost:7007
    if [ -n "${BACKEND_BUNDLE_DIR:-}" ]; then
      # From the backend's folder, as `yarn workspace backend start` runs:
      # relative paths in the config mean the same.
      dir="$REPO_ROOT/packages/backend"
      command=(env NODE_ENV=production node "$BACKEND_BUNDLE_DIR/packages/backend"
        "$@" --config "$REPO_ROOT/app-config.deployed.yaml")
    fi
  fi
  # Its own session, so stop_portal can end the whole process group.
  setsid bash -c 'cd "$0" && exec "$@"' "$dir" "${command[@]}" \
    >"$PORTAL_LOG" 2>&1 </dev/null &
  echo $! >"$PORTAL_PID_FILE"
  log "portal starting (log: test-results/portal.log)"
  local deadline=$((SECONDS + 300))
  # The frontend answers with its page (the app plugin, unlike the dev
  # server, answers 404 until it found the build).
  until curl -sf http://localhost:7007/.backstage/health/v1/readiness >/dev/null &&
    curl -sf "$frontend" | grep -q '<div id="root"'; do
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
  # SIGTERM drains: the shutdown delay, then requests in flight (a deploy's
  # push window: up to 60 s) before the process exits.
  for _ in $(seq 1 75); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -9 -- -"$pid" 2>/dev/null || true
  rm -f "$PORTAL_PID_FILE"
}

# The production build of the frontend (packages/app/dist), which the
# backend's app plugin serves with PORTAL_FRONTEND=built.
build_frontend() {
  yarn workspace app build >&2
}

restart_portal() {
  stop_portal
  start_portal_background "$@"
}
