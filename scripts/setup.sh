#!/usr/bin/env bash
# Installs everything fedstr needs on a fresh Debian 12 machine, idempotently:
# npm packages (only when package-lock.json changed), the on-chain program build and the
# local network binary (fedstr-localnet). With --test (what `make test` passes) also what only the
# test suite needs: a stock Kubo node (scripts/build-kubo.sh) for the storage tests against Kubo.
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.fedstr-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  step "npm ci (package-lock.json changed or first run)"
  npm ci --no-fund --no-audit
  echo "$lock_hash" > "$stamp"
else
  step "npm packages up to date"
fi

if [ -f scripts/build-program.sh ]; then
  step "on-chain program"
  bash scripts/build-program.sh
fi

# rustfmt and clippy lint the program in `make test` (scripts/check-program.sh).
if command -v rustup >/dev/null 2>&1 && ! { cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1; then
  step "rustup component add clippy rustfmt"
  rustup component add clippy rustfmt
fi

step "chromium (web-app browser tests)"
bash scripts/install-chromium.sh

if [ -f scripts/build-localnet.sh ]; then
  step "local network (fedstr-localnet)"
  bash scripts/build-localnet.sh
fi

if [ "$with_test" = 1 ]; then
  step "Kubo for the storage tests (ipfs, from the Go module proxy)"
  bash scripts/build-kubo.sh
fi
