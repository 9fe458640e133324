// Command-line parsing shared by the `beffroi` subcommands: visible options plus positional
// arguments, with a usage error (exit 2, one line) for anything malformed.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/cli/context.h"

namespace beffroi::cli {

inline std::optional<int> ParseCommand(const std::vector<std::string>& args,
                                       const boost::program_options::options_description& visible,
                                       const char* positional_name, int max_positional,
                                       std::vector<std::string>* positional, const char* command,
                                       boost::program_options::variables_map& vm) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(visible);
  po::positional_options_description pos;
  if (positional != nullptr) {
    all.add_options()(positional_name, po::value(positional)->composing());
    pos.add(positional_name, max_positional);
  }
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Fail(command, e.what(), kExitUsage);
  }
  return std::nullopt;
}

}  // namespace beffroi::cli
