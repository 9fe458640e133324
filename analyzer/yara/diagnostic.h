// Diagnostic: one compiler error or rule-hygiene warning about a rule file, with its line.
// Value type.
#pragma once

#include <string>

namespace beffroi::yara {

struct Diagnostic {
  std::string file;     // the rule file as given or found ("rules/ransomware/ryuk.yar")
  int line = 0;         // 1-based; 0 when unknown
  std::string message;  // without the "file:line: " prefix
  bool error = false;   // errors stop a load; warnings do not

  // "FILE:LINE: message", the form compilers and editors understand.
  std::string ToString() const { return file + ":" + std::to_string(line) + ": " + message; }
};

}  // namespace beffroi::yara
