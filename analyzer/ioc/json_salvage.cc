#include "analyzer/ioc/json_salvage.h"

#include <vector>

namespace beffroi::ioc {
namespace {

using Json = nlohmann::json;

// Forwards to nlohmann's DOM builder and tracks the path of open containers (array, or object
// with the key being filled), so that an error can be cut back to the last complete element.
class SalvageSax {
 public:
  struct Frame {
    bool array = false;
    std::string key;
  };

  explicit SalvageSax(Json& root) : dom_(root, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) {
    return dom_.number_float(v, s);
  }
  bool string(Json::string_t& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (frames_.size() >= kMaxJsonDepth) return Fail("nesting deeper than 64 levels");
    frames_.push_back(Frame{false, {}});
    return dom_.start_object(n);
  }
  bool key(Json::string_t& k) {
    if (!frames_.empty()) frames_.back().key = k;
    return dom_.key(k);
  }
  bool end_object() {
    if (!frames_.empty()) frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (frames_.size() >= kMaxJsonDepth) return Fail("nesting deeper than 64 levels");
    frames_.push_back(Frame{true, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    if (!frames_.empty()) frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    offset_ = position;
    error_ = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> the detail.
    if (auto colon = error_.find(": "); colon != std::string::npos)
      error_ = error_.substr(colon + 2);
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }
  const std::vector<Frame>& frames() const { return frames_; }
  const std::string& error() const { return error_; }
  std::size_t offset() const { return offset_; }

 private:
  bool Fail(const char* why) {
    failed_ = true;
    error_ = why;
    return false;
  }
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  std::vector<SalvageSax::Frame> frames_;
  bool failed_ = false;
  std::string error_;
  std::size_t offset_ = 0;
};

// Walks the open containers from the root; the first array whose last element is itself
// open loses that element (and with it everything deeper). Complete elements stay.
void Trim(Json& root, const std::vector<SalvageSax::Frame>& frames) {
  Json* node = &root;
  for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
    if (frames[i].array) {
      if (node->is_array() && !node->empty()) node->erase(node->size() - 1);
      return;
    }
    if (!node->is_object()) return;
    auto it = node->find(frames[i].key);
    if (it == node->end()) return;
    node = &*it;
  }
}

}  // namespace

SalvagedJson ParseJsonSalvage(std::string_view text) {
  SalvagedJson out;
  SalvageSax sax(out.value);
  bool ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                            /*strict=*/true);
  if (ok && !sax.failed()) return out;
  out.complete = false;
  out.offset = sax.offset();
  out.error = sax.error().empty() ? "not valid JSON" : sax.error();
  Trim(out.value, sax.frames());
  if (out.value.is_discarded()) out.value = Json();
  return out;
}

}  // namespace beffroi::ioc
