// bad/: malformed capture files for the readers' error paths. Each file holds a few good
// records before the defect (see README.md for the exact counts) so that a reader can be
// checked to keep what precedes it.
#include "common/synth/app_builders.h"
#include "fixtures.h"

namespace beffroi::testdata::net {
namespace {

constexpr std::uint32_t kLinktypeUser0 = 147;
constexpr std::uint32_t kSmallSnaplen = 128;
constexpr std::uint32_t kHugeCaplen = 0xFFFFFFF0;
constexpr std::uint32_t kPcapngUnassignedBlockType = 0x00000BEF;
constexpr std::uint32_t kPcapngLocalBlockType = 0x8BEF0002;

// Three syslog datagrams: content no indicator extractor cares about.
std::vector<Frame> NeutralFrames() {
  Trace t(Link::kEthernet, 17);
  for (int i = 0; i < 3; ++i) {
    const std::string msg = "<14>Jun 21 06:00:0" + std::to_string(i) +
                            " imprimante-2 spooler: job " + std::to_string(100 + i) + " done";
    t.Udp(kClient4, Ip4(10, 20, 0, 114), 514, 514, AsBytes(msg), true);
  }
  return t.frames();
}

Fixture Bad(std::string name, Bytes bytes) {
  return {"bad/" + std::move(name), std::move(bytes), {}, false};
}

Bytes PcapngPrefix(const std::vector<Frame>& frames) {
  Bytes out;
  AppendPcapngShb(out, {});
  AppendPcapngIdb(out, 1, kDefaultSnaplen, {{9, Bytes{9}}});
  AppendPcapngEpb(out, frames[0]);
  return out;
}

// The start of a block (type, leading total length) whose body the caller writes by hand.
void AppendRawBlockHeader(Bytes& out, std::uint32_t type, std::uint32_t total) {
  PutLe32(out, type);
  PutLe32(out, total);
}

void AppendBadPcaps(const std::vector<Frame>& frames, std::vector<Fixture>& bad) {
  bad.push_back(Bad("empty.pcap", {}));

  Bytes header;
  AppendPcapFileHeader(header, 1, TsResolution::kMicro);
  bad.push_back(Bad("header-only.pcap", header));

  Rng rng(0xbad);
  Bytes garbage;
  rng.Fill(garbage, 4096);
  garbage[0] = 0x42;  // make sure no magic number is there by chance
  bad.push_back(Bad("garbage.pcap", garbage));

  Bytes cut = ClassicPcap(frames, 1, TsResolution::kMicro);
  cut.resize(cut.size() - frames.back().data.size() / 2);
  bad.push_back(Bad("cut-record.pcap", cut));

  Bytes huge = ClassicPcap({frames[0]}, 1, TsResolution::kMicro);
  AppendPcapRecordHeader(huge, kBaseTimeNs + 1'000'000, kHugeCaplen, kHugeCaplen,
                         TsResolution::kMicro);
  PutBytes(huge, frames[1].data);  // far fewer bytes than claimed
  bad.push_back(Bad("huge-caplen.pcap", huge));

  // Record 2 carries 200 bytes although the header says snaplen 128.
  std::vector<Frame> long_frames = frames;
  long_frames[1].data.resize(200, 0);
  bad.push_back(Bad("caplen-over-snaplen.pcap",
                    ClassicPcap(long_frames, 1, TsResolution::kMicro, kSmallSnaplen)));

  bad.push_back(
      Bad("unknown-linktype.pcap", ClassicPcap(frames, kLinktypeUser0, TsResolution::kMicro)));
}

void AppendBadPcapngs(const std::vector<Frame>& frames, std::vector<Fixture>& bad) {
  Bytes unknown = PcapngPrefix(frames);
  AppendPcapngBlock(unknown, kPcapngUnassignedBlockType, AsBytes("reserved type"));
  AppendPcapngEpb(unknown, frames[1]);
  AppendPcapngBlock(unknown, kPcapngLocalBlockType, AsBytes("local use"));
  AppendPcapngEpb(unknown, frames[2]);
  bad.push_back(Bad("pcapng-unknown-block.pcapng", unknown));

  Bytes small = PcapngPrefix(frames);  // total length 8 < 12 (the minimum block)
  AppendRawBlockHeader(small, kPcapngEpb, 8);
  AppendPcapngEpb(small, frames[1]);
  bad.push_back(Bad("pcapng-bad-block-length.pcapng", small));

  Bytes unaligned = PcapngPrefix(frames);  // total length 30, not a multiple of 4
  AppendRawBlockHeader(unaligned, kPcapngEpb, 30);
  PutZeros(unaligned, 18);
  PutLe32(unaligned, 30);
  AppendPcapngEpb(unaligned, frames[1]);
  bad.push_back(Bad("pcapng-bad-block-length-unaligned.pcapng", unaligned));

  Bytes past_end = PcapngPrefix(frames);  // total length past the end of the file
  AppendRawBlockHeader(past_end, kPcapngEpb, 0x00100000);
  PutZeros(past_end, 40);
  bad.push_back(Bad("pcapng-bad-block-length-past-eof.pcapng", past_end));

  Bytes trailer = PcapngPrefix(frames);  // trailing length differs from the leading one
  AppendPcapngEpb(trailer, frames[1]);
  trailer[trailer.size() - 4] = static_cast<std::uint8_t>(trailer[trailer.size() - 4] + 4);
  AppendPcapngEpb(trailer, frames[2]);
  bad.push_back(Bad("pcapng-bad-block-trailer.pcapng", trailer));
}

}  // namespace

std::vector<Fixture> BadFixtures() {
  const std::vector<Frame> frames = NeutralFrames();
  std::vector<Fixture> bad;
  AppendBadPcaps(frames, bad);
  AppendBadPcapngs(frames, bad);
  return bad;
}

}  // namespace beffroi::testdata::net
