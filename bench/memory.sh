#!/usr/bin/env bash
# The portal's memory under load, on a release build (issue 13, target: RSS ≤ 80 MB):
#   1. RSS idle after start (demo organization loaded);
#   2. RSS after 1,000 sign-ins, 100 at a time: each attempt names an account of its own from an
#      address of its own (through a trusted proxy), so no throttle kicks in and every one costs
#      a full argon2id verification (m = 19 MiB);
#   3. RSS after a further 60 s of `GET /tools` (the registry page, signed in) at 32 connections.
# RSS is read from /proc (VmRSS) after each phase, once the load has stopped.
#
# Usage: bench/memory.sh         (uses DATABASE_URL, or a private throw-away PostgreSQL)
# Needs: wrk (Debian package `wrk`; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SIGN_INS=${SIGN_INS:-1000}
LOAD=${LOAD:-60s}
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }

cleanup() { stop_portal; stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${NO_BUILD:-}" ]; then   # NO_BUILD=1: measure the release build already there
  say "building the release server"
  SQLX_OFFLINE=true cargo build --release --locked -p server --bin server 2>&1 | tail -1
fi
server=target/release/server
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres "$server" --ephemeral
fi
keys=$(mktemp -d)
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$keys/totp.key" \
  --signing-key-dir "$keys/signing" --trusted-proxy 127.0.0.1
say "portal at $PORTAL_URL (pid $PORTAL_PID)"
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$PORTAL_PID/status"; }

sleep 1
idle=$(rss)
say "idle: $idle MB"

scripts=$(mktemp -d)
# Two wrk threads of 50 connections each stop after SIGN_INS / 2 answers apiece.
cat >"$scripts/sign_ins.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$PORTAL_URL"
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local n, answered = 0, 0
request = function()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("2001:db8:%x::%x", id, n)
  return wrk.format(nil, nil, nil, "email=nobody" .. id .. "-" .. n .. "%40example.com&password=wrong-password-" .. n)
end
response = function()
  answered = answered + 1
  if answered >= $((SIGN_INS / 2)) then wrk.thread:stop() end
end
LUA
say "$SIGN_INS sign-ins, 100 at a time"
# At most two minutes (1,000 take about half a minute): wrk has been seen to stall with one
# thread stopped and the other's connections idle; the count of answers says what was done.
wrk -t2 -c100 -d120s -s "$scripts/sign_ins.lua" "$PORTAL_URL/api/sign_in" | grep -E "requests in|Non-2xx" || true
sleep 1
after_sign_ins=$(rss)
say "after $SIGN_INS sign-ins: $after_sign_ins MB"

# The registry as people see it (`/tools`, rendered on the server), signed in: the API's
# per-account limit (300 calls a minute) would answer most of a benchmark's calls with 429.
cookie=$(curl -s -o /dev/null -D - -X POST "$PORTAL_URL/api/sign_in" -H "Origin: $PORTAL_URL" \
  -H "X-Forwarded-For: 192.0.2.1" \
  --data-urlencode "email=eli.employee@northwind.example" \
  --data-urlencode "password=northwind-demo-passphrase" |
  sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | tail -1)
[ -n "$cookie" ] || die "could not sign in for the registry load"
cat >"$scripts/tools.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
LUA
say "registry load: GET /tools, 32 connections for $LOAD"
wrk -t2 -c32 -d"$LOAD" --latency -s "$scripts/tools.lua" "$PORTAL_URL/tools" | grep -E "Requests/sec|Non-2xx|99%" || true
sleep 1
after_load=$(rss)

echo
echo "RSS idle: $idle MB    after $SIGN_INS sign-ins: $after_sign_ins MB    after $LOAD registry load: $after_load MB"
