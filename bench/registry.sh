#!/usr/bin/env bash
# The registry API against the database underneath it, on a release build:
#   1. loads the demo organization and fills the registry up to 50 tools;
#   2. wrk, 32 connections for 10 s each, with one token (as a gateway calls):
#      `GET /api/v1/tools` (the first page, 25 tools, with the total) and
#      `GET /api/v1/policy/check` (one tool, data class and team);
#   3. pgbench, 32 clients for 10 s each: the very statement each handler sends, taken from
#      `.sqlx/` by bench/statement.py, prepared with parameters (`-M prepared`) as sqlx does;
#   4. where the time goes: `GET /healthz` (the HTTP stack alone) and `GET /api/v1/me` (the
#      token, cached, and the rate lease alone: no statement per call).
# Prints each endpoint's throughput, its share of pgbench's and its p99. The token, the policy
# answer and the registry page are kept in memory for at most a second (forgotten at once on
# every instance when what they were read from changes) and calls are counted in leases, so a
# steady caller's request runs no statement; a miss runs the handler's one statement, the one
# pgbench runs. On one machine the portal, PostgreSQL and the load generators share the cores.
#
# Usage: bench/registry.sh       (uses DATABASE_URL, or a private throw-away PostgreSQL)
# Needs: wrk and pgbench (Debian packages `wrk`, `postgresql-contrib`/`postgresql`; installed
# when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
ensure_postgres_binaries
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
command -v pgbench >/dev/null && pgbench=pgbench || pgbench="$pg_bin/pgbench"
command -v psql >/dev/null && psql=psql || psql="$pg_bin/psql"

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
# One token makes every call, as a gateway would: its account's limit is raised as an operator
# would for a gateway (the limit is still counted on every call).
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$key" \
  --api-calls-per-minute 1000000000
say "portal at $PORTAL_URL"

say "filling the registry up to 50 tools"
"$psql" -q -v ON_ERROR_STOP=1 "$DATABASE_URL" <<'SQL'
INSERT INTO tools (slug, name, vendor, category, description, status, status_since, distribution,
                   next_review)
SELECT 'bench-tool-' || n, 'Bench Tool ' || n, 'Vendor ' || (n % 7),
       (ARRAY['ai_coding', 'ai_chatbot', 'ai_document', 'other'])[1 + n % 4],
       'A tool added for the benchmark, number ' || n || '.',
       (ARRAY['approved', 'approved_with_conditions', 'retired'])[1 + n % 3],
       current_date, 'saas', current_date + 365
FROM generate_series(1, 50 - (SELECT count(*) FROM tools)) AS n;
INSERT INTO tool_data_classes (tool_id, data_class_id)
SELECT t.tool_id, d.data_class_id FROM tools t, data_classes d
WHERE t.slug LIKE 'bench-tool-%' AND d.slug IN ('internal-documents', 'public-information');
SQL
tools=$("$psql" -tA "$DATABASE_URL" -c "SELECT count(*) FROM tools")
say "$tools tools"
token=$("$server" token create --database-url "$DATABASE_URL" --email eli.employee@northwind.example --name bench 2>/dev/null)

scripts=$(mktemp -d)
cat >"$scripts/token.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
# The statements `backend::registry::tools::search` (first page, no filters) and
# `backend::registry::policy::check_many` send when the answer is not kept.
python3 bench/statement.py "WHEN vendor ILIKE '%' || \$1 || '%' THEN 2" \
  NULL::text NULL::text NULL::text 25 0 NULL::text NULL::text >"$scripts/tools.sql"
python3 bench/statement.py "FROM (SELECT 1) one" :tool :data_class :team >"$scripts/policy.sql"
# The policy check asks for a list of classes (`check_many`: `d.slug = ANY($2)`).
policy_args=(-D tool=claude-code -D 'data_class={internal-documents}' -D team=payments)
policy_path="/api/v1/policy/check?tool=claude-code&data_class=internal-documents&team=payments"

for path in /api/v1/tools "$policy_path"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$PORTAL_URL$path")
  [ "$status" = 200 ] || die "GET $path answered $status"
done

# CPU seconds used so far by the portal and by PostgreSQL (utime + stime of every running
# process of that name); the difference over the run says where the two cores went.
cpu_seconds() {
  # A process may exit between the glob and the read: cat then fails, which is fine here.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v tck="$(getconf CLK_TCK)" '
    { n[$2] += $14 + $15 }
    END { printf "%.2f %.2f\n", n["(server)"] / tck, n["(postgres)"] / tck }'
}

# Samples cpu_seconds from 1 s into the run to 1 s before its end (pgbench's backends exit
# with it, and their time with them), while the command "$@" runs for $DURATION.
with_cpu() {
  local d=${DURATION%s} before after
  "$@" >"$scripts/run.out" 2>&1 &
  local pid=$!
  sleep 1; before=$(cpu_seconds)
  sleep "$((d - 2))"; after=$(cpu_seconds)
  wait "$pid" || { cat "$scripts/run.out" >&2; die "$1 failed"; }
  cpu_report "$before" "$after" "$((d - 2))" >"$scripts/cpu.out"
}

cpu_report() { # $1, $2 = cpu_seconds before and after, $3 = seconds between them
  awk -v before="$1" -v after="$2" -v d="$3" -v cores="$(nproc)" 'BEGIN {
    split(before, b, " "); split(after, a, " ")
    s = a[1] - b[1]; p = a[2] - b[2]; all = cores * d
    printf "CPU over the run (%d cores x %d s = %d s): portal %.1f s, PostgreSQL %.1f s, load generator and the rest %.1f s\n",
      cores, d, all, s, p, all - s - p
  }'
}

# wrk against the API path $2 and pgbench on the statement file $3 (more pgbench arguments
# after it); prints the comparison and appends its summary line to $scripts/summary.
compare() {
  local name=$1 path=$2 sql=$3; shift 3
  say "$name: wrk GET $path, $CONNECTIONS connections, $DURATION"
  with_cpu wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$scripts/token.lua" "$PORTAL_URL$path"
  local out api_rps api_p99 db_tps
  out=$(cat "$scripts/run.out")
  echo "$out" | sed -n '/Latency Distribution/,/Transfer/p'
  grep -q "Non-2xx" <<<"$out" && die "some API responses were not 200"
  api_rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
  api_p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  cat "$scripts/cpu.out"
  say "$name: pgbench, the same statement, $CONNECTIONS clients, $DURATION"
  with_cpu "$pgbench" -n -M prepared -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" -f "$sql" "$@" "$DATABASE_URL"
  out=$(cat "$scripts/run.out")
  echo "$out" | grep -E "latency average|tps"
  cat "$scripts/cpu.out"
  db_tps=$(awk '/^tps/ { print $3 }' <<<"$out")
  awk -v name="$name" -v api="$api_rps" -v db="$db_tps" -v p99="$api_p99" 'BEGIN {
    printf "%-13s API %6.0f req/s (p99 %s)   pgbench %6.0f tps   API/pgbench %3.0f%%\n", name ":", api, p99, db, 100 * api / db
  }' >>"$scripts/summary"
}

compare "tools" /api/v1/tools "$scripts/tools.sql"
compare "policy check" "$policy_path" "$scripts/policy.sql" "${policy_args[@]}"

# PROFILE=1: where the CPU goes during the policy check's load, whole machine (portal,
# PostgreSQL, wrk), by process and function (perf, software clock: no hardware counters needed).
if [ "${PROFILE:-}" = 1 ]; then
  command -v perf >/dev/null || { say "installing perf"; apt_install linux-perf; }
  say "profile: perf record -a during the policy check's load"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$scripts/token.lua" "$PORTAL_URL$policy_path" >/dev/null &
  load=$!
  sleep 1
  perf record -q -a -e cpu-clock -F 499 -o "$scripts/perf.data" -- sleep "$(( ${DURATION%s} - 2 ))" 2>/dev/null
  wait "$load"
  # (head closes the pipe early: not a failure.)
  { perf report -i "$scripts/perf.data" --stdio --no-children --sort comm,dso --percent-limit 2 \
      | grep -v -e '^#' -e '^$' | head -15; } 2>/dev/null || true
  say "profile: the portal's worker threads by function"
  { perf report -i "$scripts/perf.data" --stdio --no-children --comm tokio-rt-worker --sort dso,sym \
      --percent-limit 0.5 | grep -v -e '^#' -e '^$' | head -25; } 2>/dev/null || true
fi

# Where the time goes: the HTTP stack alone, and a cached token with its rate lease alone.
say "breakdown: GET /healthz and GET /api/v1/me, $CONNECTIONS connections, $DURATION each"
out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$PORTAL_URL/healthz")
healthz_rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$scripts/token.lua" "$PORTAL_URL/api/v1/me")
me_rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")

echo
cat "$scripts/summary"
echo "/healthz: $healthz_rps req/s   /api/v1/me: $me_rps req/s"
