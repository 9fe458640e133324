#include "common/synth/capture_file.h"

#include <cerrno>
#include <cstring>

namespace beffroi::synth {
namespace {

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapngByteOrderMagic = 0x1A2B3C4D;
constexpr std::size_t kFlushThreshold = std::size_t{4} << 20;

void PadTo32(Bytes& out) {
  while (out.size() % 4 != 0)
    out.push_back(0);
}

}  // namespace

void AppendPcapFileHeader(Bytes& out, std::uint32_t linktype, TsResolution res,
                          std::uint32_t snaplen) {
  PutLe32(out, res == TsResolution::kNano ? kPcapMagicNano : kPcapMagicMicro);
  PutLe16(out, 2);  // version 2.4
  PutLe16(out, 4);
  PutLe32(out, 0);  // thiszone
  PutLe32(out, 0);  // sigfigs
  PutLe32(out, snaplen);
  PutLe32(out, linktype);
}

void AppendPcapRecordHeader(Bytes& out, std::uint64_t ts_ns, std::uint32_t caplen,
                            std::uint32_t orig_len, TsResolution res) {
  const std::uint64_t sec = ts_ns / 1000000000;
  const std::uint64_t frac = ts_ns % 1000000000;
  PutLe32(out, static_cast<std::uint32_t>(sec));
  PutLe32(out, static_cast<std::uint32_t>(res == TsResolution::kNano ? frac : frac / 1000));
  PutLe32(out, caplen);
  PutLe32(out, orig_len);
}

void AppendPcapRecord(Bytes& out, const Frame& frame, TsResolution res) {
  const auto caplen = static_cast<std::uint32_t>(frame.data.size());
  AppendPcapRecordHeader(out, frame.ts_ns, caplen, frame.orig_len != 0 ? frame.orig_len : caplen,
                         res);
  PutBytes(out, frame.data);
}

Bytes ClassicPcap(const std::vector<Frame>& frames, std::uint32_t linktype, TsResolution res,
                  std::uint32_t snaplen) {
  Bytes out;
  AppendPcapFileHeader(out, linktype, res, snaplen);
  for (const Frame& f : frames)
    AppendPcapRecord(out, f, res);
  return out;
}

void AppendPcapngBlock(Bytes& out, std::uint32_t type, ByteSpan body) {
  const std::size_t padded = (body.size() + 3) / 4 * 4;
  const auto total = static_cast<std::uint32_t>(12 + padded);
  PutLe32(out, type);
  PutLe32(out, total);
  PutBytes(out, body);
  PutZeros(out, padded - body.size());
  PutLe32(out, total);
}

void AppendPcapngOptions(Bytes& body, const std::vector<PcapngOption>& options) {
  for (const PcapngOption& o : options) {
    PutLe16(body, o.code);
    PutLe16(body, static_cast<unsigned>(o.value.size()));
    PutBytes(body, o.value);
    PadTo32(body);
  }
  PutLe32(body, 0);  // opt_endofopt
}

void AppendPcapngShb(Bytes& out, const std::vector<PcapngOption>& options) {
  Bytes body;
  PutLe32(body, kPcapngByteOrderMagic);
  PutLe16(body, 1);  // version 1.0
  PutLe16(body, 0);
  PutLe64(body, ~std::uint64_t{0});  // section length unknown
  AppendPcapngOptions(body, options);
  AppendPcapngBlock(out, kPcapngShb, body);
}

void AppendPcapngIdb(Bytes& out, std::uint16_t linktype, std::uint32_t snaplen,
                     const std::vector<PcapngOption>& options) {
  Bytes body;
  PutLe16(body, linktype);
  PutLe16(body, 0);
  PutLe32(body, snaplen);
  AppendPcapngOptions(body, options);
  AppendPcapngBlock(out, kPcapngIdb, body);
}

void AppendPcapngEpb(Bytes& out, const Frame& frame) {
  Bytes body;
  const auto caplen = static_cast<std::uint32_t>(frame.data.size());
  PutLe32(body, 0);  // interface id
  PutLe32(body, static_cast<std::uint32_t>(frame.ts_ns >> 32));
  PutLe32(body, static_cast<std::uint32_t>(frame.ts_ns & 0xffffffff));
  PutLe32(body, caplen);
  PutLe32(body, frame.orig_len != 0 ? frame.orig_len : caplen);
  PutBytes(body, frame.data);
  PadTo32(body);
  AppendPcapngBlock(out, kPcapngEpb, body);
}

void AppendPcapngNrb(Bytes& out, const std::vector<NameRecord>& records) {
  Bytes body;
  for (const NameRecord& r : records) {
    PutLe16(body, r.v6 ? 2 : 1);  // nrb_record_ipv6 / nrb_record_ipv4
    PutLe16(body, static_cast<unsigned>(r.addr.size() + r.name.size() + 1));
    PutBytes(body, r.addr);
    PutStr(body, r.name);
    Put8(body, 0);
    PadTo32(body);
  }
  PutLe32(body, 0);  // nrb_record_end
  AppendPcapngBlock(out, kPcapngNrb, body);
}

bool WriteWholeFile(const std::string& path, ByteSpan data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "gen_pcaps: cannot create %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  bool ok = data.empty() || std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) std::fprintf(stderr, "gen_pcaps: write failed: %s\n", path.c_str());
  return ok;
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

bool OutputFile::Open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    std::fprintf(stderr, "gen_pcaps: cannot create %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

bool OutputFile::Take(Bytes& buffer, bool force) {
  if (buffer.empty() || (!force && buffer.size() < kFlushThreshold)) return true;
  if (std::fwrite(buffer.data(), 1, buffer.size(), file_) != buffer.size()) {
    std::fprintf(stderr, "gen_pcaps: write failed: %s: %s\n", path_.c_str(), std::strerror(errno));
    return false;
  }
  written_ += buffer.size();
  buffer.clear();
  return true;
}

bool OutputFile::Close() {
  if (file_ == nullptr) return true;
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) std::fprintf(stderr, "gen_pcaps: close failed: %s\n", path_.c_str());
  return ok;
}

}  // namespace beffroi::synth
