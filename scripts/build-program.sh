#!/usr/bin/env bash
# Builds the fedstr on-chain program to SBF on a machine without the Solana
# platform tools, from package registries only (see docs/program.md):
#   Debian rustc-web (LLVM 22) + libstd-rust-web-dev-bpf  -> bpfel-unknown-none bitcode
#   sbpf-linker 0.1.9 (crates.io, bpf-linker 0.10, LLVM 22) -> SBPF v0 .so
# Idempotent: installs only what is missing, caches tools and build outputs
# under $FEDSTR_CACHE_DIR (default ~/.cache/fedstr) and skips the build when
# nothing that affects it changed. Output: target/deploy/fedstr.so (gitignored).
# `build-program.sh toolchain` / `linker` stop after that phase (setup.sh times them separately).
set -euo pipefail
PHASE="${1:-all}"
case "$PHASE" in toolchain|linker|all) ;; *) echo "usage: $0 [toolchain|linker|all]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE="${FEDSTR_CACHE_DIR:-$HOME/.cache/fedstr}"
TOOLS="$CACHE/tools"
SBPF_LINKER_VERSION=0.1.9
LLVM_PREFIX_DIR=/usr/lib/llvm-22
APT_PACKAGES=(rustc-web libstd-rust-web-dev-bpf llvm-22-dev)
DEBIAN_RUSTC=/usr/bin/rustc
t0=$(date +%s)
say() { printf '  [program %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: a rustc whose LLVM (22) has the BPF target, core/alloc for
#    bpfel-unknown-none, and LLVM 22's shared library for sbpf-linker.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v cargo >/dev/null 2>&1 || missing+=(cargo-web)
# An older rustc-web (e.g. 1.85 from bookworm main) has the wrong LLVM: upgrade it.
if [ -x "$DEBIAN_RUSTC" ] && ! "$DEBIAN_RUSTC" -vV | grep -q '^LLVM version: 22\.'; then
  missing+=(rustc-web libstd-rust-web-dev-bpf)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/fedstr-apt.log 2>&1; then
    say "apt-get update (package lists missing or stale)"
    as_root apt-get update >>/tmp/fedstr-apt.log 2>&1
    as_root apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/fedstr-apt.log 2>&1 \
      || { tail -20 /tmp/fedstr-apt.log; exit 1; }
  fi
else
  say "Debian toolchain present ($($DEBIAN_RUSTC --version))"
fi
$DEBIAN_RUSTC --print target-list | grep -qx bpfel-unknown-none \
  || { echo "rustc-web has no bpfel-unknown-none target" >&2; exit 1; }
[ "$PHASE" = toolchain ] && exit 0

# 2. sbpf-linker, linked against Debian's LLVM 22.
LINKER="$TOOLS/bin/sbpf-linker"
if [ ! -x "$LINKER" ] || [ "$(cat "$TOOLS/.sbpf-linker-version" 2>/dev/null)" != "$SBPF_LINKER_VERSION" ]; then
  say "cargo install sbpf-linker@$SBPF_LINKER_VERSION (a few minutes on 2 cores)"
  mkdir -p "$TOOLS"
  LLVM_PREFIX="$LLVM_PREFIX_DIR" LLVM_SYS_221_PREFIX="$LLVM_PREFIX_DIR" \
    cargo install "sbpf-linker@$SBPF_LINKER_VERSION" --locked --force -j2 --root "$TOOLS" \
      --no-default-features --features bpf-linker/llvm-22 >"$CACHE/sbpf-linker-install.log" 2>&1 \
    || { tail -30 "$CACHE/sbpf-linker-install.log"; exit 1; }
  echo "$SBPF_LINKER_VERSION" >"$TOOLS/.sbpf-linker-version"
else
  say "sbpf-linker $SBPF_LINKER_VERSION present"
fi
[ "$PHASE" = linker ] && exit 0

# 3. The program. Skip when sources, lockfile, toolchain and this script are unchanged.
OUT="$CACHE/build"
mkdir -p "$OUT" target/deploy
stamp=$( {
  find programs -type f \( -name '*.rs' -o -name 'Cargo.toml' \) -print0 | sort -z | xargs -0 sha256sum
  sha256sum Cargo.toml Cargo.lock scripts/build-program.sh 2>/dev/null || true
  $DEBIAN_RUSTC --version; echo "$SBPF_LINKER_VERSION"
} | sha256sum | cut -d' ' -f1)
# Outputs are kept per stamp, and cargo's target dir per checkout: worktrees share the cache, and a
# shared target dir would hand one checkout the libfedstr.so another one built last.
SO="$OUT/fedstr-$stamp.so"
if [ -f "$SO" ]; then
  say "fedstr.so up to date (cached)"
else
  say "cargo build --release --target bpfel-unknown-none -p fedstr"
  export CARGO_TARGET_DIR="$CACHE/target/$(printf %s "$ROOT" | sha256sum | cut -c1-16)"
  export CARGO_TARGET_BPFEL_UNKNOWN_NONE_LINKER="$LINKER"
  export CARGO_TARGET_BPFEL_UNKNOWN_NONE_RUSTFLAGS="-C target-cpu=v2 -C link-arg=--llvm-args=-bpf-stack-size=4096"
  RUSTC="$DEBIAN_RUSTC" cargo build --release --target bpfel-unknown-none -p fedstr -j2 \
    >"$CACHE/program-build.log" 2>&1 || { tail -40 "$CACHE/program-build.log"; exit 1; }
  cp "$CARGO_TARGET_DIR/bpfel-unknown-none/release/libfedstr.so" "$SO.tmp"
  mv -f "$SO.tmp" "$SO"
  say "built fedstr.so ($(stat -c %s "$SO") bytes)"
fi
cp "$SO" target/deploy/fedstr.so
cp programs/fedstr/fedstr-keypair.json target/deploy/fedstr-keypair.json
say "target/deploy/fedstr.so ready"
