// beffroi-net: the network agent. `read` turns pcap/pcapng files into network evidence;
// `capture` does the same from a live interface, keeping the raw packets. Exit codes: README.md.
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "agents/net/runner/flags.h"
#include "agents/net/runner/runner.h"
#include "common/bundle.h"
#include "common/hash.h"
#include "common/progress.h"
#include "common/text.h"

namespace po = boost::program_options;
using namespace beffroi;
using namespace beffroi::net;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

constexpr const char* kTopHelp =
    R"(beffroi-net: network evidence from pcap files or a live interface.

Usage:
  beffroi-net read FILE... [--out BUNDLE] [options]       pcap/pcapng files to events
  beffroi-net capture -i IFACE --out BUNDLE [options]     live capture (root or CAP_NET_RAW)
  beffroi-net --version

Without --out, `read` writes NDJSON events to standard output (payload samples are hashed but
not kept). Run `beffroi-net COMMAND --help` for the options of a command.
Exit codes: 0 ok, 1 runtime error (a file unreadable or cut short: what it held is kept),
2 usage error.
)";

int Usage(const std::string& message) {
  std::fprintf(stderr, "beffroi-net: %s\n(see beffroi-net --help)\n", message.c_str());
  return kExitUsage;
}

std::optional<int> Parse(const std::vector<std::string>& args,
                         const po::options_description& visible, const char* positional,
                         const char* command, po::variables_map& vm) {
  po::positional_options_description pos;
  if (positional != nullptr) pos.add(positional, -1);
  try {
    po::store(po::command_line_parser(args).options(visible).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Usage(std::string(command) + ": " + e.what());
  }
  return std::nullopt;
}

// Options shared by read and capture: the pipeline's, plus output and custody.
struct CommonFlags {
  NetFlags net;
  std::string out, examiner, case_id;
  bool json = false, quiet = false;
};

void AddCommonFlags(po::options_description& d, CommonFlags& f) {
  AddNetFlags(d, f.net);
  d.add_options()("examiner", po::value(&f.examiner), "who collects (manifest; default: OS user)")(
      "case", po::value(&f.case_id), "case or incident reference recorded in the manifest")(
      "json", po::bool_switch(&f.json), "print the summary as JSON")(
      "quiet,q", po::bool_switch(&f.quiet), "no progress line");
}

void PrintSummary(const RunSummary& r, const std::string& bundle, const std::string& manifest,
                  std::FILE* out) {
  for (const auto& s : r.sources) {
    std::fprintf(out, "%s: %llu packets, %s, %s", s.name.c_str(),
                 static_cast<unsigned long long>(s.packets),
                 FormatBytes(static_cast<double>(s.bytes)).c_str(), s.link_type.c_str());
    if (s.counters.received != 0)
      std::fprintf(out, ", dropped %llu by the kernel, %llu by the interface",
                   static_cast<unsigned long long>(s.counters.dropped_kernel),
                   static_cast<unsigned long long>(s.counters.dropped_iface));
    std::fprintf(out, "%s\n", s.error.empty() ? "" : "  (INCOMPLETE, see the error above)");
  }
  const auto& p = r.pipeline;
  if (p.contains("events")) {
    std::fprintf(out, "Events:   ");
    for (const auto& [k, v] : p["events"].items())
      std::fprintf(out, " %s=%llu", k.c_str(),
                   static_cast<unsigned long long>(v.get<std::uint64_t>()));
    std::fprintf(out, "\n");
  }
  if (p.contains("anomalies") && !p["anomalies"].empty()) {
    std::fprintf(out, "Anomalies:");
    for (const auto& [k, v] : p["anomalies"].items())
      std::fprintf(out, " %s=%llu", k.c_str(),
                   static_cast<unsigned long long>(v.get<std::uint64_t>()));
    std::fprintf(out, "\n");
  }
  if (!bundle.empty()) {
    std::fprintf(out,
                 "Bundle:    %s\nManifest:  sha256 %s  (note it in your chain-of-custody record)\n",
                 bundle.c_str(), manifest.c_str());
  }
  std::fprintf(out, "Time:      %.2f s\n", r.seconds);
}

// Runs `body` against a bundle (when --out) or standard output, then finishes the bundle and
// prints the summary.
template <typename Body>
int RunWithEvidence(const CommonFlags& flags, const std::vector<std::string>& argv,
                    const EngineOptions& engine, Body body) {
  const Envelope env = LocalEnvelope();
  const std::string started = NowTimestamp();
  std::unique_ptr<BundleWriter> bundle;
  std::unique_ptr<EvidenceSink> sink;
  if (!flags.out.empty()) {
    auto created = BundleWriter::Create(flags.out);
    if (!created.ok()) {
      std::fprintf(stderr, "beffroi-net: %s\n", created.error().message.c_str());
      return kExitError;
    }
    bundle = std::move(created).value();
    sink = MakeBundleEvidence(*bundle, env);
  } else {
    sink = MakeStreamEvidence(::dup(STDOUT_FILENO), "standard output", env);
  }
  Pipeline pipeline(engine, *sink);
  Result<RunSummary> run = body(pipeline, *sink, bundle.get());
  if (!run.ok()) {
    std::fprintf(stderr, "beffroi-net: %s\n", run.error().message.c_str());
    if (!bundle) return kExitError;
    run = RunSummary{};  // the bundle is still finished: it records what was attempted
  }
  std::string manifest;
  if (bundle) {
    BundleInfo info = MakeNetBundleInfo(env, flags.examiner, flags.case_id, argv, started);
    info.ended = NowTimestamp();
    nlohmann::json stats = run->ToJson();
    auto finished = bundle->Finish(info, stats);
    if (!finished.ok()) {
      std::fprintf(stderr, "beffroi-net: %s\n", finished.error().message.c_str());
      return kExitError;
    }
    manifest = *finished;
  }
  if (!sink->status().ok()) {
    std::fprintf(stderr, "beffroi-net: writing evidence: %s\n",
                 sink->status().error().message.c_str());
    return kExitError;
  }
  std::FILE* out = bundle ? stdout : stderr;  // stdout carries the events otherwise
  if (flags.json) {
    nlohmann::json j = run->ToJson();
    if (bundle) {
      j["bundle"] = flags.out;
      j["manifest_sha256"] = manifest;
    }
    std::fprintf(out, "%s\n", j.dump(2).c_str());
  } else if (!flags.quiet || bundle) {
    PrintSummary(*run, flags.out, manifest, out);
  }
  return run->ok() && run->sources.size() > 0 ? kExitOk : kExitError;
}

int Read(const std::vector<std::string>& args, const std::vector<std::string>& argv) {
  CommonFlags flags;
  ReadOptions read;
  po::options_description desc("beffroi-net read FILE... [--out BUNDLE] [options]");
  desc.add_options()("help,h", "show this help")(
      "out,o", po::value(&flags.out),
      "bundle directory to create; without it, NDJSON events go to standard output");
  AddCommonFlags(desc, flags);
  po::options_description all;
  all.add(desc).add_options()("file", po::value(&read.files)->composing());
  po::variables_map vm;
  if (auto code = Parse(args, all, "file", "read", vm)) return *code;
  if (vm.count("help")) {
    std::cout
        << desc
        << "\nExamples:\n  beffroi-net read span-port-0621.pcapng --out /media/usb/net-bundle"
           "\n  beffroi-net read suspect.pcap | jq 'select(.event.dataset==\"beffroi.dns\")'\n";
    return kExitOk;
  }
  if (read.files.empty()) return Usage("read: give at least one FILE");
  auto engine = MakeEngineOptions(flags.net);
  if (!engine.ok()) return Usage("read: " + engine.error().message);
  read.progress = !flags.quiet && !flags.json;
  return RunWithEvidence(flags, argv, *engine,
                         [&](Pipeline& p, EvidenceSink& sink, BundleWriter*) -> Result<RunSummary> {
                           return ReadFiles(read, p, sink);
                         });
}

void OnSignal(int) {
  g_stop_capture.store(true);
}

int Capture(const std::vector<std::string>& args, const std::vector<std::string>& argv) {
  CommonFlags flags;
  LiveCaptureOptions live;
  double rotate_mib = 256;
  bool no_raw = false, no_promisc = false;
  po::options_description desc("beffroi-net capture -i IFACE --out BUNDLE [options]");
  desc.add_options()("help,h", "show this help")("interface,i", po::value(&live.live.interface),
                                                 "interface to capture on (e.g. eth0)")(
      "out,o", po::value(&flags.out), "bundle directory to create")(
      "filter,f", po::value(&live.live.filter), "BPF filter, as for tcpdump")(
      "snaplen", po::value(&live.live.snaplen)->default_value(live.live.snaplen),
      "bytes kept of each packet")("duration", po::value(&live.duration_seconds),
                                   "stop after this many seconds")(
      "packets", po::value(&live.max_packets), "stop after this many packets")(
      "rotate-mib", po::value(&rotate_mib)->default_value(rotate_mib),
      "start a new raw capture file past this size (0: never)")(
      "rotate-seconds", po::value(&live.rotate_seconds),
      "start a new raw capture file every this many seconds")(
      "no-raw", po::bool_switch(&no_raw), "do not keep the raw packets in the bundle")(
      "no-promiscuous", po::bool_switch(&no_promisc), "leave the interface's mode alone")(
      "user", po::value(&live.user)->default_value("nobody"),
      "when started as root: account to switch to once the interface is open (root: stay)");
  AddCommonFlags(desc, flags);
  po::variables_map vm;
  if (auto code = Parse(args, desc, nullptr, "capture", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nExample:\n  sudo beffroi-net capture -i eth1 --filter 'not port 22' "
                 "--duration 3600 --out /srv/evidence/span-0621\n";
    return kExitOk;
  }
  if (live.live.interface.empty()) return Usage("capture: -i IFACE is required");
  if (flags.out.empty()) return Usage("capture: --out BUNDLE is required");
  if (vm.count("duration") && live.duration_seconds <= 0)
    return Usage("capture: --duration must be positive");
  if (vm.count("packets") && live.max_packets == 0)
    return Usage("capture: --packets must be positive");
  if (live.live.snaplen < 64 || live.live.snaplen > 262144)
    return Usage("capture: --snaplen between 64 and 262144");
  if (rotate_mib < 0 || live.rotate_seconds < 0)
    return Usage("capture: rotation limits cannot be negative");
  live.rotate_bytes = static_cast<std::uint64_t>(rotate_mib * 1024 * 1024);
  live.keep_raw = !no_raw;
  live.live.promiscuous = !no_promisc;
  live.progress = !flags.quiet && !flags.json;
  auto engine = MakeEngineOptions(flags.net);
  if (!engine.ok()) return Usage("capture: " + engine.error().message);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return RunWithEvidence(flags, argv, *engine,
                         [&](Pipeline& p, EvidenceSink& sink, BundleWriter* bundle) {
                           return CaptureLive(live, p, sink, bundle);
                         });
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all(argv, argv + argc);
  if (argc < 2) {
    std::fputs(kTopHelp, stderr);
    return kExitUsage;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> rest(all.begin() + 2, all.end());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::fputs(kTopHelp, stdout);
      return kExitOk;
    }
    if (cmd == "--version") {
      std::printf("beffroi-net %s\n", BEFFROI_VERSION);
      return kExitOk;
    }
    if (cmd == "read") return Read(rest, all);
    if (cmd == "capture") return Capture(rest, all);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "beffroi-net: %s: internal error: %s\n", cmd.c_str(), e.what());
    return kExitError;
  }
  return Usage("unknown command \"" + cmd + "\"");
}
