#!/usr/bin/env bash
# The scanner against ripgrep, on a release build:
#   1. makes a corpus of at least 50 MB (bench/scanner_corpus.py: source, configs, logs, CSV
#      with personal data, planted secrets and look-alikes, ignored and binary files) with a
#      truth file of what was planted;
#   2. starts the demo portal and saves its rules (`GET /api/v1/scan/rules`), as a CI step would;
#   3. runs `server scan` (one thread) and `rg -j1` with the very same regular expressions
#      (`server scan --print-patterns`) over the corpus, three times each, and prints the best
#      throughput of each and their ratio (ripgrep only finds candidates; the scanner also
#      validates them and locates each finding);
#   4. scores both against the truth: precision and recall per class, and ripgrep's raw
#      matches that are not planted items;
#   5. `POST /api/v1/scan` with a 10 KB text at 8 connections (wrk, after a 3 s warm-up):
#      throughput and p99;
#   6. the scanner's peak memory over a 1 GB stream on standard input.
#
# Usage: bench/scanner.sh         (DATABASE_URL, or a private throw-away PostgreSQL)
# Needs: ripgrep, wrk, python3 (Debian packages `ripgrep`, `wrk`; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SIZE_MB=${SIZE_MB:-60}
STREAM_GB=${STREAM_GB:-1}
DURATION=${DURATION:-10s}
command -v rg >/dev/null || { say "installing ripgrep"; apt_install ripgrep; }
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk; }
[ -x /usr/bin/time ] || { say "installing time"; apt_install time; }

work=$(mktemp -d "${TMPDIR:-/tmp}/scanner-bench.XXXXXX")
cleanup() { stop_portal; stop_private_postgres; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the release server"
SQLX_OFFLINE=true cargo build --release --locked -p server --bin server 2>&1 | tail -1
server=$PWD/target/release/server

say "making a ${SIZE_MB} MB corpus"
python3 bench/scanner_corpus.py make "$work" --size-mb "$SIZE_MB" --seed 7 >"$work/made.txt"
head -1 "$work/made.txt"

if [ -z "${DATABASE_URL:-}" ]; then
  start_private_postgres "$server" --ephemeral
fi
start_portal "$server" --demo --database-url "$DATABASE_URL" --totp-key-file "$work/totp.key" \
  --signing-key-dir "$work/signing" --api-calls-per-minute 1000000000
token=$("$server" token create --database-url "$DATABASE_URL" \
  --email eli.employee@northwind.example --name scanner-bench --scope read 2>/dev/null)
curl -sf -H "Authorization: Bearer $token" "$PORTAL_URL/api/v1/scan/rules" >"$work/rules.json"
"$server" scan --rules "$work/rules.json" --print-patterns >"$work/patterns"
say "$(wc -l <"$work/patterns") detectors, one pass"

corpus_mb=$(du -sm --apparent-size "$work/corpus" | cut -f1)
# Best of three wall-clock seconds of "$@" (output to $out), pinned to one core.
best_of_three() {
  local out=$1; shift
  local best=
  for _ in 1 2 3; do
    local start end took
    start=$(date +%s.%N)
    taskset -c 0 "$@" >"$out" || true
    end=$(date +%s.%N)
    took=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$took < $best" | bc -l)" = 1 ]; then best=$took; fi
  done
  echo "$best"
}
cd "$work"
say "ripgrep -j1, the same expressions, ${corpus_mb} MB"
rg_s=$(best_of_three rg.txt rg -j1 --no-require-git --no-heading -n -o -f patterns corpus)
say "server scan, ${corpus_mb} MB"
scan_s=$(best_of_three findings.jsonl "$server" scan --rules rules.json --format jsonl corpus)
printf '\nthroughput: server scan %.0f MB/s (%.2f s), rg -j1 %.0f MB/s (%.2f s); scanner/ripgrep = %.2f\n\n' \
  "$(echo "$corpus_mb / $scan_s" | bc -l)" "$scan_s" \
  "$(echo "$corpus_mb / $rg_s" | bc -l)" "$rg_s" \
  "$(echo "$rg_s / $scan_s" | bc -l)"
python3 "$OLDPWD/bench/scanner_corpus.py" score truth.jsonl findings.jsonl --rg rg.txt

say "POST /api/v1/scan, a 10 KB text, 8 connections, $DURATION"
python3 - "$token" >post.lua <<'PY'
import json, sys
lines, n = [], 0
while sum(len(l) + 1 for l in lines) < 10_000:
    n += 1
    lines.append(f"2026-12-07T10:{n % 60:02d}:00Z INFO request handled path=/orders/{n} status=200 in {n % 97} ms")
lines[10] = "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"
lines[40] = "refund to card 4111 1111 1111 1111 approved"
lines[70] = "contact somchai.k@bank.co.th about the ticket"
body = json.dumps({"text": "\n".join(lines), "tool": "chatgpt", "team": "payments"})
print('wrk.method = "POST"')
print(f'wrk.headers["Authorization"] = "Bearer {sys.argv[1]}"')
print('wrk.headers["Content-Type"] = "application/json"')
print(f"wrk.body = {json.dumps(body)}")
PY
# A first run warms the instance (compiled rules, kept answers, the pool's connections) and is
# not reported.
wrk -t2 -c8 -d3s -s post.lua "$PORTAL_URL/api/v1/scan" >/dev/null
wrk -t2 -c8 -d"$DURATION" --latency -s post.lua "$PORTAL_URL/api/v1/scan" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx" || true

rounds=$(( (STREAM_GB * 1024 + corpus_mb - 1) / corpus_mb ))
say "server scan over a $((rounds * corpus_mb)) MB stream on standard input (the corpus $rounds times)"
/usr/bin/time -f "peak RSS %M KB, %e s" -o stream.time \
  bash -c "for _ in \$(seq $rounds); do find corpus -type f -print0 | xargs -0 cat; done | '$server' scan --rules rules.json --format jsonl - >/dev/null" || true
cat stream.time
