#!/usr/bin/env bash
# How fast the kill switch reaches every instance: 100 times, a reviewer stops a tool on
# instance A (the kill-switch POST, with a fresh code) and instance B — another `server serve`
# process on the same database — is asked `GET /api/v1/policy/check` until it answers no.
# Prints p50, p99 and the slowest (the target is under 1 s) and the POST's own latency.
# The work is server/benches/kill_switch.rs, built in release mode.
#
# Usage: bench/kill_switch.sh    (uses DATABASE_URL, or a private throw-away PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

cleanup() { stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the benchmark and the server it starts (release)"
# One build: `cargo bench` also builds target/release/server (its second instance), which
# starts the private PostgreSQL too; a separate `cargo build --release` would build everything
# again with other features.
SQLX_OFFLINE=true cargo bench --locked -p server --bench kill_switch --no-run 2>&1 | tail -1
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres target/release/server --ephemeral
fi
SQLX_OFFLINE=true cargo bench --locked -p server --bench kill_switch
