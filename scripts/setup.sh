#!/usr/bin/env bash
# Installs everything fedstr needs on a fresh Debian 12 machine, idempotently, one timed step at a
# time: Node.js (the LTS release in .node-version, from the npm registry when the machine's node is
# older: scripts/node.sh), npm packages (only when package-lock.json or Node changed), Debian's Rust/LLVM toolchain for the
# program, sbpf-linker, the on-chain program, the local network binary (fedstr-localnet) and, with
# --test (what `make test` passes), what only the test suite needs: rustfmt and clippy for the
# program's lint, Debian's chromium for the web-app tests, a stock Kubo node for the storage tests
# and anchor-cli for `anchor test`.
# Each step prints one line with its duration when it ends, and the end a table of all of them;
# each step's output is kept in $FEDSTR_CACHE_DIR/logs/setup-<step>.log (default ~/.cache/fedstr).
# A failing step is named with its command and its log, and the set-up stops there.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${FEDSTR_CACHE_DIR:-$HOME/.cache/fedstr}"
LOGS="$CACHE/logs"
mkdir -p "$LOGS"

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) echo "usage: scripts/setup.sh [--test]   (--test: also what only the tests need: rustfmt/clippy, chromium, Kubo, anchor-cli)"; exit 0 ;;
    *) echo "setup.sh: unknown argument $arg (expected --test)" >&2; exit 2 ;;
  esac
done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { s = b - a; if (s < 60) printf "%.1f s", s; else printf "%d min %02d s", s / 60, s % 60 }'; }
t_setup=$(now)
names=() times=() results=()

# step <name> <what it does> <command...>: run the command with its output shown (indented) and
# kept in the step's log; then one line with the step's duration.
step() {
  local name=$1 what=$2; shift 2
  local log="$LOGS/setup-$name.log" t rc
  printf '==> %s: %s\n' "$name" "$what"
  t=$(now)
  set +e
  "$@" 2>&1 | tee "$log" | sed -u 's/^/    /'
  rc=${PIPESTATUS[0]}
  set -e
  local took; took=$(elapsed "$t" "$(now)")
  if [ "$rc" -ne 0 ]; then
    printf '\nsetup failed at step "%s" after %s (exit %s)\n  command: %s\n  log:     %s\n' "$name" "$took" "$rc" "$*" "$log" >&2
    exit "$rc"
  fi
  local last; last=$(grep -v '^\s*$' "$log" | tail -1 | sed -E 's/^ *\[[a-z]+ +[0-9]+s\] //' | cut -c1-70)
  names+=("$name") times+=("$took") results+=("$last")
  printf '    %s done in %s\n' "$name" "$took"
}

# npm ci only when package-lock.json or Node changed (native modules are built for one Node); its
# many lines go to the log only. node_modules/.fedstr-node names the node they were built for: the
# launchers (client/bin, aggregator/bin) run with it.
npm_packages() {
  local want stamp=node_modules/.fedstr-lock-sha256
  want="$(sha256sum package-lock.json | cut -d' ' -f1) node $(node --version) abi $(node -p process.versions.modules)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/.fedstr-node ]; then
    echo "npm packages up to date (Node $(node --version))"
    return
  fi
  echo "npm ci with Node $(node --version) (package-lock.json or Node changed, or first run; ~2 min cold)"
  # better-sqlite3 is compiled here (prebuild-install would first try to download a binary).
  npm_config_build_from_source=better-sqlite3 npm ci --no-fund --no-audit >"$LOGS/npm-ci.log" 2>&1 || { tail -20 "$LOGS/npm-ci.log"; echo "npm ci failed (log: $LOGS/npm-ci.log)"; return 1; }
  echo "$want" >"$stamp"
  node -p process.execPath >node_modules/.fedstr-node
  local warnings; warnings=$(grep -c EBADENGINE "$LOGS/npm-ci.log" || true)
  [ "$warnings" != 0 ] || warnings=""
  echo "npm ci: $(grep -E '^(added|changed|removed|up to date)' "$LOGS/npm-ci.log" | tail -1)${warnings:+ ($warnings engine warnings: $LOGS/npm-ci.log)}"
}

step node "Node.js $(tr -d ' \nv' <.node-version) LTS, from the npm registry if the machine's is older (~15 s cold)" bash scripts/node.sh install
# Everything after this runs on that Node, and node-gyp builds native modules against its headers.
eval "$(bash scripts/node.sh env)"
step npm "npm ci when package-lock.json or Node changed (~2 min cold)" npm_packages
step apt "Debian's rustc-web, libstd-rust-web-dev-bpf, llvm-22-dev for the program (~20 s cold)" bash scripts/build-program.sh toolchain
step sbpf-linker "sbpf-linker from crates.io (~2 min cold)" bash scripts/build-program.sh linker
step program "the on-chain program, target/deploy/fedstr.so (~15 s cold)" bash scripts/build-program.sh
step localnet "the local network binary, fedstr-localnet (~40 min cold)" bash scripts/build-localnet.sh
# rustfmt and clippy lint the program in `make test` (scripts/check-program.sh).
rust_lint_components() {
  if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then echo "rustfmt and clippy present"; return; fi
  command -v rustup >/dev/null 2>&1 || { echo "rustfmt/clippy missing and no rustup to add them"; return 1; }
  rustup component add clippy rustfmt
}
if [ "$with_test" = 1 ]; then
  step rust-lint "rustfmt and clippy (rustup components)" rust_lint_components
  step chromium "Debian's chromium for the web-app browser tests (~1 min cold)" bash scripts/install-chromium.sh
  step kubo "a stock Kubo node for the storage tests, from the Go module proxy (~17 min cold)" bash scripts/build-kubo.sh
  step anchor-cli "anchor-cli for anchor test (~10 min cold)" bash scripts/build-anchor.sh
fi

printf '\nset-up done in %s (logs: %s)\n' "$(elapsed "$t_setup" "$(now)")" "$LOGS"
printf '  %-14s %10s   %s\n' "step" "time" "result"
for i in "${!names[@]}"; do printf '  %-14s %10s   %s\n' "${names[$i]}" "${times[$i]}" "${results[$i]}"; done
