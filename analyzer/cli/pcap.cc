// `beffroi pcap FILE...`: the network agent and the analyzer in one process. The capture files
// are read into an evidence bundle (kept: it is the chain of custody for what was found), which
// is then verified and analyzed into the database like any bundle from beffroi-net, so network
// detections join the file detections of the same hosts.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "agents/net/runner/flags.h"
#include "agents/net/runner/runner.h"
#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/parse.h"
#include "common/text.h"

namespace po = boost::program_options;

namespace beffroi::cli {
namespace {

// ./beffroi.db → ./beffroi.db.evidence/pcap-20260621T060000Z-1a2b3c4d
std::string DefaultBundleDir(const std::string& db) {
  std::string stamp = NowTimestamp();  // 2026-06-21T06:00:00.123456Z
  std::string compact;
  for (char c : stamp.substr(0, 19))
    if (c != '-' && c != ':') compact.push_back(c);
  return db + ".evidence/pcap-" + compact + "Z-" + RandomUuid().substr(0, 8);
}

}  // namespace

int RunPcap(const Args& args, const Args& argv_all) {
  EngineFlags flags;
  net::NetFlags net_flags;
  std::vector<std::string> files;
  std::string out, examiner, case_id;
  bool json = false, quiet = false;
  double window_hours = 72;
  po::options_description desc("beffroi pcap FILE... [options]");
  desc.add_options()("help,h", "show this help")(
      "out,o", po::value(&out),
      "evidence bundle to write (default: DB.evidence/pcap-TIME-ID next to the database)")(
      "examiner", po::value(&examiner), "who collects (manifest; default: OS user)")(
      "case", po::value(&case_id), "case or incident reference recorded in the manifest")(
      "json", po::bool_switch(&json), "print the outcome as JSON")(
      "quiet,q", po::bool_switch(&quiet), "no progress line")(
      "window", po::value(&window_hours)->default_value(window_hours),
      "hours within which findings of one threat on one host form one incident");
  net::AddNetFlags(desc, net_flags);
  AddDbFlag(desc, flags);
  AddEngineFlags(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "file", -1, &files, "pcap", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nExample:\n  beffroi pcap span-0621.pcapng --db city.db --case LGE-2021-06\n";
    return kExitOk;
  }
  if (files.empty()) return Fail("pcap", "give at least one capture FILE", kExitUsage);
  if (auto s = ValidateEngineFlags(flags, window_hours); !s.ok())
    return Fail("pcap", s.error().message, kExitUsage);
  auto engine_options = net::MakeEngineOptions(net_flags);
  if (!engine_options.ok()) return Fail("pcap", engine_options.error().message, kExitUsage);
  if (out.empty()) {
    out = DefaultBundleDir(flags.db);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(out).parent_path(), ec);
    if (ec) return Fail("pcap", "create " + out + ": " + ec.message());
  }

  const net::Envelope env = net::LocalEnvelope();
  const std::string started = NowTimestamp();
  auto bundle = BundleWriter::Create(out);
  if (!bundle.ok()) return Fail("pcap", bundle.error().message);
  auto sink = net::MakeBundleEvidence(**bundle, env);
  net::Pipeline pipeline(*engine_options, *sink);
  net::ReadOptions read;
  read.files = files;
  read.progress = !quiet && !json;
  net::RunSummary run = net::ReadFiles(read, pipeline, *sink);
  BundleInfo info = net::MakeNetBundleInfo(env, examiner, case_id, argv_all, started);
  info.ended = NowTimestamp();
  auto manifest = (*bundle)->Finish(info, run.ToJson());
  if (!manifest.ok()) return Fail("pcap", manifest.error().message);
  if (!sink->status().ok()) return Fail("pcap", sink->status().error().message);
  if (!json) {
    std::printf("Evidence bundle %s (manifest sha256 %s)\n", out.c_str(), manifest->c_str());
  }
  int code = AnalyzeBundles(flags, {out}, window_hours, json, argv_all);
  // A capture cut short still had its readable part analyzed; say so in the exit code unless
  // something worse (or detections) already did.
  if (!run.ok() && code == kExitOk) code = kExitError;
  return code;
}

}  // namespace beffroi::cli
