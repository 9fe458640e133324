#include "analyzer/yara/handles.h"

#include "analyzer/yara/yara_api.h"

namespace beffroi::yara {

void YrRulesDeleter::operator()(YR_RULES* rules) const {
  if (rules != nullptr) yr_rules_destroy(rules);
}

void YrCompilerDeleter::operator()(YR_COMPILER* compiler) const {
  if (compiler != nullptr) yr_compiler_destroy(compiler);
}

void YrScannerDeleter::operator()(YR_SCAN_CONTEXT* scanner) const {
  if (scanner != nullptr) yr_scanner_destroy(scanner);
}

std::string YaraErrorText(int code) {
  // Only the codes a load, save or scan can return; compile errors come with their own text.
  struct Name {
    int code;
    const char* name;
  };
  static constexpr Name kNames[] = {
      {ERROR_SUCCESS, "ERROR_SUCCESS"},
      {ERROR_INSUFFICIENT_MEMORY, "ERROR_INSUFFICIENT_MEMORY"},
      {ERROR_COULD_NOT_OPEN_FILE, "ERROR_COULD_NOT_OPEN_FILE"},
      {ERROR_COULD_NOT_MAP_FILE, "ERROR_COULD_NOT_MAP_FILE"},
      {ERROR_INVALID_FILE, "ERROR_INVALID_FILE"},
      {ERROR_CORRUPT_FILE, "ERROR_CORRUPT_FILE"},
      {ERROR_UNSUPPORTED_FILE_VERSION, "ERROR_UNSUPPORTED_FILE_VERSION"},
      {ERROR_EXEC_STACK_OVERFLOW, "ERROR_EXEC_STACK_OVERFLOW"},
      {ERROR_SCAN_TIMEOUT, "ERROR_SCAN_TIMEOUT"},
      {ERROR_TOO_MANY_SCAN_THREADS, "ERROR_TOO_MANY_SCAN_THREADS"},
      {ERROR_CALLBACK_ERROR, "ERROR_CALLBACK_ERROR"},
      {ERROR_INVALID_ARGUMENT, "ERROR_INVALID_ARGUMENT"},
      {ERROR_TOO_MANY_MATCHES, "ERROR_TOO_MANY_MATCHES"},
      {ERROR_INTERNAL_FATAL_ERROR, "ERROR_INTERNAL_FATAL_ERROR"},
      {ERROR_TOO_MANY_RE_FIBERS, "ERROR_TOO_MANY_RE_FIBERS"},
      {ERROR_INVALID_EXTERNAL_VARIABLE_TYPE, "ERROR_INVALID_EXTERNAL_VARIABLE_TYPE"},
      {ERROR_COULD_NOT_READ_FILE, "ERROR_COULD_NOT_READ_FILE"},
      {ERROR_WRITING_FILE, "ERROR_WRITING_FILE"},
  };
  for (const Name& n : kNames) {
    if (n.code == code) return std::string(n.name) + " (" + std::to_string(code) + ")";
  }
  return "libyara error " + std::to_string(code);
}

}  // namespace beffroi::yara
