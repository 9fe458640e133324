// Command-line flags shared by every command that walks files (`beffroi-host collect`, and
// `beffroi scan` in the analyzer): scope, budgets, samples and progress. Registering them in
// one place keeps the flags and their meaning identical across commands.
#pragma once

#include <string>
#include <vector>

#include "agents/host/collector.h"
#include "common/result.h"

namespace boost::program_options {
class options_description;
}

namespace beffroi::host {

struct WalkFlags {
  std::vector<std::string> exclude;
  std::vector<std::string> only_ext;
  std::string max_file_size = "2G";
  std::string since;
  bool cross_mounts = false;
  unsigned threads = 0;
  double max_cpu = 0;
  double max_read_mbps = 0;
  bool quiet = false;
};

struct SampleFlags {
  bool no_samples = false;
  std::string max_size = "16M";
  std::string budget = "1G";
  std::string recent = "3d";
  std::string types = "executable,script,macro,note,recent";
  std::vector<std::string> ext;
  std::vector<std::string> name;
};

void AddWalkFlags(boost::program_options::options_description& desc, WalkFlags& flags);
void AddSampleFlags(boost::program_options::options_description& desc, SampleFlags& flags);

// Converts and checks; errors name the flag ("--max-file-size: ...").
Status ApplyWalkFlags(const WalkFlags& flags, CollectOptions& out);
Status ApplySampleFlags(const SampleFlags& flags, CollectOptions& out);
// "sha256,md5,sha1" -> bit set.
Result<unsigned> ParseHashList(const std::string& list);
// Splits "a,b" items of a repeatable flag.
std::vector<std::string> SplitList(const std::vector<std::string>& items);

}  // namespace beffroi::host
