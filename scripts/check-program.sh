#!/usr/bin/env bash
# Lints the on-chain program on the host: `cargo fmt --check` (rustfmt.toml) and
# `cargo clippy -D warnings` (all targets, so the host unit tests too). Part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt -p fedstr --check
cargo clippy -p fedstr --all-targets --quiet -- -D warnings
echo "program: cargo fmt and clippy clean"
