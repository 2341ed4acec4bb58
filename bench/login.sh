#!/usr/bin/env bash
# Sign-in cost and its effect on everything else, against a release build:
#   1. login latency (p50): one client signing in with the right password, back to back
#      (each sign-in is one argon2id verification at m=19 MiB, t=2, p=1);
#   2. /healthz p99 with nothing else running;
#   3. /healthz p99 while 100 connections send wrong passwords as fast as they can, each attempt
#      for a made-up account from a made-up address of its own (through a trusted proxy), so the
#      per-address and per-account throttles never kick in and every attempt costs a full
#      argon2 verification (a dummy one: the accounts do not exist).
#      Hashing runs on the blocking pool behind a semaphore, so probes should barely notice.
#
# Usage: bench/login.sh            (uses DATABASE_URL, or a private throw-away PostgreSQL)
# Needs: wrk (Debian package `wrk`; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }

cleanup() { stop_portal; stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the release server"
SQLX_OFFLINE=true cargo build --release --locked -p server --bin server 2>&1 | tail -1
server=target/release/server
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres "$server" --ephemeral
fi
key=$(mktemp -d)/totp.key
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$key" --trusted-proxy 127.0.0.1
say "portal at $PORTAL_URL"

scripts=$(mktemp -d)
cat >"$scripts/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=eli.employee%40northwind.example&password=northwind-demo-passphrase"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$PORTAL_URL"
LUA
cat >"$scripts/flood.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$PORTAL_URL"
local n = 0
request = function()
  n = n + 1
  -- A documentation-range address and an account of its own for every attempt.
  wrk.headers["X-Forwarded-For"] = string.format("2001:db8::%x:%x", math.floor(n / 65536), n % 65536)
  return wrk.format(nil, nil, nil, "email=nobody" .. n .. "%40example.com&password=wrong-password-" .. n)
end
LUA

percentile() { # $1 = wrk output, $2 = 50% | 99%
  awk -v p="$2" '$1 == p { print $2 }' <<<"$1"
}

say "1/3 login latency: 1 connection, $DURATION"
out=$(wrk -t1 -c1 -d"$DURATION" --latency -s "$scripts/login.lua" "$PORTAL_URL/api/sign_in")
echo "$out" | sed -n '/Latency Distribution/,/Requests\/sec/p'
login_p50=$(percentile "$out" "50%")

say "2/3 /healthz alone: 4 connections, $DURATION"
out=$(wrk -t2 -c4 -d"$DURATION" --latency "$PORTAL_URL/healthz")
echo "$out" | sed -n '/Latency Distribution/,/Requests\/sec/p'
quiet_p99=$(percentile "$out" "99%")

say "3/3 /healthz while 100 connections send wrong passwords"
wrk -t2 -c100 -d"$((${DURATION%s} + 4))s" -s "$scripts/flood.lua" "$PORTAL_URL/api/sign_in" >"$scripts/flood.out" &
flood=$!
sleep 2
out=$(wrk -t2 -c4 -d"$DURATION" --latency "$PORTAL_URL/healthz")
wait "$flood"
echo "$out" | sed -n '/Latency Distribution/,/Requests\/sec/p'
busy_p99=$(percentile "$out" "99%")
echo "wrong sign-ins meanwhile:"; grep -E "Requests/sec|requests in|Non-2xx" "$scripts/flood.out"

echo
echo "login p50: $login_p50    /healthz p99 alone: $quiet_p99    /healthz p99 under 100 wrong logins: $busy_p99"
