#!/usr/bin/env bash
# Benchmark: on the same corpus and the same rules (the bundled rules/), compare in one run
#   1. yara -r -p N (the YARA CLI alone, externals defined empty),
#   2. beffroi scan --threads N (YARA + SHA-256 + database), first scan of a fresh database,
#   3. beffroi scan again on the unchanged tree (skips by device, inode, size, mtime, rule set).
# Prints first-scan/yara (target <= 1.2) and first/rescan (target >= 10).
#   bench/scan.sh [--threads "1 2"] [--corpus DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="1 2"; corpus=${TMPDIR:-/tmp}/beffroi-bench-corpus
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    *) echo "usage: $0 [--threads LIST] [--corpus DIR]" >&2; exit 2 ;;
  esac
done
scripts/setup >/dev/null
if ! command -v yara >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yara >/dev/null
fi
[ -d "$corpus" ] || build/bench/beffroi-gen-corpus "$corpus"
mapfile -t rules < <(find rules -name '*.yar' -not -path 'rules/ioc/*' | sort)
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
echo "corpus: $files files, $(awk "BEGIN{printf \"%.2f\", $bytes/1073741824}") GiB; ${#rules[@]} rule files; machine: $(nproc) cores"
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null  # warm the page cache for everyone
work=$(mktemp -d)
now() { date +%s.%N; }
printf "%-8s %10s %14s %12s %12s %12s\n" threads "yara (s)" "beffroi 1st (s)" "rescan (s)" "1st/yara" "1st/rescan"
for t in $threads; do
  a=$(now)
  yara -d filename= -d filepath= -d extension= -d filetype= -d md5= -d owner= -r -p "$t" \
    "${rules[@]}" "$corpus" > /dev/null
  b=$(now)
  rm -f "$work/bench.db"*
  build/analyzer/cli/beffroi scan "$corpus" --db "$work/bench.db" --threads "$t" --no-iocs -q \
    --rules-cache "$work/cache" > /dev/null || [ $? -eq 3 ]
  c=$(now)
  build/analyzer/cli/beffroi scan "$corpus" --db "$work/bench.db" --threads "$t" --no-iocs -q \
    --rules-cache "$work/cache" > /dev/null || [ $? -eq 3 ]
  d=$(now)
  awk -v t="$t" -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
    'BEGIN{y=b-a; f=c-b; r=d-c; printf "%-8s %10.2f %14.2f %12.2f %11.2fx %11.1fx\n", t, y, f, r, f/y, f/r}'
done
echo "1st/yara: beffroi's first scan time over the YARA CLI's (<= 1.2 is the target; beffroi also hashes and stores)"
echo "1st/rescan: how much faster the unchanged rescan is (>= 10 is the target)"
rm -rf "$work"
