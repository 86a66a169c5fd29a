#!/usr/bin/env bash
# Builds the local network binary, fedstr-localnet (localnet/, Surfpool 1.7.0; see docs/localnet.md),
# idempotently. Caches under $FEDSTR_CACHE_DIR (default ~/.cache/fedstr):
#   localnet-target/        cargo target dir (1.8 GB; a cold build of its 877 crates takes ~33 min on 2 cores)
#   bin/fedstr-localnet     the finished binary, stripped
#   bin/fedstr-localnet.stamp   hash of what the binary was built from
# Skips cargo entirely when localnet/src, Cargo.toml, Cargo.lock, this script and the toolchain are unchanged.
# Uses rustup's toolchain (~/.cargo/bin), not Debian's /usr/bin/rustc that builds the SBF program:
# a different rustc invalidates the whole target dir.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${FEDSTR_CACHE_DIR:-$HOME/.cache/fedstr}"
TARGET="$CACHE/localnet-target"
BIN="$CACHE/bin/fedstr-localnet"
STAMP="$BIN.stamp"
LOG="$CACHE/localnet-build.log"
CRATES_TOTAL=877 # packages cargo compiles for localnet/ (of 999 in Cargo.lock); only for the progress line
t0=$(date +%s)
say() { printf '  [localnet %4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

# The rustup toolchain, whatever PATH or RUSTC say (build-program.sh points RUSTC at Debian's rustc).
unset RUSTC
CARGO_HOME_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
CARGO="$CARGO_HOME_BIN/cargo"
if [ ! -x "$CARGO" ] || [ ! -x "$CARGO_HOME_BIN/rustc" ]; then
  cat >&2 <<EOF
fedstr-localnet needs rustup's Rust toolchain, but $CARGO or $CARGO_HOME_BIN/rustc is missing.
Install it (non-interactively) with rustup, e.g.:
  rustup toolchain install stable --profile minimal && rustup default stable
(or, where sh.rustup.rs is reachable: curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal)
then run this script again.
EOF
  exit 1
fi
export PATH="$CARGO_HOME_BIN:$PATH"
toolchain="$("$CARGO" --version) / $("$CARGO_HOME_BIN/rustc" --version)" \
  || { echo "rustup has no default toolchain: run \`rustup default stable\`" >&2; exit 1; }

stamp=$( {
  find localnet/src -type f -print0 | sort -z | xargs -0 sha256sum
  sha256sum localnet/Cargo.toml localnet/Cargo.lock scripts/build-localnet.sh
  echo "$toolchain"
} | sha256sum | cut -d' ' -f1)
if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$stamp" ]; then
  say "fedstr-localnet up to date (cached: $BIN)"
  exit 0
fi

mkdir -p "$CACHE/bin" "$TARGET"
if [ -x "$TARGET/release/fedstr-localnet" ]; then
  say "cargo build (dependencies cached in $TARGET; ~1 min when only our crate changed)"
else
  say "cargo build with $toolchain — first build compiles $CRATES_TOTAL crates: ~33 min on 2 cores"
fi
# --ignore-rust-version: surfpool 1.7.0 / agave 4.3 declare rust-version 1.97.1, and 1.95 builds them fine.
CARGO_TARGET_DIR="$TARGET" nice -n 10 "$CARGO" build --release --locked --ignore-rust-version -j2 \
  --manifest-path localnet/Cargo.toml >"$LOG" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' INT TERM EXIT
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "compiling: $(grep -c '^ *Compiling ' "$LOG" || true)/~$CRATES_TOTAL crates (log: $LOG)"
  fi
done
if ! wait "$pid"; then
  trap - INT TERM EXIT
  tail -40 "$LOG" >&2
  echo "fedstr-localnet build failed (full log: $LOG)" >&2
  exit 1
fi
trap - INT TERM EXIT

strip -o "$BIN.tmp" "$TARGET/release/fedstr-localnet" 2>/dev/null || cp "$TARGET/release/fedstr-localnet" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
echo "$stamp" >"$STAMP"
say "built $BIN ($(( $(stat -c %s "$BIN") / 1048576 )) MB, $(grep -c '^ *Compiling ' "$LOG" || true) crates compiled)"
