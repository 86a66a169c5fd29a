#!/usr/bin/env bash
# Installs Debian's chromium, the browser the web-app tests drive through playwright-core
# (nothing else ever downloads a browser). Idempotent: one line and no apt call when present;
# `apt-get update` only when the package index does not know chromium yet.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-chromium: not root and no sudo; run: apt-get install -y chromium" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show chromium >/dev/null 2>&1; then
  $SUDO apt-get update
fi
$SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
