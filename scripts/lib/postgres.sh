# A throwaway PostgreSQL (Debian's packages) for the suite's database tests:
# Backstage's TestDatabases picks it up through its connection string.
# Sourced by scripts/test; requires toolchain.sh.

TEST_POSTGRES_PORT="${TEST_POSTGRES_PORT:-15432}"

postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ]; then
    log "installing Debian's postgresql for the database tests"
    { apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
      >"$TOOLCHAIN_CACHE/apt-postgresql.log" 2>&1 || {
      tail -n 20 "$TOOLCHAIN_CACHE/apt-postgresql.log" >&2
      return 1
    }
  fi
}

# Starts a fresh cluster in a temporary directory, owned by the postgres
# user when run as root (initdb refuses root).
start_test_postgres() {
  ensure_postgres || return 1
  local bin
  bin="$(postgres_bin)"
  TEST_POSTGRES_DIR="$(mktemp -d /tmp/gitops-test-pg.XXXXXX)"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$TEST_POSTGRES_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U postgres \
    --auth=trust -E UTF8 >"$TEST_POSTGRES_DIR/initdb.log" 2>&1 || {
    tail -n 20 "$TEST_POSTGRES_DIR/initdb.log" >&2
    return 1
  }
  "${as[@]}" "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -w -l "$TEST_POSTGRES_DIR/server.log" \
    -o "-p $TEST_POSTGRES_PORT -k $TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off" \
    start >/dev/null || {
    tail -n 20 "$TEST_POSTGRES_DIR/server.log" >&2
    return 1
  }
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:$TEST_POSTGRES_PORT"
  export GITOPS_REQUIRE_POSTGRES=1
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $TEST_POSTGRES_PORT for the database tests"
}

stop_test_postgres() {
  [ -n "${TEST_POSTGRES_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$(postgres_bin)/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$TEST_POSTGRES_DIR"
  TEST_POSTGRES_DIR=
}
