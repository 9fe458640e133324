#include "agents/net/protocol/dns/message.h"

#include <string_view>

#include "agents/net/protocol/dns/name.h"
#include "agents/net/protocol/dns/rdata.h"
#include "common/byte_reader.h"

namespace beffroi::net::dns {
namespace {

enum class Step : std::uint8_t { kOk, kTruncated, kMalformed, kLimit };

// Header flag bits (RFC 1035 §4.1.1).
constexpr std::uint16_t kFlagQr = 0x8000;
constexpr std::uint16_t kFlagAa = 0x0400;
constexpr std::uint16_t kFlagTc = 0x0200;
constexpr std::uint16_t kFlagRd = 0x0100;
constexpr std::uint16_t kFlagRa = 0x0080;

struct Context {
  Context(std::span<const std::uint8_t> bytes, AnomalySink& sink)
      : message(bytes), reader(bytes), anomalies(sink) {}

  std::span<const std::uint8_t> message;
  ByteReader reader;  // the cursor, over the whole message
  NameBuffer name;    // scratch for every name of the message
  AnomalySink& anomalies;
  bool rdata_malformed = false;
};

// Reuses an element (and its strings' capacity) left by an earlier message when there is one.
template <typename T>
T& Slot(std::vector<T>& v, std::size_t i) {
  if (i < v.size()) return v[i];
  return v.emplace_back();
}

Step ReadOwnerName(Context& c, std::string& out) {
  switch (ReadName(c.reader, c.name, c.anomalies)) {
    case NameStatus::kOk:
      out.assign(c.name.view());
      return Step::kOk;
    case NameStatus::kTruncated:
      return Step::kTruncated;
    case NameStatus::kMalformed:
      break;
  }
  return Step::kMalformed;
}

Step ParseQuestion(Context& c, Question& q) {
  const Step s = ReadOwnerName(c, q.name);
  if (s != Step::kOk) return s;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  if (!c.reader.ReadU16Be(type) || !c.reader.ReadU16Be(klass)) return Step::kTruncated;
  q.type = type;
  q.klass = klass & kClassValueMask;
  return Step::kOk;
}

Step ParseRecord(Context& c, Record& r) {
  const Step s = ReadOwnerName(c, r.name);
  if (s != Step::kOk) return s;
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::uint16_t rdlength = 0;
  if (!c.reader.ReadU16Be(type) || !c.reader.ReadU16Be(klass) || !c.reader.ReadU32Be(ttl) ||
      !c.reader.ReadU16Be(rdlength)) {
    return Step::kTruncated;
  }
  const std::size_t rdata_start = c.reader.position();
  if (!c.reader.Skip(rdlength)) return Step::kTruncated;
  r.type = type;
  r.klass = type == kTypeOpt ? klass : (klass & kClassValueMask);
  r.ttl = ttl;
  r.rdlength = rdlength;
  ByteReader rdata(c.message.first(rdata_start + rdlength));
  rdata.Seek(rdata_start);
  if (!FormatRdata(rdata, type, r.data, c.name, c.anomalies)) c.rdata_malformed = true;
  return Step::kOk;
}

// Parses up to kMaxRecordsPerSection entries; `out` keeps exactly the ones parsed whole.
template <typename T, typename ParseOne>
Step ParseSection(Context& c, std::uint16_t count, std::vector<T>& out, ParseOne parse_one) {
  const std::size_t n = count < kMaxRecordsPerSection ? count : kMaxRecordsPerSection;
  std::size_t i = 0;
  Step s = Step::kOk;
  for (; i < n && s == Step::kOk; ++i)
    s = parse_one(c, Slot(out, i));
  if (s != Step::kOk) --i;  // the entry that failed is not kept
  out.resize(i);
  if (s == Step::kOk && count > kMaxRecordsPerSection) {
    c.anomalies.Report("dns.record_limit", "more than 256 entries in a section");
    return Step::kLimit;
  }
  return s;
}

void ResetHeader(Message& out) {
  out.id = 0;
  out.is_response = false;
  out.opcode = 0;
  out.rcode = 0;
  out.aa = out.tc = out.rd = out.ra = false;
}

void ReadHeader(ByteReader& r, Message& out, std::uint16_t counts[4]) {
  std::uint16_t flags = 0;
  // The caller checked that kHeaderSize octets are present.
  r.ReadU16Be(out.id);
  r.ReadU16Be(flags);
  for (int i = 0; i < 4; ++i)
    r.ReadU16Be(counts[i]);
  out.is_response = (flags & kFlagQr) != 0;
  out.opcode = static_cast<std::uint8_t>((flags >> 11) & 0x0f);
  out.aa = (flags & kFlagAa) != 0;
  out.tc = (flags & kFlagTc) != 0;
  out.rd = (flags & kFlagRd) != 0;
  out.ra = (flags & kFlagRa) != 0;
  out.rcode = static_cast<std::uint8_t>(flags & 0x0f);
}

// Records the way a section ended in the outcome; true when parsing may go on.
bool Settle(Step s, std::string_view where, ParseOutcome& outcome, AnomalySink& anomalies) {
  switch (s) {
    case Step::kOk:
      return true;
    case Step::kTruncated:
      outcome.truncated = true;
      anomalies.Report("dns.truncated", where);
      return false;
    case Step::kMalformed:
    case Step::kLimit:
      outcome.malformed = true;
      return false;
  }
  return false;
}

}  // namespace

ParseOutcome Parse(std::span<const std::uint8_t> bytes, Message& out, AnomalySink& anomalies) {
  ParseOutcome outcome;
  Context c(bytes, anomalies);
  std::uint16_t counts[4] = {0, 0, 0, 0};
  if (c.reader.remaining() < kHeaderSize) {
    ResetHeader(out);
    out.questions.clear();
    out.answers.clear();
    out.authorities.clear();
    out.additionals.clear();
    Settle(Step::kTruncated, "message shorter than the header", outcome, anomalies);
    return outcome;
  }
  ReadHeader(c.reader, out, counts);
  const Step q = ParseSection(c, counts[0], out.questions, ParseQuestion);
  outcome.ok = q == Step::kOk || q == Step::kLimit;
  std::vector<Record>* sections[3] = {&out.answers, &out.authorities, &out.additionals};
  constexpr std::string_view kWhere[3] = {"message ends inside the answer section",
                                          "message ends inside the authority section",
                                          "message ends inside the additional section"};
  bool go_on = Settle(q, "message ends inside the question section", outcome, anomalies);
  for (int i = 0; i < 3; ++i) {
    if (!go_on) {
      sections[i]->clear();
      continue;
    }
    go_on = Settle(ParseSection(c, counts[i + 1], *sections[i], ParseRecord), kWhere[i], outcome,
                   anomalies);
  }
  outcome.malformed = outcome.malformed || c.rdata_malformed;
  outcome.complete = go_on;
  return outcome;
}

}  // namespace beffroi::net::dns
