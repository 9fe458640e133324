// `beffroi rules check [PATH...]`: compile rules and report each problem as
// "file:line: message": errors (exit 2, nothing usable) and warnings (missing meta, a rule
// that matches the empty file, a score out of range).
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"

namespace po = boost::program_options;

namespace beffroi::cli {

int RunRules(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf(
        "Usage:\n  beffroi rules check [PATH...] [--json]   compile and lint YARA rules (default: "
        "the bundled rules)\n");
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] != "check")
    return Fail("rules", "unknown subcommand \"" + args[0] + "\" (check)", kExitUsage);
  std::vector<std::string> paths;
  bool json = false;
  po::options_description desc("beffroi rules check [PATH...] [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  po::variables_map vm;
  if (auto code = ParseCommand(Args(args.begin() + 1, args.end()), desc, "path", -1, &paths,
                               "rules check", vm))
    return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi rules check rules/ my-rules.yar\n";
    return kExitOk;
  }
  if (paths.empty()) {
    std::string bundled = BundledRulesDir();
    if (bundled.empty())
      return Fail("rules check", "no bundled rules found: give a PATH", kExitUsage);
    paths.push_back(bundled);
  }
  auto library = yara::YaraLibrary::Init();
  if (!library.ok()) return Fail("rules check", library.error().message);
  auto report = yara::CheckRules(paths);
  if (!report.ok()) return Fail("rules check", report.error().message);
  std::size_t errors = 0, warnings = 0;
  nlohmann::json out = nlohmann::json::array();
  for (const yara::Diagnostic& d : report->diagnostics) {
    (d.error ? errors : warnings)++;
    out.push_back({{"file", d.file}, {"line", d.line}, {"message", d.message}, {"error", d.error}});
    if (!json)
      std::printf("%s:%d: %s%s\n", d.file.c_str(), d.line,
                  d.error ? "error: " : "warning: ", d.message.c_str());
  }
  if (json) {
    std::cout
        << Dump(nlohmann::json{{"errors", errors}, {"warnings", warnings}, {"diagnostics", out}}, 2)
        << "\n";
  } else {
    std::printf("%zu error(s), %zu warning(s)\n", errors, warnings);
  }
  return errors > 0 ? kExitUsage : kExitOk;
}

}  // namespace beffroi::cli
