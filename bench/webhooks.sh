#!/usr/bin/env bash
# The job queue delivering webhooks: two workers send to a receiver on loopback. Prints the
# delay from a change's commit until the receiver has its delivery (p50, p99, slowest, over 200
# events one at a time) and deliveries per second for 2,000 events committed together.
# The work is server/benches/webhooks.rs, built in release mode.
#
# Usage: bench/webhooks.sh    (uses DATABASE_URL, or a private throw-away PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_rust
[ -n "${DATABASE_URL:-}" ] || ensure_postgres_binaries

cleanup() { stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the benchmark (release)"
# `cargo bench` builds target/release/server too, which starts the private PostgreSQL.
SQLX_OFFLINE=true cargo bench --locked -p server --bench webhooks --no-run 2>&1 | tail -1
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres target/release/server --ephemeral
fi
SQLX_OFFLINE=true cargo bench --locked -p server --bench webhooks
