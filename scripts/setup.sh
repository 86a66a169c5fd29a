#!/usr/bin/env bash
# Installs everything fedstr needs on a fresh Debian 12 machine, idempotently:
# npm packages (only when package-lock.json changed), the on-chain program build, Debian's
# chromium for the web-app tests and the local network binary (fedstr-localnet).
set -euo pipefail
cd "$(dirname "$0")/.."

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

step "chromium (web-app browser tests)"
bash scripts/install-chromium.sh

if [ -f scripts/build-localnet.sh ]; then
  step "local network (fedstr-localnet)"
  bash scripts/build-localnet.sh
fi
