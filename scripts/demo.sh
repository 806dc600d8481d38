#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, seed the demo round, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-wasm.sh
cargo build --release -p server
exec target/release/server demo --addr "${THITUYEN_ADDR:-127.0.0.1:8080}" "$@"
