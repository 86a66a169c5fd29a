#!/usr/bin/env bash
# The Node.js that fedstr runs on: the LTS release named in .node-version. When the machine's `node`
# is older, the set-up installs that release from the npm registry's Node binary packages
# (node-<os>-<cpu>, the official build with its headers in include/node) into
# $FEDSTR_CACHE_DIR/node/<version> (default ~/.cache/fedstr), once; every make target, the set-up's
# npm ci and CI then run with it first on PATH, and node-gyp builds native modules (better-sqlite3,
# bigint-buffer) against its headers (npm_config_nodedir), so nothing is downloaded.
#
#   scripts/node.sh install   install the release if it is needed and missing (idempotent)
#   scripts/node.sh prefix    the prefix of the Node to use (its bin/node, include/node)
#   scripts/node.sh env       `export` lines for a shell: eval "$(bash scripts/node.sh env)"
#   scripts/node.sh exec CMD  run CMD with those set (Anchor.toml's test script uses it)
set -euo pipefail
cd "$(dirname "$0")/.."
WANT=$(tr -d ' \nv' <.node-version)
CACHE="${FEDSTR_CACHE_DIR:-$HOME/.cache/fedstr}"
DIR="$CACHE/node/$WANT"

# The machine's node is used when it is at least the wanted release.
machine_node_suffices() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const v = (s) => s.split(".").map(Number); const [a, b] = [v(process.versions.node), v(process.argv[1])];
    process.exit((a[0] - b[0] || a[1] - b[1] || a[2] - b[2]) >= 0 ? 0 : 1)' "$WANT" 2>/dev/null
}

prefix() {
  if [ -x "$DIR/bin/node" ] || ! machine_node_suffices; then echo "$DIR"; return; fi
  dirname "$(dirname "$(readlink -f "$(command -v node)")")"
}

package_name() {
  local os cpu
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node.sh: no Node binary package for $(uname -s)" >&2; return 1 ;; esac
  case "$(uname -m)" in x86_64|amd64) cpu=x64 ;; aarch64|arm64) cpu=arm64 ;; *) echo "node.sh: no Node binary package for $(uname -m)" >&2; return 1 ;; esac
  echo "node-$os-$cpu"
}

install() {
  if [ -x "$DIR/bin/node" ] && [ "$("$DIR/bin/node" --version)" = "v$WANT" ]; then
    echo "Node $WANT already installed: $DIR"
    return
  fi
  if machine_node_suffices; then
    echo "the machine's Node $(node --version) is at least $WANT: using it ($(command -v node))"
    return
  fi
  command -v npm >/dev/null 2>&1 || { echo "node.sh: npm is needed to fetch Node $WANT from the npm registry" >&2; return 1; }
  local pkg tmp
  pkg=$(package_name)
  echo "the machine's node is $(node --version 2>/dev/null || echo missing); installing $pkg@$WANT into $DIR"
  mkdir -p "$CACHE/node"
  tmp=$(mktemp -d "$CACHE/node/.install-XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  # npm pack checks the tarball against the registry's integrity hash (and keeps it in npm's cache).
  npm pack --silent --pack-destination "$tmp" "$pkg@$WANT" >/dev/null
  mkdir "$tmp/node"
  tar -xzf "$tmp/$pkg-$WANT.tgz" -C "$tmp/node" --strip-components=1
  [ "$("$tmp/node/bin/node" --version)" = "v$WANT" ] || { echo "node.sh: the unpacked node is not v$WANT" >&2; return 1; }
  [ -f "$tmp/node/include/node/node_api.h" ] || { echo "node.sh: $pkg@$WANT has no include/node headers" >&2; return 1; }
  rm -rf "$DIR"
  mv "$tmp/node" "$DIR"
  echo "installed Node $("$DIR/bin/node" --version) ($("$DIR/bin/node" -p 'process.release.lts || "not an LTS"')): $DIR/bin/node"
}

env_lines() {
  local p; p=$(prefix)
  printf 'export PATH=%q:"$PATH"\n' "$p/bin"
  # node-gyp's headers: the prefix's own (a Node without them in its prefix leaves node-gyp's default).
  if [ -f "$p/include/node/common.gypi" ]; then printf 'export npm_config_nodedir=%q\n' "$p"; fi
}

case "${1:-}" in
  install) install ;;
  prefix) prefix ;;
  env) env_lines ;;
  exec) shift; [ $# -gt 0 ] || { echo "usage: scripts/node.sh exec CMD [ARG...]" >&2; exit 2; }; cd "$OLDPWD"; eval "$(env_lines)"; exec "$@" ;;
  *) echo "usage: scripts/node.sh install|prefix|env|exec CMD" >&2; exit 2 ;;
esac
