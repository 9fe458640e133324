#include "agents/net/protocol/http/head_parser.h"

#include <string>

#include "agents/net/protocol/http/field_text.h"

namespace beffroi::net::http {
namespace {

constexpr std::string_view kHttpPrefix = "HTTP/";
constexpr std::size_t kVersionLength = 8;  // "HTTP/1.1" (RFC 9112 §2.3)

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsHttpVersion(std::string_view s) {
  return s.size() == kVersionLength && s.substr(0, 5) == kHttpPrefix && IsDigit(s[5]) &&
         s[6] == '.' && IsDigit(s[7]);
}

// One logical field line: name and value, obs-fold continuations already joined.
class FieldWalker {
 public:
  FieldWalker(std::string_view fields, const Limits& limits, AnomalySink& anomalies)
      : rest_(fields), limits_(limits), anomalies_(anomalies) {}

  // Calls apply(name, value) per field. The head was bounded by the caller (line count and
  // size), so the walk is too.
  template <typename Apply>
  void Walk(Apply&& apply) {
    std::string_view name;
    std::string_view value;
    bool have = false;
    while (!rest_.empty()) {
      std::string_view line = NextLine();
      if (line.empty()) break;                            // the empty line ending the head
      if (line.front() == ' ' || line.front() == '\t') {  // obs-fold (RFC 9112 §5.2)
        if (!have) {
          BadLine("continuation line without a field");
          continue;
        }
        if (folded_.empty()) folded_.assign(value);
        if (folded_.size() < limits_.max_field_length) {
          folded_.push_back(' ');
          folded_.append(TrimOws(line));
        }
        value = folded_;
        continue;
      }
      if (have) apply(name, value);
      folded_.clear();
      have = Split(line, name, value);
    }
    if (have) apply(name, value);
  }

 private:
  std::string_view NextLine() {
    const std::size_t lf = rest_.find('\n');
    std::string_view line = rest_.substr(0, lf);
    rest_.remove_prefix(lf == std::string_view::npos ? rest_.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  bool Split(std::string_view line, std::string_view& name, std::string_view& value) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      BadLine("field line without a name and colon");
      return false;
    }
    name = line.substr(0, colon);
    for (char c : name) {
      // Whitespace before the colon is a smuggling vector (RFC 9112 §5.1): not a field.
      if (!IsTokenChar(static_cast<unsigned char>(c))) {
        BadLine("field name is not a token");
        return false;
      }
    }
    value = TrimOws(line.substr(colon + 1));
    return true;
  }

  void BadLine(std::string_view detail) {
    if (!reported_) anomalies_.Report("http.bad_header_line", detail);
    reported_ = true;
  }

  std::string_view rest_;
  const Limits& limits_;
  AnomalySink& anomalies_;
  std::string folded_;  // allocates only for folded fields, which are rare
  bool reported_ = false;
};

// Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 §8.6).
bool ParseContentLength(std::string_view value, std::uint64_t& out) {
  std::optional<std::uint64_t> seen;
  std::size_t start = 0;
  // Each pass consumes one list element.
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    const std::string_view item = TrimOws(value.substr(start, comma - start));
    if (item.empty()) return false;
    std::uint64_t v = 0;
    for (char c : item) {
      if (!IsDigit(c)) return false;
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (v > (UINT64_MAX - d) / 10) return false;  // overflow
      v = v * 10 + d;
    }
    if (seen && *seen != v) return false;
    seen = v;
    start = comma + 1;
  }
  out = *seen;
  return true;
}

void ApplyFraming(std::string_view name, std::string_view value, Framing& f,
                  AnomalySink& anomalies) {
  if (EqualsLower(name, "content-length")) {
    std::uint64_t v = 0;
    if (!ParseContentLength(value, v)) {
      anomalies.Report("http.bad_content_length", "Content-Length is not a number");
    } else if (!f.content_length) {
      f.content_length = v;
    } else if (*f.content_length != v) {
      anomalies.Report("http.content_length_conflict", "two different Content-Length values");
    }
  } else if (EqualsLower(name, "transfer-encoding")) {
    f.transfer_encoding = true;
    // The last coding of the last field decides (RFC 9112 §6.1).
    std::string_view last = value;
    const std::size_t comma = value.rfind(',');
    if (comma != std::string_view::npos) last = value.substr(comma + 1);
    f.chunked = EqualsLower(TrimOws(last), "chunked");
  } else if (EqualsLower(name, "upgrade")) {
    f.upgrade = true;
  }
}

void FinishFraming(const Framing& f, AnomalySink& anomalies) {
  if (f.transfer_encoding && f.content_length) {
    anomalies.Report("http.smuggling_suspect", "both Transfer-Encoding and Content-Length");
  }
}

// Keeps the first occurrence of a field.
void SetOnce(std::string& out, bool& set, std::string_view value, const Limits& limits) {
  if (set) return;
  AssignField(out, value, limits.max_field_length);
  set = true;
}

}  // namespace

PrefixVerdict CheckRequestPrefix(std::string_view prefix, bool strict) {
  if (strict) {
    for (std::string_view m : {"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE ", "CONNECT ",
                               "PATCH ", "TRACE "}) {
      if (prefix.size() >= m.size() ? prefix.substr(0, m.size()) == m
                                    : m.substr(0, prefix.size()) == prefix) {
        return prefix.size() >= m.size() ? PrefixVerdict::kMatch : PrefixVerdict::kNeedMore;
      }
    }
    return PrefixVerdict::kNoMatch;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == ' ') return i == 0 ? PrefixVerdict::kNoMatch : PrefixVerdict::kMatch;
    if (i >= kMaxMethodLength || !IsTokenChar(static_cast<unsigned char>(prefix[i]))) {
      return PrefixVerdict::kNoMatch;
    }
  }
  return PrefixVerdict::kNeedMore;
}

PrefixVerdict CheckStatusPrefix(std::string_view prefix) {
  if (prefix.size() >= kHttpPrefix.size()) {
    return prefix.substr(0, kHttpPrefix.size()) == kHttpPrefix ? PrefixVerdict::kMatch
                                                               : PrefixVerdict::kNoMatch;
  }
  return kHttpPrefix.substr(0, prefix.size()) == prefix ? PrefixVerdict::kNeedMore
                                                        : PrefixVerdict::kNoMatch;
}

bool ParseRequestLine(std::string_view line, RequestLine& out) {
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > kMaxMethodLength) return false;
  out.method = line.substr(0, sp);
  for (char c : out.method) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) return false;
  }
  std::string_view rest = TrimOws(line.substr(sp + 1));
  const std::size_t last = rest.rfind(' ');
  out.version = {};
  if (last != std::string_view::npos && IsHttpVersion(rest.substr(last + 1))) {
    out.version = rest.substr(last + 1);
    rest = TrimOws(rest.substr(0, last));
  } else if (last != std::string_view::npos) {
    return false;  // spaces but no HTTP-version: not a request line we can trust
  } else if (IsHttpVersion(rest)) {
    // "GET HTTP/1.1": the target is missing, not the version. Read as HTTP/0.9 (target
    // "HTTP/1.1", no fields), the Host and User-Agent that follow would never be seen.
    out.version = rest;
    out.target = {};
    return true;
  }
  if (rest.empty()) return false;
  for (char c : rest) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;  // binary, not a target
  }
  out.target = rest;
  return true;
}

bool ParseStatusLine(std::string_view line, StatusLine& out) {
  // HTTP-version SP 3DIGIT [SP reason-phrase] (RFC 9112 §4; the reason may be absent).
  if (line.size() < kVersionLength + 4 || !IsHttpVersion(line.substr(0, kVersionLength)) ||
      line[kVersionLength] != ' ') {
    return false;
  }
  const std::string_view code = line.substr(kVersionLength + 1, 3);
  if (!IsDigit(code[0]) || !IsDigit(code[1]) || !IsDigit(code[2])) return false;
  const std::string_view after = line.substr(kVersionLength + 4);
  if (!after.empty() && after.front() != ' ') return false;
  out.version = line.substr(0, kVersionLength);
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  out.reason = TrimOws(after);
  return true;
}

void ParseRequestFields(std::string_view fields, const Limits& limits, Request& out,
                        Framing& framing, AnomalySink& anomalies) {
  bool host = false, agent = false, type = false, referer = false;
  out.host.clear();
  out.user_agent.clear();
  out.content_type.clear();
  out.referer.clear();
  FieldWalker(fields, limits, anomalies).Walk([&](std::string_view name, std::string_view value) {
    if (EqualsLower(name, "host")) {
      SetOnce(out.host, host, value, limits);
    } else if (EqualsLower(name, "user-agent")) {
      SetOnce(out.user_agent, agent, value, limits);
    } else if (EqualsLower(name, "content-type")) {
      SetOnce(out.content_type, type, value, limits);
    } else if (EqualsLower(name, "referer")) {
      SetOnce(out.referer, referer, value, limits);
    } else {
      ApplyFraming(name, value, framing, anomalies);
    }
  });
  FinishFraming(framing, anomalies);
  out.content_length = framing.content_length;
  out.chunked = framing.chunked;
}

void ParseResponseFields(std::string_view fields, const Limits& limits, Response& out,
                         Framing& framing, AnomalySink& anomalies) {
  bool type = false, server = false, location = false;
  out.content_type.clear();
  out.server.clear();
  out.location.clear();
  FieldWalker(fields, limits, anomalies).Walk([&](std::string_view name, std::string_view value) {
    if (EqualsLower(name, "content-type")) {
      SetOnce(out.content_type, type, value, limits);
    } else if (EqualsLower(name, "server")) {
      SetOnce(out.server, server, value, limits);
    } else if (EqualsLower(name, "location")) {
      SetOnce(out.location, location, value, limits);
    } else {
      ApplyFraming(name, value, framing, anomalies);
    }
  });
  FinishFraming(framing, anomalies);
  out.content_length = framing.content_length;
  out.chunked = framing.chunked;
}

}  // namespace beffroi::net::http
