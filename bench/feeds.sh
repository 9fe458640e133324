#!/usr/bin/env bash
# Benchmark: IOC feeds at city scale. On generated data (bench/gen_feeds.cc: one host bundle of
# --observations events, a CSV feed of --indicators entries, about 1,000 of them planted in
# the observations), in one run:
#   1. ingest: beffroi analyze BUNDLE into a fresh database (events per second; target
#      >= 100,000/s), against sqlite3's own CSV .import of the bundle's file hashes as peer;
#   2. import + retro-hunt: beffroi ioc import FEED (target < 60 s for 1M x 1M), against
#      `grep -F -f` of the feed's hashes over the observed hashes (the hash part only) and
#      sqlite3 .import of the feed;
#   3. search: beffroi search for one hash, one domain and one address (best of 5, the whole
#      process; target < 50 ms each), against the sqlite3 CLI running the same lookup.
# Prints the machine (cores, CPU model, memory) and the ratios.
#   bench/feeds.sh [--observations N] [--indicators M] [--cache DIR]
# Environment: BUILD_DIR (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
n=1000000; m=1000000; cache=${TMPDIR:-/tmp}/beffroi-bench-feeds
build=${BUILD_DIR:-build}
while [ $# -gt 0 ]; do
  case "$1" in
    --observations) n=$2; shift 2 ;;
    --indicators) m=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    *) echo "usage: $0 [--observations N] [--indicators M] [--cache DIR]" >&2; exit 2 ;;
  esac
done
command -v sqlite3 > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 > /dev/null; }
if [ ! -f "$build/build.ninja" ]; then scripts/setup > /dev/null; fi
cmake --build "$build" --target beffroi beffroi-gen-feeds > /dev/null
bin=$build/analyzer/cli/beffroi
data=$cache/$n-$m
if [ ! -f "$data/probe.txt" ]; then
  rm -rf "$data"
  "$build/bench/beffroi-gen-feeds" "$data" --observations "$n" --indicators "$m" --hits 1000 > /dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }

model=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
echo "machine: $(nproc) cores, ${model:-unknown CPU}, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "data: $n observations, $m indicators ($data)"
cat "$data/bundle/events.ndjson" > /dev/null  # warm the page cache
db=$work/city.db

# 1. Ingest.
t0=$(now)
"$bin" analyze "$data/bundle" --db "$db" --no-iocs --as bench > /dev/null
t1=$(now)
ingest=$(secs "$t0" "$t1")
rate=$(awk "BEGIN{printf \"%.0f\", $n / ($t1 - $t0)}")
t0=$(now)
sqlite3 "$work/peer.db" "CREATE TABLE f(sha256 TEXT); CREATE INDEX f_sha ON f(sha256);" \
  ".import $data/observed.txt f"
t1=$(now)
peer_ingest=$(secs "$t0" "$t1")
rows=$(wc -l < "$data/observed.txt")

# 2. Import and retro-hunt.
t0=$(now)
set +e
out=$("$bin" ioc import "$data/feed.csv" --db "$db" --name bench --as bench --json)
code=$?
set -e
t1=$(now)
[ "$code" -eq 0 ] || [ "$code" -eq 3 ] || { echo "import failed ($code)" >&2; exit 1; }
import=$(secs "$t0" "$t1")
hits=$(printf '%s' "$out" | awk -F': ' '/"new_detections"/{gsub(/[ ,]/, "", $2); print $2; exit}')
t0=$(now)
grep -F -c -f "$data/hashes.txt" "$data/observed.txt" > /dev/null || true
t1=$(now)
grep_time=$(secs "$t0" "$t1")
t0=$(now)
sqlite3 "$work/peer.db" "CREATE TABLE i(type TEXT, value TEXT, score INT, comment TEXT);" \
  ".import --csv --skip 1 $data/feed.csv i" "CREATE INDEX i_v ON i(type, value);"
t1=$(now)
peer_import=$(secs "$t0" "$t1")

# 3. Search, best of 5 (whole process).
best_of() {
  local best=""
  for _ in 1 2 3 4 5; do
    local a b
    a=$(now); "$@" > /dev/null; b=$(now)
    local ms; ms=$(awk "BEGIN{printf \"%.1f\", ($b - $a) * 1000}")
    if [ -z "$best" ] || awk "BEGIN{exit !($ms < $best)}"; then best=$ms; fi
  done
  echo "$best"
}
{ read -r hash; read -r domain; read -r ip; } < "$data/probe.txt"
s_hash=$(best_of "$bin" search --hash "$hash" --db "$db" --json)
s_domain=$(best_of "$bin" search --domain "$domain" --db "$db" --json)
s_ip=$(best_of "$bin" search --ip "$ip" --db "$db" --json)
p_hash=$(best_of sqlite3 "$db" "SELECT * FROM file_observations WHERE sha256 = '$hash'")

printf "\n%-34s %12s %14s %8s\n" "step" "beffroi" "peer" "ratio"
printf "%-34s %10ss %12ss %8s  (%s events/s; peer: sqlite3 .import of %s hashes)\n" \
  "ingest (analyze)" "$ingest" "$peer_ingest" "$(ratio "$ingest" "$peer_ingest")" "$rate" "$rows"
printf "%-34s %10ss %12ss %8s  (%s new detections; peer: grep -F -f, hashes only)\n" \
  "ioc import + retro-hunt" "$import" "$grep_time" "$(ratio "$import" "$grep_time")" "${hits:-?}"
printf "%-34s %10s %12ss %8s\n" "  (peer: sqlite3 .import of feed)" "" "$peer_import" \
  "$(ratio "$import" "$peer_import")"
printf "%-34s %9sms %11sms %8s\n" "search --hash" "$s_hash" "$p_hash" "$(ratio "$s_hash" "$p_hash")"
printf "%-34s %9sms\n" "search --domain" "$s_domain"
printf "%-34s %9sms\n" "search --ip" "$s_ip"
echo
awk "BEGIN{exit !($rate >= 100000)}" && echo "ingest >= 100,000 events/s: yes" || echo "ingest >= 100,000 events/s: NO ($rate)"
awk "BEGIN{exit !($import < 60)}" && echo "import + retro-hunt < 60 s: yes" || echo "import + retro-hunt < 60 s: NO"
awk "BEGIN{exit !($s_hash < 50 && $s_domain < 50 && $s_ip < 50)}" && echo "search < 50 ms: yes" || echo "search < 50 ms: NO"
