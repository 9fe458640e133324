// beffroi-pcap-count FILE: the raw libpcap read loop, the floor bench/net_read.sh compares
// beffroi-net with. Opens FILE with pcap_open_offline, calls pcap_next_ex until the end, and
// prints the packet count and the captured bytes (sum of caplen). Nothing else: no decoding,
// no allocation per packet. Exit codes: 0 ok, 1 read error, 2 usage error.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <memory>

namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: beffroi-pcap-count FILE\n");
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  std::unique_ptr<pcap_t, PcapCloser> pcap(pcap_open_offline(argv[1], errbuf));
  if (!pcap) {
    std::fprintf(stderr, "beffroi-pcap-count: %s: %s\n", argv[1], errbuf);
    return 1;
  }
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(pcap.get(), &header, &data)) == 1) {
    ++packets;
    bytes += header->caplen;
  }
  if (rc == PCAP_ERROR) {
    std::fprintf(stderr, "beffroi-pcap-count: %s: %s (after %llu packets)\n", argv[1],
                 pcap_geterr(pcap.get()), static_cast<unsigned long long>(packets));
    return 1;
  }
  std::printf("%llu packets %llu bytes\n", static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(bytes));
  return 0;
}
