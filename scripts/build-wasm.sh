#!/usr/bin/env bash
# Builds the hydration bundle into site/pkg (thituyen.js + thituyen_bg.wasm).
# WASM_PROFILE=dev builds faster (tests); the default optimises for size (demo, production).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${WASM_PROFILE:-wasm-release}"
cargo build -p frontend --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile "$profile"
dir="$profile"; [ "$profile" = dev ] && dir=debug
mkdir -p site/pkg
wasm-bindgen --target web --no-typescript --out-dir site/pkg --out-name thituyen \
  "target/wasm32-unknown-unknown/$dir/frontend.wasm"
echo "hydration bundle: $(du -h site/pkg/thituyen_bg.wasm | cut -f1) in site/pkg"
