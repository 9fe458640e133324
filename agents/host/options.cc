#include "agents/host/options.h"

#include <boost/program_options.hpp>

#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::host {

std::vector<std::string> SplitList(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    std::size_t start = 0;
    while (start <= item.size()) {
      std::size_t comma = item.find(',', start);
      std::string part = item.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

namespace {

std::vector<std::string> NormalizeExtensions(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (std::string e : SplitList(items)) {
    e = ToLowerAscii(e);
    if (e.front() != '.') e.insert(e.begin(), '.');
    out.push_back(e);
  }
  return out;
}

Result<std::uint64_t> Size(const std::string& flag, const std::string& text) {
  auto v = ParseByteSize(text);
  if (!v)
    return MakeError(ErrorCode::kInvalidArgument,
                     flag + ": not a size: \"" + text + "\" (e.g. 512K, 64M, 2G)");
  return *v;
}

}  // namespace

void AddWalkFlags(po::options_description& desc, WalkFlags& f) {
  desc.add_options()(
      "exclude", po::value(&f.exclude)->composing(),
      "skip paths matching GLOB (a glob without '/' matches the base name); repeatable")(
      "only-ext", po::value(&f.only_ext)->composing(),
      "only files with these extensions, e.g. exe,dll,ps1; repeatable")(
      "max-file-size", po::value(&f.max_file_size)->default_value(f.max_file_size),
      "record larger files without reading them (0 = no limit)")(
      "since", po::value(&f.since),
      "only files modified or changed since DATE (2021-06-18, 2021-06-18T06:00:00Z, 7d, 12h)")(
      "cross-mounts", po::bool_switch(&f.cross_mounts), "descend into other file systems")(
      "threads", po::value(&f.threads)->default_value(0),
      "reader threads (0 = one per core, at most 8)")(
      "max-cpu", po::value(&f.max_cpu)->default_value(0),
      "keep CPU use under PCT percent of the whole machine (0 = no limit)")(
      "max-read-mbps", po::value(&f.max_read_mbps)->default_value(0),
      "keep disk reads under N MB/s (0 = no limit)")("quiet,q", po::bool_switch(&f.quiet),
                                                     "no progress line");
}

void AddSampleFlags(po::options_description& desc, SampleFlags& f) {
  desc.add_options()("no-samples", po::bool_switch(&f.no_samples),
                     "copy no samples into the bundle")(
      "sample-max-size", po::value(&f.max_size)->default_value(f.max_size), "largest file to copy")(
      "sample-budget", po::value(&f.budget)->default_value(f.budget), "total size of all samples")(
      "sample-recent", po::value(&f.recent)->default_value(f.recent),
      "files modified within this age are sampled (AGE like 3d, a DATE, or 'off')")(
      "sample-types", po::value(&f.types)->default_value(f.types),
      "which kinds to sample: executable,script,macro,note,recent")(
      "sample-ext", po::value(&f.ext)->composing(), "also sample these extensions; repeatable")(
      "sample-name", po::value(&f.name)->composing(),
      "also sample names matching REGEX (case-insensitive); repeatable");
}

Status ApplyWalkFlags(const WalkFlags& f, CollectOptions& out) {
  out.scope.excludes = f.exclude;
  out.scope.only_extensions = NormalizeExtensions(f.only_ext);
  out.scope.cross_mounts = f.cross_mounts;
  auto size = Size("--max-file-size", f.max_file_size);
  if (!size.ok()) return size.error();
  out.max_file_size = *size;
  if (!f.since.empty()) {
    auto since = ParseDateOrAge(f.since, NowUnixNs());
    if (!since) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "--since: not a date or age: \"" + f.since + "\" (2021-06-18, 7d, 12h)");
    }
    out.scope.since_ns = *since;
  }
  if (f.threads > 256) return MakeError(ErrorCode::kInvalidArgument, "--threads: at most 256");
  out.threads = f.threads;
  if (f.max_cpu < 0 || f.max_cpu > 100) {
    return MakeError(ErrorCode::kInvalidArgument, "--max-cpu: a percentage from 1 to 100");
  }
  if (f.max_read_mbps < 0 || (f.max_read_mbps > 0 && f.max_read_mbps < 0.1)) {
    return MakeError(ErrorCode::kInvalidArgument, "--max-read-mbps: 0 (no limit) or at least 0.1");
  }
  out.max_cpu_percent = f.max_cpu;
  out.max_read_mbps = f.max_read_mbps;
  out.progress = !f.quiet;
  return OkStatus();
}

Status ApplySampleFlags(const SampleFlags& f, CollectOptions& out) {
  SamplePolicyOptions& s = out.samples;
  s.enabled = !f.no_samples;
  auto max = Size("--sample-max-size", f.max_size);
  if (!max.ok()) return max.error();
  auto budget = Size("--sample-budget", f.budget);
  if (!budget.ok()) return budget.error();
  s.max_size = *max;
  s.budget = *budget;
  s.executables = s.scripts = s.macro_documents = s.ransom_notes = s.recent = false;
  for (const std::string& t : SplitList({f.types})) {
    if (t == "executable")
      s.executables = true;
    else if (t == "script")
      s.scripts = true;
    else if (t == "macro")
      s.macro_documents = true;
    else if (t == "note")
      s.ransom_notes = true;
    else if (t == "recent")
      s.recent = true;
    else
      return MakeError(
          ErrorCode::kInvalidArgument,
          "--sample-types: unknown kind \"" + t + "\" (executable, script, macro, note, recent)");
  }
  if (f.recent == "off" || f.recent == "0") {
    s.recent = false;
  } else {
    auto since = ParseDateOrAge(f.recent, NowUnixNs());
    if (!since)
      return MakeError(ErrorCode::kInvalidArgument,
                       "--sample-recent: not an age or date: \"" + f.recent + "\"");
    s.recent_since_ns = *since;
  }
  s.extra_extensions = NormalizeExtensions(f.ext);
  s.extra_name_patterns = f.name;
  if (auto err = SamplePolicy::Validate(s)) return MakeError(ErrorCode::kInvalidArgument, *err);
  return OkStatus();
}

Result<unsigned> ParseHashList(const std::string& list) {
  unsigned bits = 0;
  for (const std::string& h : SplitList({list})) {
    std::string l = ToLowerAscii(h);
    if (l == "sha256" || l == "sha-256")
      bits |= kSha256;
    else if (l == "sha1" || l == "sha-1")
      bits |= kSha1;
    else if (l == "md5")
      bits |= kMd5;
    else
      return MakeError(ErrorCode::kInvalidArgument,
                       "--hashes: unknown algorithm \"" + h + "\" (sha256, sha1, md5)");
  }
  return bits | kSha256;
}

}  // namespace beffroi::host
