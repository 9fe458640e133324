// Owners of libyara's C handles, and the text of libyara's error codes.
//
// YR_RULES, YR_COMPILER and YR_SCANNER live in std::unique_ptr with the deleters below
// (declared here, defined in handles.cc, so that this header needs no <yara.h>). A deleter
// accepts nullptr. The handles themselves follow libyara's rules: compiled rules are
// read-only and shareable across threads, a compiler or a scanner belongs to one thread at a
// time.
#pragma once

#include <memory>
#include <string>

struct YR_RULES;
struct _YR_COMPILER;     // libyara's YR_COMPILER is a typedef of this
struct YR_SCAN_CONTEXT;  // libyara's YR_SCANNER is a typedef of this

namespace beffroi::yara {

struct YrRulesDeleter {
  void operator()(YR_RULES* rules) const;
};
struct YrCompilerDeleter {
  void operator()(_YR_COMPILER* compiler) const;
};
struct YrScannerDeleter {
  void operator()(YR_SCAN_CONTEXT* scanner) const;
};

using YrRulesPtr = std::unique_ptr<YR_RULES, YrRulesDeleter>;
using YrCompilerPtr = std::unique_ptr<_YR_COMPILER, YrCompilerDeleter>;
using YrScannerPtr = std::unique_ptr<YR_SCAN_CONTEXT, YrScannerDeleter>;

// "ERROR_SCAN_TIMEOUT (26)": the name of a libyara error code, for messages.
std::string YaraErrorText(int code);

}  // namespace beffroi::yara
