#!/usr/bin/env bash
# One command for a newcomer and for CI: install what is missing, then run every test:
# unit and API tests on SQLite, the API tests again on PostgreSQL when TEST_DATABASE_URL is
# set, and the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "building the hydration bundle"
WASM_PROFILE=dev scripts/build-wasm.sh

say "unit and API tests (SQLite)"
env -u TEST_DATABASE_URL cargo test --workspace

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  say "API tests again on PostgreSQL"
  # The API test binary the first pass built, run again: any other cargo selection resolves
  # the proc-macros' dependencies differently and compiles the server a second time.
  api_bin=$(cargo test --workspace --no-run --message-format=json 2>/dev/null |
    grep '"kind":\["test"\]' | grep '"name":"api"' |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | tail -n 1 || true)
  if [ -n "$api_bin" ]; then
    (cd tests && "$api_bin")
  else
    cargo test --workspace --test api
  fi
fi

say "browser tests (headless Chromium)"
# The workspace test build above already linked target/debug/server (the server's own
# integration tests need it); building it with `cargo build` would resolve other features.
[ -x target/debug/server ] || cargo build -p server
node --test tests/browser/
