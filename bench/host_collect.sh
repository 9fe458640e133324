#!/usr/bin/env bash
# Benchmark: beffroi-host collect (SHA-256 only, samples and host facts off) against
# `find -print0 | xargs -0 -P N sha256sum` at the same parallelism, on the same generated
# corpus (>= 20,000 files, >= 1 GiB, empty to 50 MiB), page cache warm for both. Prints the
# ratio per thread count and beffroi's peak RSS.
#   bench/host_collect.sh [--threads "1 2 4"] [--runs 3] [--corpus DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="1 2 4"; runs=3; corpus=${TMPDIR:-/tmp}/beffroi-bench-corpus
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    *) echo "usage: $0 [--threads LIST] [--runs N] [--corpus DIR]" >&2; exit 2 ;;
  esac
done
scripts/setup >/dev/null
if ! command -v /usr/bin/time >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
bin=build/agents/host/beffroi-host
[ -d "$corpus" ] || build/bench/beffroi-gen-corpus "$corpus"
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
echo "corpus: $files files, $(awk "BEGIN{printf \"%.2f\", $bytes/1073741824}") GiB  machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null  # warm the page cache

out=$(mktemp -d)
best() { sort -g | head -1; }
time_beffroi() {  # prints "seconds rss_kib"
  rm -rf "$out/b"
  /usr/bin/time -f "%e %M" -o "$out/t" "$bin" collect "$corpus" --out "$out/b" --threads "$1" \
    --no-samples --no-host-facts -q > /dev/null
  cat "$out/t"
}
time_sha256sum() {
  /usr/bin/time -f "%e" -o "$out/t" sh -c "find '$corpus' -type f -print0 | xargs -0 -P $1 -n 64 sha256sum > /dev/null"
  cat "$out/t"
}
printf "%-8s %14s %14s %8s %12s\n" threads "beffroi (s)" "sha256sum (s)" ratio "peak RSS"
for t in $threads; do
  b_best=""; rss=0; s_best=""
  for _ in $(seq "$runs"); do
    read -r s r < <(time_beffroi "$t")
    b_best=$(printf "%s\n%s\n" "$s" "$b_best" | grep . | best)
    [ "$r" -gt "$rss" ] && rss=$r
    s2=$(time_sha256sum "$t")
    s_best=$(printf "%s\n%s\n" "$s2" "$s_best" | grep . | best)
  done
  ratio=$(awk "BEGIN{printf \"%.2fx\", $s_best/$b_best}")
  printf "%-8s %14s %14s %8s %9s MiB\n" "$t" "$b_best" "$s_best" "$ratio" "$((rss / 1024))"
done
echo "ratio = sha256sum pipeline time / beffroi time (higher is better; > 1 means beffroi is faster)"
rm -rf "$out"
