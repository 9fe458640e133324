// Capture-file writers for the generator: classic pcap (microsecond or nanosecond magic,
// little-endian) and pcapng blocks (SHB, IDB, EPB, NRB, and arbitrary blocks for the unknown
// and malformed cases), plus a buffered output file.
//
// Writers append to caller-owned buffers; OutputFile owns its FILE* and flushes in large
// writes. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/synth/bytes.h"

namespace beffroi::synth {

// 2026-06-21T06:00:00Z, the first timestamp of every generated capture.
inline constexpr std::uint64_t kBaseTimeNs = 1782021600ULL * 1000000000ULL;

enum class TsResolution { kMicro, kNano };

// One captured frame. orig_len 0 means "the wire length is the captured length".
struct Frame {
  std::uint64_t ts_ns = 0;
  Bytes data;
  std::uint32_t orig_len = 0;
};

inline constexpr std::uint32_t kDefaultSnaplen = 262144;

void AppendPcapFileHeader(Bytes& out, std::uint32_t linktype, TsResolution res,
                          std::uint32_t snaplen = kDefaultSnaplen);
// A record header claiming `caplen` bytes followed by `data` (the writer of a malformed file may
// pass a caplen that does not match data.size()).
void AppendPcapRecordHeader(Bytes& out, std::uint64_t ts_ns, std::uint32_t caplen,
                            std::uint32_t orig_len, TsResolution res);
void AppendPcapRecord(Bytes& out, const Frame& frame, TsResolution res);
Bytes ClassicPcap(const std::vector<Frame>& frames, std::uint32_t linktype, TsResolution res,
                  std::uint32_t snaplen = kDefaultSnaplen);

// pcapng (draft-ietf-opsawg-pcapng). Options are (code, value) pairs; end-of-options is added.
struct PcapngOption {
  std::uint16_t code;
  Bytes value;
};
inline constexpr std::uint32_t kPcapngShb = 0x0A0D0D0A;
inline constexpr std::uint32_t kPcapngIdb = 0x00000001;
inline constexpr std::uint32_t kPcapngNrb = 0x00000004;
inline constexpr std::uint32_t kPcapngEpb = 0x00000006;

// Appends a block: type, total length, body padded to 32 bits, total length again.
void AppendPcapngBlock(Bytes& out, std::uint32_t type, ByteSpan body);
void AppendPcapngOptions(Bytes& body, const std::vector<PcapngOption>& options);
void AppendPcapngShb(Bytes& out, const std::vector<PcapngOption>& options);
void AppendPcapngIdb(Bytes& out, std::uint16_t linktype, std::uint32_t snaplen,
                     const std::vector<PcapngOption>& options);
// EPB on interface 0 whose IDB says if_tsresol = 9 (nanoseconds).
void AppendPcapngEpb(Bytes& out, const Frame& frame);
// NRB with one IPv4 and one IPv6 record.
struct NameRecord {
  bool v6;
  Bytes addr;
  std::string name;
};
void AppendPcapngNrb(Bytes& out, const std::vector<NameRecord>& records);

// Writes a whole file at once; prints the error and returns false on failure.
bool WriteWholeFile(const std::string& path, ByteSpan data);

// Append-only file with a large buffer, for the multi-GiB benchmark capture.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  bool Open(const std::string& path);
  // Takes the bytes of `buffer` and clears it, writing once it holds more than the threshold.
  bool Take(Bytes& buffer, bool force = false);
  bool Close();
  std::uint64_t written() const { return written_; }

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::uint64_t written_ = 0;
};

}  // namespace beffroi::synth
