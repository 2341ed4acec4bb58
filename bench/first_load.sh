#!/usr/bin/env bash
# Each page's whole first load (bytes on the wire, cache empty), signed in, with and without
# JavaScript, against a release build; fails when a page is over BUDGET_KB (default 200).
# Also prints what a second visit transfers (site files cached) and when hydration finished.
# Usage: bench/first_load.sh   (uses DATABASE_URL, or a private throw-away PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust; ensure_cargo_leptos; ensure_wasm_bindgen; ensure_wasm_opt; ensure_chromium; ensure_e2e_packages
[ -n "${DATABASE_URL:-}" ] || ensure_postgres_binaries

cleanup() { stop_portal; stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${NO_BUILD:-}" ]; then   # NO_BUILD=1: measure the release build already there
  say "building the release portal"
  SQLX_OFFLINE=true cargo leptos build --release 2>&1 | tail -1
fi
precompress_site
server=target/release/server
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres "$server" --ephemeral
fi
keys=$(mktemp -d); chmod 700 "$keys"
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$keys/totp.key" \
  --signing-key-dir "$keys/signing"
say "portal at $PORTAL_URL"
ls -l target/site/pkg/
(cd end2end && PORTAL_URL="$PORTAL_URL" node first-load.mjs)
