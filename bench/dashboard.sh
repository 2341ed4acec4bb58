#!/usr/bin/env bash
# The compliance dashboards at scale, on a release build:
#   1. loads the demo, then grows it to 500 teams × 10 checklist items with 1,000,000 history
#      rows over the last twelve weeks (and the per-week figures those changes produce);
#   2. signs the demo admin in (password and a TOTP code computed from the printed otpauth URL);
#   3. wrk, one connection (so latency is the server's time plus a loopback round trip):
#      the server-rendered organization dashboard (`GET /dashboard`, admin: every team) and the
#      team API (`GET /api/v1/teams/{slug}/progress`), 10 s each;
# and prints p50 and p95 of each. Target: dashboard p95 ≤ 20 ms.
#
# Usage: bench/dashboard.sh       (uses DATABASE_URL, or a private throw-away PostgreSQL)
# Needs: wrk (Debian package `wrk`, installed when missing) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_wasm_opt
ensure_postgres_binaries
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
command -v psql >/dev/null && psql=psql || psql="$pg_bin/psql"

cleanup() { stop_portal; stop_private_postgres; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the release portal (server and bundle)"
SQLX_OFFLINE=true cargo leptos build --release 2>&1 | grep -v '^ *Compiling' | tail -3
server=target/release/server
if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres "$server" --ephemeral
fi
key=$(mktemp -d)/totp.key
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$key" --site-root target/site
say "portal at $PORTAL_URL"

say "growing the demo to 500 teams × 10 items and 1,000,000 history rows"
"$psql" -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
INSERT INTO teams (slug, name, description)
SELECT 'bench-team-' || n, 'Bench team ' || lpad(n::text, 3, '0'), ''
FROM generate_series(1, 500 - (SELECT count(*) FROM teams)) AS n;
-- A current row per bench team and item: a status, and the week (0 to 11 ago) it was reached.
CREATE TEMP TABLE plan AS
SELECT t.team_id, i.item_id, i.number,
       (ARRAY['not_started', 'in_progress', 'done', 'done', 'not_applicable'])[1 + (abs(hashtext(t.slug || i.number)) % 5)] AS status,
       abs(hashtext(i.number || t.slug)) % 12 AS weeks_ago
FROM teams t CROSS JOIN checklist_items i
WHERE t.slug LIKE 'bench-team-%' AND i.retired_in_version IS NULL;
INSERT INTO team_checklist_items (team_id, item_id, status, na_reason, due_date, updated_at)
SELECT team_id, item_id, status, CASE WHEN status = 'not_applicable' THEN 'Benchmark' ELSE '' END,
       CASE WHEN status IN ('not_started', 'in_progress') THEN current_date - 30 + (number * 7) END,
       now() - make_interval(weeks => weeks_ago::int)
FROM plan;
INSERT INTO team_checklist_weeks (team_id, week_start, done_delta, na_delta)
SELECT team_id, date_trunc('week', now() - make_interval(weeks => weeks_ago::int))::date,
       count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'not_applicable')
FROM plan GROUP BY 1, 2;
-- The history: 200 changes per team and item, spread over the twelve weeks.
INSERT INTO team_checklist_history (team_id, item_id, at, status)
SELECT p.team_id, p.item_id, now() - make_interval(mins => (g * 500 + p.number)::int), 'in_progress'
FROM plan p CROSS JOIN generate_series(1, 1000000 / (SELECT count(*) FROM plan) + 1) AS g;
ANALYZE;
SQL
"$psql" -tA "$DATABASE_URL" -c "SELECT (SELECT count(*) FROM teams) || ' teams, ' || (SELECT count(*) FROM team_checklist_items) || ' item rows, ' || (SELECT count(*) FROM team_checklist_history) || ' history rows'"

say "signing the demo admin in"
jar=$(mktemp)
admin=nora.admin@northwind.example
url=$(grep -A1 "^ *$admin" "$PORTAL_LOG" | grep -o 'otpauth://[^ ]*' | head -1)
code=$(python3 - "$url" <<'PY'
import base64, hmac, struct, sys, time, urllib.parse
query = urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)
secret = base64.b32decode(query["secret"][0] + "=" * (-len(query["secret"][0]) % 8))
digest = hmac.new(secret, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
offset = digest[-1] & 15
print("%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000))
PY
)
curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $PORTAL_URL" \
  --data-urlencode "email=$admin" --data-urlencode "password=northwind-demo-passphrase" "$PORTAL_URL/api/sign_in"
curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $PORTAL_URL" --data-urlencode "code=$code" "$PORTAL_URL/api/sign_in_code"
# curl marks HttpOnly cookies with a `#HttpOnly_` prefix; the last line is the newest session.
cookie=$(sed 's/^#HttpOnly_//' "$jar" | awk '!/^#/ && NF >= 7 { c = $6 "=" $7 } END { print c }')
status=$(curl -s -o /tmp/dashboard.html -w '%{http_code}' -H "Cookie: $cookie" "$PORTAL_URL/dashboard")
[ "$status" = 200 ] && grep -q "All 500 teams" /tmp/dashboard.html || die "GET /dashboard answered $status without the 500 teams"
token=$("$server" token create --database-url "$DATABASE_URL" --email maya.manager@northwind.example --name bench 2>/dev/null)

scripts=$(mktemp -d)
cat >"$scripts/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("requests %d  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
LUA
cat "$scripts/report.lua" >"$scripts/dashboard.lua"
echo "wrk.headers[\"Cookie\"] = \"$cookie\"" >>"$scripts/dashboard.lua"
cat "$scripts/report.lua" >"$scripts/api.lua"
echo "wrk.headers[\"Authorization\"] = \"Bearer $token\"" >>"$scripts/api.lua"

say "1/2 GET /dashboard (organization, 500 teams), 1 connection, $DURATION"
out=$(wrk -t1 -c1 -d"$DURATION" -s "$scripts/dashboard.lua" "$PORTAL_URL/dashboard")
grep -q "Non-2xx" <<<"$out" && die "some dashboard responses were not 200"
grep "^requests" <<<"$out"
say "2/2 GET /api/v1/teams/payments/progress, 1 connection, $DURATION"
out=$(wrk -t1 -c1 -d"$DURATION" -s "$scripts/api.lua" "$PORTAL_URL/api/v1/teams/payments/progress")
grep -q "Non-2xx" <<<"$out" && die "some API responses were not 200"
grep "^requests" <<<"$out"
