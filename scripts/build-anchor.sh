#!/usr/bin/env bash
# anchor-cli 0.32.1 for `anchor test` (README, "Testing with anchor test"), idempotently.
# The npm package @coral-xyz/anchor-cli ships a binary that needs glibc 2.38+ (Debian 12 has 2.36),
# so it is compiled once from crates.io into $FEDSTR_CACHE_DIR/tools/bin/anchor (default
# ~/.cache/fedstr; ~10 min on 2 cores, log: anchor-cli-install.log). Needs Debian's libudev-dev and
# pkg-config (installed when missing) and rustup's cargo. `build-anchor.sh packages` stops after the
# apt packages (setup.sh installs every apt package before it starts the builds side by side).
set -euo pipefail
PHASE="${1:-all}"
case "$PHASE" in packages|all) ;; *) echo "usage: $0 [packages|all]" >&2; exit 2 ;; esac
CACHE="${FEDSTR_CACHE_DIR:-$HOME/.cache/fedstr}"
TOOLS="$CACHE/tools"
VERSION=0.32.1
ANCHOR="$TOOLS/bin/anchor"
LOG="$CACHE/anchor-cli-install.log"
APT_PACKAGES=(libudev-dev pkg-config)
t0=$(date +%s)
say() { printf '  [anchor %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x "$ANCHOR" ] && [ "$("$ANCHOR" --version 2>/dev/null)" = "anchor-cli $VERSION" ]; then
  say "anchor-cli $VERSION present ($ANCHOR)"
  exit 0
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends "${missing[@]}" >"$CACHE/anchor-apt.log" 2>&1 \
    || { as_root apt-get update >>"$CACHE/anchor-apt.log" 2>&1 && as_root apt-get install -y --no-install-recommends "${missing[@]}" >>"$CACHE/anchor-apt.log" 2>&1; } \
    || { tail -20 "$CACHE/anchor-apt.log" >&2; echo "apt-get failed (log: $CACHE/anchor-apt.log)" >&2; exit 1; }
fi

[ "$PHASE" = packages ] && { say "apt packages present (${APT_PACKAGES[*]})"; exit 0; }

CARGO="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
[ -x "$CARGO" ] || { echo "anchor-cli needs rustup's cargo ($CARGO is missing); see scripts/build-localnet.sh" >&2; exit 1; }
mkdir -p "$TOOLS"
say "cargo install anchor-cli $VERSION (first time: ~10 min on 2 cores; log: $LOG)"
unset RUSTC
nice -n 10 "$CARGO" install anchor-cli --version "$VERSION" --locked --force -j2 --root "$TOOLS" >"$LOG" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' INT TERM EXIT
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then say "compiling: $(grep -c '^ *Compiling ' "$LOG" || true) crates"; fi
done
if ! wait "$pid"; then
  trap - INT TERM EXIT
  tail -30 "$LOG" >&2
  echo "anchor-cli build failed (full log: $LOG)" >&2
  exit 1
fi
trap - INT TERM EXIT
say "installed $("$ANCHOR" --version) ($ANCHOR)"
