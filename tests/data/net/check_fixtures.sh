#!/usr/bin/env bash
# Checks beffroi-gen-pcaps' fixtures against independent readers:
#   - two runs write byte-identical trees (determinism);
#   - tshark reads every good fixture with checksum validation on and reports no malformed
#     packet, no bad checksum and no error-level expert info;
#   - the names tshark extracts (DNS query names, HTTP hosts, URIs, user agents, TLS SNIs) are
#     exactly expected/<fixture>.txt;
#   - tcpdump reads every good fixture, and refuses the unreadable bad ones.
#   tests/data/net/check_fixtures.sh GEN_BINARY [--keep DIR]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 GEN_BINARY [--keep DIR]" >&2; exit 2; }
gen=$1
work=$(mktemp -d)
if [ "${2:-}" = --keep ]; then
  rmdir "$work"; work=$3; rm -rf "$work"; mkdir -p "$work"
else
  trap 'rm -rf "$work"' EXIT
fi
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$gen" fixtures "$work/a" > /dev/null
"$gen" fixtures "$work/b" > /dev/null
diff -r "$work/a" "$work/b" > /dev/null || fail "two runs wrote different bytes"

for f in "$work"/a/*.pcap "$work"/a/*.pcapng; do
  name=$(basename "$f")
  stem=${name%.*}
  tshark -r "$f" -V -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -o udp.check_checksum:TRUE > "$work/verbose.txt" 2>&1 || fail "$name: tshark exit $?"
  if grep -nE 'Malformed|Expert Info \(Error|\[Bad checksum|incorrect, should be|Exception' \
      "$work/verbose.txt" > "$work/errors.txt"; then
    fail "$name: tshark complains:"; head -5 "$work/errors.txt" >&2
  fi
  tshark -r "$f" -T fields -E separator=/t -E 'aggregator=|' -e dns.qry.name -e http.host \
    -e http.request.uri -e http.user_agent -e tls.handshake.extensions_server_name 2> /dev/null |
    awk -F'\t' 'BEGIN { split("dns host uri ua sni", kind, " ") }
      { for (i = 1; i <= 5; i++) { n = split($i, v, "|"); for (j = 1; j <= n; j++)
          if (v[j] != "") print kind[i] "\t" v[j] } }' | LC_ALL=C sort -u > "$work/got.txt"
  if ! diff "$work/a/expected/$stem.txt" "$work/got.txt" > "$work/diff.txt"; then
    fail "$name: tshark's names differ from expected/$stem.txt (< expected, > tshark):"
    cat "$work/diff.txt" >&2
  fi
  tcpdump -nn -r "$f" > /dev/null 2> "$work/tcpdump.txt" ||
    fail "$name: tcpdump: $(cat "$work/tcpdump.txt")"
done

# Files no reader can open at all.
for bad in empty garbage huge-caplen; do
  if tcpdump -nn -r "$work/a/bad/$bad.pcap" > /dev/null 2>&1; then
    fail "bad/$bad.pcap: tcpdump read it without an error"
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "fixtures ok: $(ls "$work"/a/*.pcap* | wc -l) good captures checked with tshark and tcpdump"
