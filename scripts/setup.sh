#!/usr/bin/env bash
# Installs everything fedstr needs on a fresh Debian 12 machine, idempotently, one timed step at a
# time: Node.js (the LTS release in .node-version, from the npm registry when the machine's node is
# older: scripts/node.sh), npm packages (only when package-lock.json or Node changed), Debian's Rust/LLVM toolchain for the
# program, sbpf-linker, the on-chain program, the local network binary (fedstr-localnet) and, with
# --test (what `make test` passes), what only the test suite needs: rustfmt and clippy for the
# program's lint, Debian's chromium for the web-app tests, a stock Kubo node for the storage tests
# and anchor-cli for `anchor test`.
# The installs run one after another (apt holds one lock); then the builds (npm ci, sbpf-linker and
# the program, the local network, Kubo, anchor-cli) run side by side, each line prefixed with its
# step, since the local network's compile dominates a cold set-up and the others fit inside it.
# Each step prints one line with its duration when it ends, and the end a table of all of them;
# each step's output is kept in $FEDSTR_CACHE_DIR/logs/setup-<step>.log (default ~/.cache/fedstr).
# A failing step is named with its command and its log, the other builds are stopped, and the
# set-up ends there.
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
names=()
rm -f "$LOGS"/.setup-*.result

# run_step <name> <command...>: the command's output is kept in the step's log and shown indented
# (with the step's name when steps run side by side); then one line with its duration. The result
# (exit status, duration, the log's last line) goes to $LOGS/.setup-<name>.result for the table.
run_step() {
  local name=$1; shift
  local log="$LOGS/setup-$name.log" t rc took last prefix="    "
  [ "$parallel" = 1 ] && prefix="    $name | "
  t=$(now)
  set +e
  "$@" 2>&1 | tee "$log" | sed -u "s/^/$prefix/"
  rc=${PIPESTATUS[0]}
  set -e
  took=$(elapsed "$t" "$(now)")
  last=$(grep -v '^\s*$' "$log" | tail -1 | sed -E 's/^ *\[[a-z-]+ +[0-9]+s\] //' | cut -c1-70)
  printf '%s\t%s\t%s\n' "$rc" "$took" "$last" >"$LOGS/.setup-$name.result"
  if [ "$rc" -eq 0 ]; then printf '    %s done in %s\n' "$name" "$took"; fi
  return "$rc"
}

failed() { # <name> <command...>
  local name=$1 rc took; shift
  IFS=$'\t' read -r rc took _ <"$LOGS/.setup-$name.result"
  printf '\nsetup failed at step "%s" after %s (exit %s)\n  command: %s\n  log:     %s\n' \
    "$name" "$took" "$rc" "$*" "$LOGS/setup-$name.log" >&2
  exit "$rc"
}

# step <name> <what it does> <command...>: one step, now (installs that later steps need).
parallel=0
step() {
  local name=$1 what=$2; shift 2
  names+=("$name")
  printf '==> %s: %s\n' "$name" "$what"
  run_step "$name" "$@" || failed "$name" "$@"
}

# build <name> <what it does> <command...>: a step started in the background; `builds_done` waits for
# all of them. The builds need only what the steps before them installed, so they run side by side:
# the local network's compile takes most of a cold set-up, and the others finish within it.
build_pids=() build_names=() build_cmds=()
build() {
  local name=$1 what=$2; shift 2
  names+=("$name")
  printf '==> %s: %s (started; runs alongside the other builds)\n' "$name" "$what"
  parallel=1 run_step "$name" "$@" &
  build_pids+=($!) build_names+=("$name") build_cmds+=("$*")
}
# Stops a process and everything it started (a build's cargo or go under its script).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}
# Waits for the builds as they finish; the first that fails is named (with its command and log) and
# the others are stopped at once.
builds_done() {
  local pid i rc
  while [ ${#build_pids[@]} -gt 0 ]; do
    set +e
    wait -n -p pid "${build_pids[@]}"
    rc=$?
    set -e
    for i in "${!build_pids[@]}"; do [ "${build_pids[$i]}" = "$pid" ] && break; done
    if [ "$rc" -ne 0 ]; then
      local other others=("${build_names[@]}")
      others=("${others[@]/${build_names[$i]}/}")
      printf '\n%s failed: stopping the builds still running (%s)\n' "${build_names[$i]}" "$(echo ${others[*]})" >&2
      for other in "${build_pids[@]}"; do
        [ "$other" = "$pid" ] && continue
        kill_tree "$other"
      done
      wait 2>/dev/null || true
      failed "${build_names[$i]}" "${build_cmds[$i]}"
    fi
    unset "build_pids[$i]" "build_names[$i]" "build_cmds[$i]"
  done
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
# Every apt package first, one step after another (apt holds one lock), then the builds side by side.
step apt "Debian's rustc-web, libstd-rust-web-dev-bpf, llvm-22-dev for the program (~20 s cold)" bash scripts/build-program.sh toolchain
# rustfmt and clippy lint the program in `make test` (scripts/check-program.sh).
rust_lint_components() {
  if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then echo "rustfmt and clippy present"; return; fi
  command -v rustup >/dev/null 2>&1 || { echo "rustfmt/clippy missing and no rustup to add them"; return 1; }
  rustup component add clippy rustfmt
}
program() { bash scripts/build-program.sh linker && bash scripts/build-program.sh; }
if [ "$with_test" = 1 ]; then
  step chromium "Debian's chromium for the web-app browser tests (~1 min cold)" bash scripts/install-chromium.sh
  step anchor-apt "Debian's libudev-dev and pkg-config for anchor-cli" bash scripts/build-anchor.sh packages
  step rust-lint "rustfmt and clippy (rustup components)" rust_lint_components
fi
build npm "npm ci when package-lock.json or Node changed (~2 min cold)" npm_packages
build program "sbpf-linker from crates.io (~3 min cold), then the on-chain program, target/deploy/fedstr.so (~15 s)" program
build localnet "the local network binary, fedstr-localnet (~33 min cold)" bash scripts/build-localnet.sh
if [ "$with_test" = 1 ]; then
  build kubo "a stock Kubo node for the storage tests, from the Go module proxy (~11 min cold)" bash scripts/build-kubo.sh
  build anchor-cli "anchor-cli for anchor test (~10 min cold)" bash scripts/build-anchor.sh
fi
builds_done

printf '\nset-up done in %s (logs: %s)\n' "$(elapsed "$t_setup" "$(now)")" "$LOGS"
printf '  %-14s %10s   %s\n' "step" "time" "result"
for name in "${names[@]}"; do
  IFS=$'\t' read -r _ took last <"$LOGS/.setup-$name.result"
  printf '  %-14s %10s   %s\n' "$name" "$took" "$last"
done
