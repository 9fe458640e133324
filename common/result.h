// Result<T> and Error: the error-handling currency of every Beffroi library.
//
// A Result holds either a value or an Error{code, message}. Libraries never let an exception
// cross their API; they return Result instead (leveldb's Status idea, shaped like
// std::expected). Messages read "what failed: detail" and name the path, offset or the
// third-party library's own text. Value type; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace beffroi {

enum class ErrorCode {
  kInvalidArgument,  // the caller (or the user) asked for something malformed
  kNotFound,
  kIo,       // the operating system refused or failed
  kCorrupt,  // data does not match its own description (hash, length, format)
  kUnsupported,
  kInternal,
  kConflict,  // someone else changed the object since the caller read it
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() {
  return Status();
}

}  // namespace beffroi
