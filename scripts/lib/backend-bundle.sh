# The production build of the backend, deployed as Backstage's Dockerfile
# deploys it: `yarn workspace backend build` (which builds the frontend and
# every plugin package it depends on, and packs them as they are
# published), the bundle unpacked into a directory outside the repository,
# `yarn workspaces focus --all --production` there, then
# `node packages/backend`. Outside the repository, so a dependency the
# packages forgot cannot be found in the workspace's own node_modules.
# Sourced by scripts/test; requires toolchain.sh.
# shellcheck shell=bash

BACKEND_BUNDLE_DIR="${BACKEND_BUNDLE_DIR:-}"

build_backend_bundle() {
  yarn workspace backend build >&2 || return 1
  BACKEND_BUNDLE_DIR="$(mktemp -d /tmp/gitops-backend-bundle.XXXXXX)"
  export BACKEND_BUNDLE_DIR
  tar xzf "$REPO_ROOT/packages/backend/dist/bundle.tar.gz" -C "$BACKEND_BUNDLE_DIR" || return 1
  # The root's resolutions link platform stubs out of .yarn/stubs.
  cp -a "$REPO_ROOT/.yarnrc.yml" "$BACKEND_BUNDLE_DIR/" &&
    mkdir -p "$BACKEND_BUNDLE_DIR/.yarn" &&
    cp -a "$REPO_ROOT/.yarn/releases" "$REPO_ROOT/.yarn/stubs" "$BACKEND_BUNDLE_DIR/.yarn/" || return 1
  install_bundle_dependencies
}

# The production install of the bundle's yarn.lock and package.json files
# is kept like the workspace's (toolchain.sh): one copy, reused while they
# and Node.js stay the same; a new one costs ~1.5 min (native modules).
install_bundle_dependencies() {
  local want cached p
  want="$(cd "$BACKEND_BUNDLE_DIR" && { cat yarn.lock package.json packages/*/package.json plugins/*/package.json; echo "node $NODE_VERSION"; } | sha1sum | cut -d' ' -f1)"
  cached="$TOOLCHAIN_CACHE/production-installed/$want"
  if [ -f "$cached/.complete" ]; then
    log "backend bundle: copying its production install from $cached"
    while IFS= read -r p; do
      mkdir -p "$(dirname "$BACKEND_BUNDLE_DIR/$p")"
      cp -a "$cached/$p" "$BACKEND_BUNDLE_DIR/$p" || return 1
    done <"$cached/.complete"
    return
  fi
  log "backend bundle: yarn workspaces focus --all --production"
  (cd "$BACKEND_BUNDLE_DIR" && yarn workspaces focus --all --production >&2) || return 1
  rm -rf "$TOOLCHAIN_CACHE/production-installed"
  mkdir -p "$cached"
  (cd "$BACKEND_BUNDLE_DIR" && for p in node_modules packages/*/node_modules plugins/*/node_modules .yarn/install-state.gz; do
    [ -e "$p" ] && echo "$p"
  done) >"$cached/.paths"
  while IFS= read -r p; do
    mkdir -p "$(dirname "$cached/$p")"
    cp -a "$BACKEND_BUNDLE_DIR/$p" "$cached/$p" || {
      rm -rf "$cached"
      return 0
    }
  done <"$cached/.paths"
  mv "$cached/.paths" "$cached/.complete"
}

remove_backend_bundle() {
  [ -n "$BACKEND_BUNDLE_DIR" ] && rm -rf "$BACKEND_BUNDLE_DIR"
  BACKEND_BUNDLE_DIR=
}
