#!/usr/bin/env bash
# Installs what is missing to build (and with --test, to test) thituyen. Each step is skipped
# when its tool is already present, so a second run costs seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen version in Cargo.lock
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=false
apt_install() {
  if ! $apt_updated; then as_root apt-get update -qq; apt_updated=true; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v cargo >/dev/null || { echo "Rust (cargo) is required: https://rustup.rs"; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if $want_test; then
  if ! command -v chromium >/dev/null; then
    say "installing Chromium for the browser tests"
    apt_install chromium chromium-driver
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "installing Node.js for the browser tests"
    apt_install nodejs npm
  fi
  if [ ! -d tests/browser/node_modules/playwright-core ]; then
    say "installing playwright-core (driver only: it uses Debian's Chromium)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if ! command -v psql >/dev/null; then
    say "note: psql not found; the PostgreSQL pass runs only when TEST_DATABASE_URL is set"
  fi
fi
