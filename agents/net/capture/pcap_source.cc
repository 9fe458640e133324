#include "agents/net/capture/pcap_source.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace beffroi::net {

void PcapDeleter::operator()(pcap* p) const {
  if (p != nullptr) pcap_close(p);
}
void PcapDumperDeleter::operator()(pcap_dumper* d) const {
  if (d != nullptr) pcap_dump_close(d);
}

std::string DatalinkName(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return name != nullptr ? name : "unknown";
}

PcapSource::PcapSource(std::unique_ptr<pcap, PcapDeleter> handle, std::string name, bool live)
    : handle_(std::move(handle)), name_(std::move(name)), live_(live) {
  datalink_ = pcap_datalink(handle_.get());
}

Result<std::unique_ptr<PcapSource>> PcapSource::OpenFile(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  // We open the stream ourselves to give it a large buffer: with stdio's default (4 KiB) a
  // 1 GiB capture costs a quarter of a million read() calls. setvbuf must come before the
  // first read, which pcap_open_offline would already have made.
  // "-" is standard input, as for libpcap and tcpdump.
  auto buffer = std::make_unique<char[]>(kReadBufferBytes);
  const bool is_stdin = path == "-";
  FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rbe");
  if (f == nullptr) return MakeError(ErrorCode::kIo, path + ": " + std::strerror(errno));
  std::setvbuf(f, buffer.get(), _IOFBF, kReadBufferBytes);
  // libpcap reads pcap (any magic, either byte order) and pcapng, and converts timestamps to
  // the precision asked for. It owns the stream from here on, but not when it fails.
  pcap* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    if (is_stdin) {
      std::setvbuf(f, nullptr, _IONBF, 0);  // the buffer is about to go
    } else {
      std::fclose(f);
    }
    std::string why = errbuf;
    if (why.empty()) why = "not a pcap or pcapng file";
    return MakeError(ErrorCode::kCorrupt, path + ": " + why);
  }
  auto source = std::unique_ptr<PcapSource>(
      new PcapSource(std::unique_ptr<pcap, PcapDeleter>(p), path, false));
  source->read_buffer_ = std::move(buffer);
  // A pcapng file starts with a Section Header Block, type 0x0A0D0D0A (a palindrome, so either
  // byte order). Its records are blocks of many kinds that libpcap does not show us, so their
  // offsets cannot be counted from the packets as for classic pcap.
  {
    unsigned char magic[4] = {0, 0, 0, 0};
    if (::pread(fileno(f), magic, sizeof magic, 0) == 4) {
      source->pcapng_ =
          magic[0] == 0x0A && magic[1] == 0x0D && magic[2] == 0x0D && magic[3] == 0x0A;
    }
  }
  return source;
}

Result<std::unique_ptr<PcapSource>> PcapSource::OpenLive(const LiveOptions& options) {
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  const std::string what = "interface " + options.interface;
  std::unique_ptr<pcap, PcapDeleter> p(pcap_create(options.interface.c_str(), errbuf));
  if (!p) return MakeError(ErrorCode::kIo, what + ": " + errbuf);
  pcap_set_snaplen(p.get(), options.snaplen);
  pcap_set_promisc(p.get(), options.promiscuous ? 1 : 0);
  pcap_set_timeout(p.get(), options.timeout_ms);
  pcap_set_buffer_size(p.get(), options.buffer_bytes);
  // Nanosecond timestamps where the kernel offers them; otherwise microseconds scaled.
  if (pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_NANO) != 0) {
    pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_MICRO);
  }
  const int rc = pcap_activate(p.get());
  if (rc < 0) {
    std::string why = pcap_geterr(p.get());
    if (rc == PCAP_ERROR_PERM_DENIED && why.empty()) why = "permission denied (run as root)";
    if (why.empty()) why = pcap_statustostr(rc);
    return MakeError(rc == PCAP_ERROR_NO_SUCH_DEVICE ? ErrorCode::kNotFound : ErrorCode::kIo,
                     what + ": " + why);
  }
  if (!options.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(p.get(), &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "filter '" + options.filter + "': " + pcap_geterr(p.get()));
    }
    const int set = pcap_setfilter(p.get(), &program);
    pcap_freecode(&program);
    if (set != 0) {
      return MakeError(ErrorCode::kIo, "filter '" + options.filter + "': " + pcap_geterr(p.get()));
    }
  }
  // Non-blocking, with our own poll(): libpcap's read timeout may never fire while no packet
  // arrives (TPACKET_V3), and a capture must end on time on a silent interface.
  if (pcap_setnonblock(p.get(), 1, errbuf) != 0) {
    return MakeError(ErrorCode::kIo, what + ": " + errbuf);
  }
  auto source = std::unique_ptr<PcapSource>(new PcapSource(std::move(p), what, true));
  source->poll_fd_ = pcap_get_selectable_fd(source->handle_.get());
  source->timeout_ms_ = options.timeout_ms;
  return source;
}

PcapSource::Next PcapSource::NextPacket(RawPacket& out) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &header, &data);
  if (rc == 1) {
    const bool nano = pcap_get_tstamp_precision(handle_.get()) == PCAP_TSTAMP_PRECISION_NANO;
    const std::int64_t frac = static_cast<std::int64_t>(header->ts.tv_usec);
    out.ts_ns =
        static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 + (nano ? frac : frac * 1000);
    out.caplen = header->caplen;
    out.wire_len = header->len;
    next_offset_ += 16 + std::uint64_t{header->caplen};
    out.data = std::span<const std::uint8_t>(data, header->caplen);
    return Next::kPacket;
  }
  if (rc == 0) {
    if (!live_ || poll_fd_ < 0) return Next::kTimeout;
    pollfd pfd{poll_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, timeout_ms_);
    if (ready < 0 && errno != EINTR) {
      error_ = std::string("poll: ") + std::strerror(errno);
      return Next::kError;
    }
    return Next::kTimeout;  // the caller checks its deadline, then asks again
  }
  if (rc == PCAP_ERROR_BREAK) return Next::kEnd;
  error_ = pcap_geterr(handle_.get());
  if (error_.empty()) error_ = "read error";
  return Next::kError;
}

Result<CaptureCounters> PcapSource::Counters() {
  CaptureCounters c;
  if (!live_) return c;
  pcap_stat st{};
  if (pcap_stats(handle_.get(), &st) != 0) {
    return MakeError(ErrorCode::kIo, name_ + ": statistics: " + pcap_geterr(handle_.get()));
  }
  c.received = st.ps_recv;
  c.dropped_kernel = st.ps_drop;
  c.dropped_iface = st.ps_ifdrop;
  return c;
}

void PcapSource::BreakLoop() {
  pcap_breakloop(handle_.get());
}

int PcapSource::snaplen() const {
  return pcap_snapshot(handle_.get());
}

std::int64_t PcapSource::FileOffset() const {
  if (live_) return -1;
  // Classic pcap: a 24-byte file header, then 16 bytes before each record's data. Counting
  // is exact and free; asking the stream (ftell) costs a system call per packet.
  if (!pcapng_) return static_cast<std::int64_t>(next_offset_);
  FILE* f = pcap_file(handle_.get());
  if (f == nullptr) return -1;
  return static_cast<std::int64_t>(std::ftell(f));
}

Result<std::unique_ptr<PcapDumper>> PcapDumper::Open(const PcapSource& source, int fd,
                                                     const std::string& name) {
  FILE* f = fdopen(fd, "wb");
  if (f == nullptr) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, name + ": " + std::strerror(errno));
  }
  pcap_dumper* d = pcap_dump_fopen(source.handle(), f);
  if (d == nullptr) {
    std::string why = pcap_geterr(source.handle());
    std::fclose(f);
    return MakeError(ErrorCode::kIo, name + ": " + why);
  }
  const bool nano = pcap_get_tstamp_precision(source.handle()) == PCAP_TSTAMP_PRECISION_NANO;
  return std::unique_ptr<PcapDumper>(
      new PcapDumper(std::unique_ptr<pcap_dumper, PcapDumperDeleter>(d), name, nano));
}

void PcapDumper::Write(const RawPacket& packet) {
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<time_t>(packet.ts_ns / 1'000'000'000);
  // The file header carries the precision of the source handle.
  const std::int64_t frac = packet.ts_ns % 1'000'000'000;
  header.ts.tv_usec = static_cast<suseconds_t>(nano_ ? frac : frac / 1000);
  header.caplen = packet.caplen;
  header.len = packet.wire_len;
  pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, packet.data.data());
  bytes_ += 16 + packet.caplen;
}

Status PcapDumper::Close() {
  pcap_dumper* d = dumper_.release();
  if (d == nullptr) return OkStatus();
  const bool flush_failed = pcap_dump_flush(d) != 0;
  FILE* f = pcap_dump_file(d);
  const bool error = flush_failed || (f != nullptr && std::ferror(f) != 0);
  pcap_dump_close(d);
  if (error) return MakeError(ErrorCode::kIo, name_ + ": write failed");
  return OkStatus();
}

}  // namespace beffroi::net
