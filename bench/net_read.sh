#!/usr/bin/env bash
# Benchmark: reading one generated capture (a municipal traffic mix, 1 GiB by default) in one run:
#   1. beffroi-pcap-count FILE (a bare libpcap pcap_next_ex loop: the floor),
#   2. tcpdump -r FILE -w /dev/null,
#   3. tshark -T fields (DNS names, HTTP host/URI/user agent, TLS SNI), on a prefix of the file
#      (--tshark-mib, default 100: tshark takes minutes per GiB); rates are compared, not times,
#   4. beffroi-net read FILE --out DIR (default payload samples),
#   5. beffroi-net read FILE --out DIR --stream-sample-kib 0 --no-http-bodies (no samples).
#   6. openssl dgst -sha256 FILE: the custody hash of the input alone, which beffroi-net
#      also computes (with the same library).
# Best of --runs (default 3) wall-clock times and least CPU time (user + system of all threads),
# page cache warm; peak RSS from GNU time. Prints packets/s, MB/s (file bytes / s, 10^6) and
# peak RSS for each, then beffroi-net / tshark rate (target >= 30x), beffroi-net / raw loop rate
# (target >= 0.40), the same ratios per CPU second (steadier when others share the machine) and
# beffroi-net RSS (< 256 MiB).
#   bench/net_read.sh [--size 1GiB] [--runs 3] [--cache DIR] [--tshark-mib 100]
# Environment: BUILD_DIR (default build/; configured and built here when missing),
# NET_READ_SIZE, NET_READ_CACHE (default /tmp/beffroi-bench-pcap), NET_BIN (the beffroi-net
# to measure, default BUILD_DIR's: compare two builds on one capture). The capture is generated
# once per size into the cache and reused; nothing is dropped from the page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${NET_READ_SIZE:-1GiB}; runs=3; cache=${NET_READ_CACHE:-/tmp/beffroi-bench-pcap}
tshark_mib=100
build=${BUILD_DIR:-build}
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --tshark-mib) tshark_mib=$2; shift 2 ;;
    *) echo "usage: $0 [--size 1GiB] [--runs N] [--cache DIR] [--tshark-mib N]" >&2; exit 2 ;;
  esac
done

# Tools: tcpdump, tshark, openssl and GNU time (for peak RSS), installed only when missing.
missing=()
command -v tcpdump > /dev/null || missing+=(tcpdump)
command -v tshark > /dev/null || missing+=(tshark)
[ -x /usr/bin/time ] || missing+=(time)
command -v openssl > /dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

# Build what is needed; beffroi-net is optional until it exists.
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBEFFROI_WERROR=ON > /dev/null
fi
cmake --build "$build" --target beffroi-pcap-count beffroi-gen-pcaps > /dev/null
count_bin=$build/bench/beffroi-pcap-count
gen_bin=$build/tests/data/net/beffroi-gen-pcaps
net_bin=${NET_BIN:-$build/agents/net/beffroi-net}
net_note=""
if [ -n "${NET_BIN:-}" ]; then
  [ -x "$net_bin" ] || net_note="NET_BIN=$net_bin is not an executable"
elif [ -d "$build/agents/net/CMakeFiles/beffroi-net.dir" ]; then  # CMake made the target
  cmake --build "$build" --target beffroi-net > /dev/null 2>&1 ||
    net_note="beffroi-net failed to build"
else
  net_note="no beffroi-net target in $build (agents/net/main.cc not there yet)"
fi
if [ -z "$net_note" ] && [ ! -x "$net_bin" ]; then net_note="$net_bin missing after the build"; fi

mkdir -p "$cache"
pcap=$cache/bench-$size.pcap
# Regenerated when the generator binary changes (its hash is kept next to the capture).
gen_hash=$(sha256sum "$gen_bin" | cut -d' ' -f1)
if [ ! -s "$pcap" ] || [ "$(cat "$pcap.generator" 2> /dev/null)" != "$gen_hash" ]; then
  echo "generating $pcap ..."
  rm -f "$cache/bench-$size-first-"*
  "$gen_bin" bench "$pcap.tmp" --size "$size" --seed 1
  mv "$pcap.tmp" "$pcap"
  echo "$gen_hash" > "$pcap.generator"
fi
cat "$pcap" > /dev/null  # warm the page cache once
read -r packets _ bytes _ < <("$count_bin" "$pcap")

# tshark's input: the first --tshark-mib MiB, cut at a record boundary by tcpdump -c.
prefix=$pcap
prefix_packets=$packets; prefix_bytes=$bytes
if [ "$((tshark_mib * 1048576))" -lt "$(stat -c %s "$pcap")" ]; then
  prefix=$cache/bench-$size-first-${tshark_mib}MiB.pcap
  if [ ! -s "$prefix" ]; then
    n=$(awk -v p="$packets" -v m="$tshark_mib" -v s="$(stat -c %s "$pcap")" \
      'BEGIN { printf "%d", p * m * 1048576 / s }')
    tcpdump -r "$pcap" -c "$n" -w "$prefix" 2> /dev/null
  fi
  cat "$prefix" > /dev/null
  read -r prefix_packets _ prefix_bytes _ < <("$count_bin" "$prefix")
fi
file_bytes=$(stat -c %s "$pcap")
prefix_file_bytes=$(stat -c %s "$prefix")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
# measure CMD...: best wall time over $runs runs, least CPU time (user + system, all threads)
# and the largest peak RSS (KiB); sets best, cpu and rss, or returns 1 when the command fails.
# On a shared machine the CPU time is the steadier figure: others' load stretches wall time.
measure() {
  best=""; cpu=""; rss=0
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    local a b
    a=$(now)
    if ! /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" > /dev/null 2> "$work/stderr"; then
      echo "  $(basename "$1") failed: $(tail -2 "$work/stderr" | tr '\n' ' ')" >&2
      return 1
    fi
    b=$(now)
    local s r c
    s=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b - a }')
    read -r r c < <(tail -1 "$work/time" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
    best=$(printf "%s\n%s\n" "$s" "$best" | grep . | sort -g | head -1)
    cpu=$(printf "%s\n%s\n" "$c" "$cpu" | grep . | sort -g | head -1)
    if [ "$r" -gt "$rss" ]; then rss=$r; fi
  done
  return 0
}
declare -A rate cpu_rate
row() {  # row LABEL PACKETS FILE_BYTES
  rate[$1]=$(awk -v p="$2" -v s="$best" 'BEGIN { printf "%.0f", p / s }')
  cpu_rate[$1]=$(awk -v p="$2" -v c="$cpu" 'BEGIN { printf "%.0f", p / (c > 0 ? c : 0.01) }')
  awk -v l="$1" -v s="$best" -v c="$cpu" -v p="$2" -v b="$3" -v r="$rss" \
    'BEGIN { printf "%-44s %9.2f %8.2f %12.0f %9.1f %8d MiB\n", l, s, c, p / s, b / s / 1e6, r / 1024 }'
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mib=$(awk -v b="$file_bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "capture: $pcap, $packets packets, $mib MiB"
if [ "$prefix" != "$pcap" ]; then
  echo "tshark reads the first $tshark_mib MiB ($prefix_packets packets): compare rates, not times"
fi
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $mem RAM, load $(cut -d' ' -f1 /proc/loadavg)"
echo "best of $runs runs, page cache warm; peak RSS from GNU time (%M)"
printf "%-44s %9s %8s %12s %9s %12s\n" tool "time (s)" "CPU (s)" packets/s MB/s "peak RSS"
measure "$count_bin" "$pcap" && row "beffroi-pcap-count (raw libpcap loop)" "$packets" "$file_bytes"
measure tcpdump -r "$pcap" -w /dev/null && row "tcpdump -r -w /dev/null" "$packets" "$file_bytes"
# The SHA-256 of the input that beffroi-net records for the chain of custody, alone, with the
# same OpenSSL code: a floor for any reader that hashes its input (beffroi-net does it on a
# thread of its own). coreutils' sha256sum does not use the CPU's SHA instructions.
measure openssl dgst -sha256 "$pcap" &&
  row "openssl dgst -sha256 (the custody hash)" "$packets" "$file_bytes"
measure tshark -r "$prefix" -T fields -e frame.number -e dns.qry.name -e http.host \
  -e http.request.uri -e http.user_agent -e tls.handshake.extensions_server_name &&
  row "tshark -T fields (dns/http/tls)" "$prefix_packets" "$prefix_file_bytes"
if [ -n "$net_note" ]; then
  echo "beffroi-net: skipped ($net_note)"
else
  measure "$net_bin" read "$pcap" --out "$work/out" &&
    row "beffroi-net read --out (default samples)" "$packets" "$file_bytes" && net_rss=$rss
  measure "$net_bin" read "$pcap" --out "$work/out" --stream-sample-kib 0 --no-http-bodies &&
    row "beffroi-net read --out (no samples)" "$packets" "$file_bytes" &&
    net_rss=$((rss > ${net_rss:-0} ? rss : ${net_rss:-0}))
fi

raw=${rate["beffroi-pcap-count (raw libpcap loop)"]:-}
tsh=${rate["tshark -T fields (dns/http/tls)"]:-}
tsh_cpu=${cpu_rate["tshark -T fields (dns/http/tls)"]:-}
raw_cpu=${cpu_rate["beffroi-pcap-count (raw libpcap loop)"]:-}
sha=${rate["openssl dgst -sha256 (the custody hash)"]:-}
for label in "beffroi-net read --out (default samples)" "beffroi-net read --out (no samples)"; do
  r=${rate[$label]:-}
  [ -n "$r" ] || continue
  c=${cpu_rate[$label]:-}
  [ -n "$tsh" ] && awk -v l="$label" -v a="$r" -v b="$tsh" -v ca="$c" -v cb="$tsh_cpu" \
    'BEGIN { printf "%s / tshark rate: %.1fx (target >= 30x); per CPU second: %.1fx\n", l, a / b, ca / cb }'
  [ -n "$raw" ] && awk -v l="$label" -v a="$r" -v b="$raw" -v ca="$c" -v cb="$raw_cpu" \
    'BEGIN { printf "%s / raw loop rate: %.2f (target >= 0.40); per CPU second: %.2f\n", l, a / b, ca / cb }'
done
[ -n "$sha" ] && [ -n "$raw" ] && awk -v a="$sha" -v b="$raw" \
  'BEGIN { printf "openssl sha256 / raw loop rate: %.2f (hashing the input alone)\n", a / b }'
if [ -n "${net_rss:-}" ]; then
  echo "beffroi-net peak RSS: $((net_rss / 1024)) MiB (target < 256 MiB)"
fi
