// beffroi-host: the host agent. `collect` walks file systems into an evidence bundle;
// `verify` checks a bundle against its manifest. Exit codes: see README.md.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agents/host/collector.h"
#include "agents/host/options.h"
#include "common/bundle.h"
#include "common/hash.h"
#include "common/progress.h"

namespace po = boost::program_options;
using namespace beffroi;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitVerifyFailed = 4;

constexpr const char* kTopHelp =
    R"(beffroi-host: collect file evidence from this host into a verifiable bundle.

Usage:
  beffroi-host collect PATH... --out BUNDLE [options]   walk PATHs, hash files, copy samples
  beffroi-host verify BUNDLE [--json]                   check a bundle against its manifest
  beffroi-host --version

Run `beffroi-host COMMAND --help` for the options of a command.
Exit codes: 0 ok, 1 runtime error, 2 usage error, 4 bundle failed verification.
)";

int Usage(const std::string& message);

// Parses `args` against `visible` plus one hidden positional option; returns an exit code
// (usage error) when the command line is malformed.
std::optional<int> Parse(const std::vector<std::string>& args,
                         const po::options_description& visible, const char* positional,
                         int max_positional, const char* command, po::variables_map& vm) {
  po::options_description all;
  all.add(visible);
  po::positional_options_description pos;
  pos.add(positional, max_positional);
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Usage(std::string(command) + ": " + e.what());
  }
  return std::nullopt;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "beffroi-host: %s\n(see beffroi-host --help)\n", message.c_str());
  return kExitUsage;
}

void PrintSummary(const host::CollectSummary& s) {
  std::printf("Bundle:        %s\n", s.bundle.c_str());
  std::printf("Manifest:      sha256 %s  (note it in your chain-of-custody record)\n",
              s.manifest_sha256.c_str());
  std::printf(
      "Files:         %llu hashed of %llu in scope, %s read, %llu directories, %llu symlinks\n",
      static_cast<unsigned long long>(s.files_hashed),
      static_cast<unsigned long long>(s.files_seen),
      FormatBytes(static_cast<double>(s.bytes_hashed)).c_str(),
      static_cast<unsigned long long>(s.directories), static_cast<unsigned long long>(s.symlinks));
  std::printf("Samples:       %llu stored (%s), %llu duplicates, %llu over budget\n",
              static_cast<unsigned long long>(s.samples_stored),
              FormatBytes(static_cast<double>(s.sample_bytes)).c_str(),
              static_cast<unsigned long long>(s.samples_duplicate),
              static_cast<unsigned long long>(s.sample_budget_skips));
  std::printf("Host facts:    %llu events\n", static_cast<unsigned long long>(s.host_fact_events));
  if (!s.skipped.empty()) {
    std::printf("Skipped:      ");
    for (const auto& [reason, n] : s.skipped)
      std::printf(" %s=%llu", reason.c_str(), static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  if (!s.anomalies.empty()) {
    std::printf("Anomalies:    ");
    for (const auto& [name, n] : s.anomalies)
      std::printf(" %s=%llu", name.c_str(), static_cast<unsigned long long>(n));
    std::printf("\n");
  }
  std::printf("Time:          %.2f s on %u threads\n", s.seconds, s.threads);
}

int Collect(const std::vector<std::string>& args, const std::vector<std::string>& argv_all) {
  host::WalkFlags walk;
  host::SampleFlags samples;
  std::vector<std::string> paths;
  std::string out, hashes = "sha256", examiner, case_id;
  bool json = false, no_facts = false, symlink_targets = false;
  po::options_description desc("beffroi-host collect PATH... --out BUNDLE [options]");
  desc.add_options()("help,h", "show this help")(
      "out,o", po::value(&out), "bundle directory to create (must not exist, or be empty)")(
      "hashes", po::value(&hashes)->default_value(hashes), "digests per file: sha256, sha1, md5")(
      "no-host-facts", po::bool_switch(&no_facts),
      "skip host, user, process, socket and persistence facts")(
      "symlink-targets", po::bool_switch(&symlink_targets),
      "record where each symlink points (reading a link updates the link's own access time)")(
      "examiner", po::value(&examiner),
      "who collects (recorded in the manifest; default: OS user)")(
      "case", po::value(&case_id), "case or incident reference recorded in the manifest")(
      "json", po::bool_switch(&json), "print the summary as JSON on stdout");
  host::AddWalkFlags(desc, walk);
  host::AddSampleFlags(desc, samples);
  po::options_description with_hidden;
  with_hidden.add(desc).add_options()("path", po::value(&paths)->composing());
  po::variables_map vm;
  if (auto code = Parse(args, with_hidden, "path", -1, "collect", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nExample:\n  beffroi-host collect /srv/shares /home --out "
                 "/media/usb/fs01-bundle --case LGE-2021-06\n";
    return kExitOk;
  }
  if (paths.empty()) return Usage("collect: give at least one PATH");
  if (out.empty()) return Usage("collect: --out BUNDLE is required");

  host::CollectOptions options;
  options.roots = paths;
  options.out = out;
  options.host_facts = !no_facts;
  options.symlink_targets = symlink_targets;
  options.examiner = examiner;
  options.case_id = case_id;
  options.command_line = argv_all;
  auto bits = host::ParseHashList(hashes);
  if (!bits.ok()) return Usage(bits.error().message);
  options.hashes = *bits;
  if (auto s = host::ApplyWalkFlags(walk, options); !s.ok()) return Usage(s.error().message);
  if (auto s = host::ApplySampleFlags(samples, options); !s.ok()) return Usage(s.error().message);
  if (json) options.progress = false;
  if (auto s = host::ValidateCollectOptions(options); !s.ok()) return Usage(s.error().message);

  auto summary = host::Collect(options);
  if (!summary.ok()) {
    std::fprintf(stderr, "beffroi-host: collect: %s\n", summary.error().message.c_str());
    return kExitError;
  }
  if (json) {
    std::cout << summary->ToJson().dump(2) << "\n";
  } else {
    PrintSummary(*summary);
  }
  return kExitOk;
}

int Verify(const std::vector<std::string>& args) {
  std::string bundle, expected;
  bool json = false;
  po::options_description desc("beffroi-host verify BUNDLE [--json]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json),
                                                 "print the report as JSON on stdout")(
      "manifest-sha256", po::value(&expected),
      "the manifest SHA-256 written down at collection time; verify fails if it differs");
  po::options_description with_hidden;
  with_hidden.add(desc).add_options()("bundle", po::value(&bundle));
  po::variables_map vm;
  if (auto code = Parse(args, with_hidden, "bundle", 1, "verify", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi-host verify /media/usb/fs01-bundle\n";
    return kExitOk;
  }
  if (bundle.empty()) return Usage("verify: give the BUNDLE directory");
  if (!expected.empty() && !IsHex(expected, 64)) {
    return Usage("verify: --manifest-sha256 takes 64 hex digits");
  }
  auto report = VerifyBundle(bundle, expected);
  if (!report.ok()) {
    std::fprintf(stderr, "beffroi-host: verify: %s\n", report.error().message.c_str());
    return kExitError;
  }
  const VerifyReport& r = *report;
  if (json) {
    nlohmann::json j = {{"bundle", bundle},
                        {"ok", r.ok()},
                        {"manifest_sha256", r.manifest_sha256},
                        {"files_checked", r.files_checked},
                        {"bytes_checked", r.bytes_checked},
                        {"missing", r.missing},
                        {"added", r.added},
                        {"altered", r.altered},
                        {"errors", r.errors}};
    std::cout << j.dump(2) << "\n";
  } else {
    for (const auto& p : r.missing)
      std::printf("MISSING  %s\n", p.c_str());
    for (const auto& p : r.added)
      std::printf("ADDED    %s\n", p.c_str());
    for (const auto& p : r.altered)
      std::printf("ALTERED  %s\n", p.c_str());
    for (const auto& p : r.errors)
      std::printf("ERROR    %s\n", p.c_str());
    std::printf(
        "%s: %s (%llu files, %s checked; manifest sha256 %s)\n", bundle.c_str(),
        r.ok() ? "intact" : "VERIFICATION FAILED", static_cast<unsigned long long>(r.files_checked),
        FormatBytes(static_cast<double>(r.bytes_checked)).c_str(), r.manifest_sha256.c_str());
  }
  return r.ok() ? kExitOk : kExitVerifyFailed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all(argv, argv + argc);
  if (argc < 2) {
    std::fputs(kTopHelp, stderr);
    return kExitUsage;
  }
  std::string cmd = argv[1];
  std::vector<std::string> rest(all.begin() + 2, all.end());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(kTopHelp, stdout);
      return kExitOk;
    }
    if (cmd == "--version") {
      std::printf("beffroi-host %s\n", BEFFROI_VERSION);
      return kExitOk;
    }
    if (cmd == "collect") return Collect(rest, all);
    if (cmd == "verify") return Verify(rest);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beffroi-host: %s: internal error: %s\n", cmd.c_str(), e.what());
    return kExitError;
  }
  return Usage("unknown command \"" + cmd + "\"");
}
