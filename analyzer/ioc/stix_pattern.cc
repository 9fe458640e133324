#include "analyzer/ioc/stix_pattern.h"

#include <cctype>

#include "common/text.h"

namespace beffroi::ioc {
namespace {

enum class Tok { kEnd, kLBracket, kRBracket, kLParen, kRParen, kComma, kString, kWord, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // word (upper-cased for keywords elsewhere), operator or unescaped string
  std::size_t pos = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Result<std::vector<StixComparison>> Run() {
    if (p_.size() > kMaxStixPatternLength) return Err(0, "pattern longer than 64 KiB");
    if (Status s = Next(); !s.ok()) return s.error();
    if (Status s = ObservationOr(0); !s.ok()) return s.error();
    if (tok_.kind != Tok::kEnd) return Unexpected("the end of the pattern");
    if (out_.empty()) return Err(0, "empty pattern");
    return std::move(out_);
  }

 private:
  static Error Err(std::size_t pos, const std::string& message) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "position " + std::to_string(pos) + ": " + message);
  }
  Error Unexpected(const std::string& wanted) const {
    std::string got = tok_.kind == Tok::kEnd ? "the end" : "'" + ToValidUtf8(tok_.text) + "'";
    return Err(tok_.pos, "expected " + wanted + ", found " + got);
  }
  bool IsWord(std::string_view w) const {
    return tok_.kind == Tok::kWord && ToLowerAscii(tok_.text) == ToLowerAscii(w);
  }

  Status Next() {
    while (i_ < p_.size() && std::isspace(static_cast<unsigned char>(p_[i_])) != 0)
      ++i_;
    tok_ = Token{};
    tok_.pos = i_;
    if (i_ >= p_.size()) return OkStatus();
    char c = p_[i_];
    auto single = [&](Tok kind) {
      tok_.kind = kind;
      tok_.text = std::string(1, c);
      ++i_;
      return OkStatus();
    };
    switch (c) {
      case '[':
        return single(Tok::kLBracket);
      case ']':
        return single(Tok::kRBracket);
      case '(':
        return single(Tok::kLParen);
      case ')':
        return single(Tok::kRParen);
      case ',':
        return single(Tok::kComma);
      case '\'':
        return String();
      default:
        break;
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
      tok_.kind = Tok::kOp;
      tok_.text = std::string(1, c);
      ++i_;
      if (i_ < p_.size() && p_[i_] == '=') {
        tok_.text += '=';
        ++i_;
      }
      return OkStatus();
    }
    // A word: a keyword, a number, or an object path (which may hold quoted components and
    // [index] parts: file:hashes.'SHA-256', email-message:to_refs[*].value).
    std::size_t start = i_;
    while (i_ < p_.size()) {
      char d = p_[i_];
      if (d == '\'' && i_ > start && p_[i_ - 1] == '.') {
        std::size_t close = p_.find('\'', i_ + 1);
        if (close == std::string_view::npos) return Err(i_, "unterminated quoted path component");
        tok_.text += p_.substr(i_ + 1, close - i_ - 1);
        i_ = close + 1;
        continue;
      }
      if (d == '[' && i_ > start) {  // [*] or [0] in a path
        std::size_t close = p_.find(']', i_);
        if (close == std::string_view::npos) return Err(i_, "unterminated index in a path");
        tok_.text += p_.substr(i_, close - i_ + 1);
        i_ = close + 1;
        continue;
      }
      if (std::isalnum(static_cast<unsigned char>(d)) == 0 && d != '_' && d != '-' && d != ':' &&
          d != '.' && d != '*') {
        break;
      }
      tok_.text += d;
      ++i_;
    }
    if (tok_.text.empty())
      return Err(start, "unexpected character '" + ToValidUtf8(std::string(1, c)) + "'");
    // t'...', b'...', h'...': typed literals we never compare with.
    if (i_ < p_.size() && p_[i_] == '\'' &&
        (tok_.text == "t" || tok_.text == "b" || tok_.text == "h")) {
      return Err(start, "timestamp, binary and hex literals are not supported");
    }
    tok_.kind = Tok::kWord;
    return OkStatus();
  }

  Status String() {
    tok_.kind = Tok::kString;
    ++i_;
    while (i_ < p_.size()) {
      char c = p_[i_++];
      if (c == '\'') return OkStatus();
      if (c == '\\') {
        if (i_ >= p_.size()) break;
        char e = p_[i_++];
        if (e != '\'' && e != '\\')
          return Err(i_ - 2, "only \\' and \\\\ may be escaped in a string");
        tok_.text += e;
        continue;
      }
      tok_.text += c;
    }
    return Err(tok_.pos, "unterminated string");
  }

  // obs_or := obs_and (OR obs_and)*
  Status ObservationOr(std::size_t depth) {
    if (depth > kMaxStixNesting) return Err(tok_.pos, "parentheses nested too deep");
    if (Status s = ObservationAnd(depth); !s.ok()) return s;
    while (IsWord("OR")) {
      if (Status s = Next(); !s.ok()) return s;
      if (Status s = ObservationAnd(depth); !s.ok()) return s;
    }
    if (IsWord("FOLLOWEDBY")) return Err(tok_.pos, "FOLLOWEDBY is not supported");
    return OkStatus();
  }

  Status ObservationAnd(std::size_t depth) {
    if (Status s = ObservationAtom(depth); !s.ok()) return s;
    if (IsWord("AND")) {
      return Err(tok_.pos,
                 "AND between observations is not supported (it needs several facts "
                 "at once)");
    }
    return OkStatus();
  }

  Status ObservationAtom(std::size_t depth) {
    if (tok_.kind == Tok::kLParen) {
      if (Status s = Next(); !s.ok()) return s;
      if (Status s = ObservationOr(depth + 1); !s.ok()) return s;
      if (tok_.kind != Tok::kRParen) return Unexpected("')'");
      if (Status s = Next(); !s.ok()) return s;
      return Qualifiers();
    }
    if (tok_.kind != Tok::kLBracket) return Unexpected("'[' or '('");
    if (Status s = Next(); !s.ok()) return s;
    if (Status s = ComparisonOr(depth); !s.ok()) return s;
    if (tok_.kind != Tok::kRBracket) return Unexpected("']'");
    if (Status s = Next(); !s.ok()) return s;
    return Qualifiers();
  }

  Status Qualifiers() {
    for (const char* q : {"WITHIN", "REPEATS", "START", "STOP"}) {
      if (IsWord(q)) return Err(tok_.pos, std::string("the ") + q + " qualifier is not supported");
    }
    return OkStatus();
  }

  Status ComparisonOr(std::size_t depth) {
    if (depth > kMaxStixNesting) return Err(tok_.pos, "parentheses nested too deep");
    if (Status s = ComparisonAnd(depth); !s.ok()) return s;
    while (IsWord("OR")) {
      if (Status s = Next(); !s.ok()) return s;
      if (Status s = ComparisonAnd(depth); !s.ok()) return s;
    }
    return OkStatus();
  }

  Status ComparisonAnd(std::size_t depth) {
    if (Status s = Comparison(depth); !s.ok()) return s;
    if (IsWord("AND")) {
      return Err(tok_.pos,
                 "AND inside an observation is not supported (it needs several "
                 "properties at once)");
    }
    return OkStatus();
  }

  Status Comparison(std::size_t depth) {
    if (tok_.kind == Tok::kLParen) {
      if (Status s = Next(); !s.ok()) return s;
      if (Status s = ComparisonOr(depth + 1); !s.ok()) return s;
      if (tok_.kind != Tok::kRParen) return Unexpected("')'");
      return Next();
    }
    if (tok_.kind != Tok::kWord || tok_.text.find(':') == std::string::npos) {
      return Unexpected("an object path such as file:name");
    }
    std::size_t path_pos = tok_.pos;
    std::string path = ToLowerAscii(tok_.text);
    if (Status s = Next(); !s.ok()) return s;
    if (IsWord("NOT")) return Err(tok_.pos, "NOT is not supported");
    std::string type = TypeOf(path);
    if (type.empty()) {
      return Err(path_pos, "property '" + ToValidUtf8(path) + "' is not supported");
    }
    if (tok_.kind == Tok::kOp && tok_.text == "=") {
      if (Status s = Next(); !s.ok()) return s;
      return Value(type);
    }
    if (IsWord("ISSUBSET") && type == "ip") {
      if (Status s = Next(); !s.ok()) return s;
      return Value("cidr");
    }
    if (IsWord("IN")) {
      if (Status s = Next(); !s.ok()) return s;
      if (tok_.kind != Tok::kLParen) return Unexpected("'(' after IN");
      if (Status s = Next(); !s.ok()) return s;
      for (;;) {
        if (Status s = Value(type); !s.ok()) return s;
        if (tok_.kind == Tok::kRParen) return Next();
        if (tok_.kind != Tok::kComma) return Unexpected("',' or ')'");
        if (Status s = Next(); !s.ok()) return s;
      }
    }
    std::string op = tok_.kind == Tok::kEnd ? "nothing" : "'" + ToValidUtf8(tok_.text) + "'";
    return Err(tok_.pos, "operator " + op + " is not supported (only =, IN and ISSUBSET)");
  }

  Status Value(const std::string& type) {
    if (tok_.kind != Tok::kString) return Unexpected("a quoted string");
    if (out_.size() >= kMaxStixComparisons) return Err(tok_.pos, "more than 1000 comparisons");
    std::string t = type;
    if (t == "ip" && tok_.text.find('/') != std::string::npos) t = "cidr";
    out_.push_back(StixComparison{t, tok_.text});
    return Next();
  }

  static std::string TypeOf(const std::string& path) {
    if (path == "file:hashes.md5") return "md5";
    if (path == "file:hashes.sha-1" || path == "file:hashes.sha1") return "sha1";
    if (path == "file:hashes.sha-256" || path == "file:hashes.sha256") return "sha256";
    if (path == "file:name") return "filename";
    if (path == "ipv4-addr:value" || path == "ipv6-addr:value" ||
        path == "network-traffic:dst_ref.value" || path == "network-traffic:src_ref.value") {
      return "ip";
    }
    if (path == "domain-name:value") return "domain";
    if (path == "url:value") return "url";
    if (path == "network-traffic:extensions.http-request-ext.request_header.user-agent") {
      return "user-agent";
    }
    return {};
  }

  std::string_view p_;
  std::size_t i_ = 0;
  Token tok_;
  std::vector<StixComparison> out_;
};

}  // namespace

Result<std::vector<StixComparison>> ParseStixPattern(std::string_view pattern) {
  return Parser(pattern).Run();
}

}  // namespace beffroi::ioc
