#!/usr/bin/env bash
# Benchmark: the portal as two replicas against one, as deployed (the
# backend bundle on PostgreSQL, on the local stack): entity status p50/p95
# with the requests spread over the replicas, and how long a cluster change
# takes to reach a page's signal socket on the second replica (what is
# measured: bench/replicas.mjs). Starts its own PostgreSQL and portal
# processes and stops them at the end; the developer's portal
# (scripts/start) must not hold port 7007.
#   bench/replicas.sh          two replicas against one
#   bench/replicas.sh --heap   then, with the first replica alone, backend
#                              heap per cached object at 10,000 and 30,000
#                              Flux objects (bench/status.mjs, inspector)
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"
# shellcheck source=../scripts/lib/toolchain.sh
. scripts/lib/toolchain.sh
# shellcheck source=../scripts/lib/portal.sh
. scripts/lib/portal.sh
# shellcheck source=../scripts/lib/postgres.sh
. scripts/lib/postgres.sh
# shellcheck source=../scripts/lib/backend-bundle.sh
. scripts/lib/backend-bundle.sh
ensure_node

if curl -sf http://localhost:7007/.backstage/health/v1/readiness >/dev/null; then
  log "a portal already answers on :7007; stop it first"
  exit 1
fi
second_pid=""
cleanup() {
  [ -z "$second_pid" ] || kill -TERM -- "-$second_pid" 2>/dev/null || true
  stop_portal
  stop_test_postgres
}
trap cleanup EXIT

stack/start >&2
load_stack_env
[ -n "${BACKEND_BUNDLE_DIR:-}" ] || build_backend_bundle
export BACKEND_BUNDLE_DIR
TEST_POSTGRES_PORT=15460 start_test_postgres
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=15460 POSTGRES_USER=postgres \
  POSTGRES_PASSWORD=unused GITOPS_DATABASE_PREFIX=bench_replicas_ PORTAL_FRONTEND=built
configs=(--config "$REPO_ROOT/app-config.yaml" --config "$REPO_ROOT/app-config.stack.yaml")
# Under the inspector: bench/status.mjs reads its heap after a full GC.
NODE_OPTIONS=--inspect=127.0.0.1:9229 start_portal_background "${configs[@]}"

node bench/replicas.mjs one

# The second replica: the same bundle and configuration on :7018.
override="$REPO_ROOT/test-results/app-config.bench-replica.yaml"
printf '%s\n' 'app:' '  baseUrl: http://localhost:7018' 'backend:' \
  '  baseUrl: http://localhost:7018' "  listen: ':7018'" >"$override"
(cd packages/backend && NODE_ENV=production exec setsid node "$BACKEND_BUNDLE_DIR/packages/backend" \
  "${configs[@]}" --config "$REPO_ROOT/app-config.deployed.yaml" --config "$override" \
  >"$REPO_ROOT/test-results/bench-replica.log" 2>&1 </dev/null) &
second_pid=$!
for _ in $(seq 1 150); do
  curl -sf http://localhost:7018/.backstage/health/v1/readiness >/dev/null && break
  sleep 2
done
curl -sf http://localhost:7018/.backstage/health/v1/readiness >/dev/null ||
  { log "the second replica did not become ready (test-results/bench-replica.log)"; exit 1; }

node bench/replicas.mjs two

if [ "${1:-}" = --heap ]; then
  kill -TERM -- "-$second_pid" 2>/dev/null || true
  second_pid=""
  BENCH_INSPECTOR=127.0.0.1:9229 node bench/status.mjs 10000 30000
fi
