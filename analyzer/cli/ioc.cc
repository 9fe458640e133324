// `beffroi ioc import|list|remove`: threat-intelligence feeds kept in the database.
//
// Import reads MISP feed directories and event files, STIX 2.1 bundles, Loki/THOR lists and
// CSV; drops what the warninglist covers; stores the rest as a new version of the feed (the
// same content again adds nothing; changed content replaces the previous version); and
// retro-hunts every stored observation with it. All of it in one transaction, with one
// audit entry. Stored feeds are matched by scan, analyze and pcap beside the IOC files.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/feeds.h"
#include "analyzer/cli/parse.h"
#include "analyzer/cli/recorder.h"
#include "analyzer/cli/retrohunt.h"
#include "analyzer/ioc/feed.h"
#include "analyzer/ioc/warninglist.h"
#include "analyzer/store/feeds.h"
#include "common/text.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace beffroi::cli {
namespace {

constexpr std::size_t kIndicatorBatch = 50'000;
// Warnings printed to the terminal; all are counted and the rest are in --json.
constexpr std::size_t kPrintedWarnings = 20;

struct ImportFlags {
  EngineFlags engine;
  std::vector<std::string> paths;
  std::string name;
  std::string format = "auto";
  std::vector<std::string> warninglists;
  bool no_warninglist = false;
  bool no_retro_hunt = false;
  bool json = false;
  double window_hours = 72;
};

std::string DefaultName(const std::string& path) {
  fs::path p(path);
  while (!p.empty() && p.filename().empty())
    p = p.parent_path();  // "feeds/circl/"
  std::string name = p.stem().string();
  if (name == "manifest") name = p.parent_path().filename().string();
  return name.empty() ? "feed" : name;
}

Result<ioc::Warninglist> LoadWarninglists(const ImportFlags& f) {
  ioc::Warninglist list;
  std::vector<std::string> files = f.warninglists;
  if (!f.no_warninglist) {
    std::string bundled = BundledRulesDir();
    std::error_code ec;
    std::vector<std::string> found;
    if (!bundled.empty()) {
      for (const auto& entry : fs::directory_iterator(bundled + "/warninglists", ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".txt")
          found.push_back(entry.path().string());
      }
    }
    std::sort(found.begin(), found.end());
    files.insert(files.begin(), found.begin(), found.end());
  }
  for (const std::string& file : files) {
    if (Status s = list.Load(file); !s.ok()) return s.error();
  }
  return list;
}

nlohmann::json TypeCounts(const std::vector<ioc::FeedIndicator>& indicators) {
  std::map<std::string, std::size_t> by_type;
  for (const auto& i : indicators)
    ++by_type[i.type];
  return nlohmann::json(by_type);
}

std::string Summary(const nlohmann::json& counts) {
  std::string out;
  for (const auto& [k, v] : counts.items()) {
    if (!out.empty()) out += ", ";
    out += k + " " + std::to_string(v.get<std::size_t>());
  }
  return out;
}

int Import(const Args& args, const Args& argv_all) {
  ImportFlags f;
  po::options_description desc("beffroi ioc import PATH... [options]");
  desc.add_options()("help,h", "show this help")("name", po::value(&f.name),
                                                 "feed name (default: the first PATH's name)")(
      "format", po::value(&f.format)->default_value(f.format), "auto, misp, stix, loki or csv")(
      "warninglist", po::value(&f.warninglists)->composing(),
      "extra warninglist file (TYPE VALUE lines); repeatable")(
      "no-warninglist", po::bool_switch(&f.no_warninglist),
      "do not apply the bundled warninglists (rules/warninglists/)")(
      "no-retro-hunt", po::bool_switch(&f.no_retro_hunt),
      "store the feed without matching the stored observations against it")(
      "window", po::value(&f.window_hours)->default_value(f.window_hours),
      "hours within which findings of one threat on one host form one incident")(
      "json", po::bool_switch(&f.json), "print the outcome as JSON");
  AddDbFlag(desc, f.engine);
  desc.add_options()("allowlist", po::value(&f.engine.allowlist)->composing(),
                     "known-good hashes and paths for the retro-hunt (default: bundled)");
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "path", -1, &f.paths, "ioc import", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nExamples:\n  beffroi ioc import /srv/feeds/circl --name circl-osint\n"
                 "  beffroi ioc import cert-be-2021-06.json --db city.db\n";
    return kExitOk;
  }
  if (f.paths.empty()) return Fail("ioc import", "give at least one PATH", kExitUsage);
  auto format = ioc::FeedFormatFromName(f.format);
  if (!format.ok()) return Fail("ioc import", format.error().message, kExitUsage);
  if (Status s = ValidateEngineFlags(f.engine, f.window_hours); !s.ok())
    return Fail("ioc import", s.error().message, kExitUsage);
  if (f.name.empty()) f.name = DefaultName(f.paths.front());

  // Progress, on a terminal only: a million-indicator feed takes some seconds.
  const bool tty = !f.json && ::isatty(STDERR_FILENO) == 1;
  auto stage = [&](const char* what) {
    if (tty) std::fprintf(stderr, "beffroi: %s...\n", what);
  };
  stage("reading the feed");
  auto warninglist = LoadWarninglists(f);
  if (!warninglist.ok()) return Fail("ioc import", warninglist.error().message);
  ioc::FeedContent content;
  if (Status s = ioc::LoadFeed(f.paths, *format, content); !s.ok())
    return Fail("ioc import", s.error().message);
  for (const std::string& w : warninglist->warnings())
    content.Warn(w);

  // The warninglist, then repeats merged: what is left is the feed's content.
  std::map<std::string, std::size_t> dropped;
  std::vector<ioc::FeedIndicator> kept;
  kept.reserve(content.indicators.size());
  for (ioc::FeedIndicator& i : content.indicators) {
    if (auto list = warninglist->Covers(i)) {
      ++dropped[*list];
      continue;
    }
    kept.push_back(std::move(i));
  }
  content.indicators.clear();
  std::size_t merged = ioc::MergeDuplicates(kept);
  std::string sha = ioc::FeedContentHash(kept);

  nlohmann::json report = {{"feed", f.name},
                           {"sources", f.paths},
                           {"objects", content.objects},
                           {"indicators", kept.size()},
                           {"by_type", TypeCounts(kept)},
                           {"warninglisted", dropped},
                           {"duplicates_merged", merged},
                           {"skipped", content.skipped},
                           {"warning_count", content.warning_count},
                           {"warnings", content.warnings},
                           {"content_sha256", sha}};
  auto print_warnings = [&] {
    if (f.json) return;
    for (std::size_t i = 0; i < content.warnings.size() && i < kPrintedWarnings; ++i)
      std::fprintf(stderr, "beffroi: warning: %s\n", content.warnings[i].c_str());
    if (content.warning_count > kPrintedWarnings) {
      std::fprintf(stderr, "beffroi: warning: ... %zu more warnings (see --json)\n",
                   content.warning_count - kPrintedWarnings);
    }
  };
  if (kept.empty()) {
    print_warnings();
    report["status"] = "empty";
    if (f.json) std::cout << Dump(report, 2) << "\n";
    return Fail("ioc import", f.paths.front() + ": no usable indicator (" +
                                  std::to_string(content.skipped_total()) + " skipped, " +
                                  std::to_string(dropped.size()) +
                                  " warninglists matched); nothing stored");
  }

  stage("storing the indicators");
  auto store = OpenStore(f.engine);
  if (!store.ok()) return Fail("ioc import", store.error().message);
  store::FeedStore feeds((*store)->db());
  store::Who who = WhoIs(f.engine);
  std::string actor = who.Display();
  auto tx = store::Transaction::Begin((*store)->db());
  if (!tx.ok()) return Fail("ioc import", tx.error().message);
  auto known = feeds.FindCurrentByContent(sha);
  if (!known.ok()) return Fail("ioc import", known.error().message);
  if (known->has_value()) {
    const store::FeedRow& k = **known;
    report["status"] = "unchanged";
    report["feed_id"] = k.id;
    report["version"] = k.version;
    (void)(*store)->AppendAudit(who, "ioc.import_unchanged", "ioc_feed", k.id,
                                Dump({{"sources", f.paths}, {"command_line", argv_all}}),
                                NowTimestamp());
    if (Status s = tx->Commit(); !s.ok()) return Fail("ioc import", s.error().message);
    print_warnings();
    if (f.json) {
      std::cout << Dump(report, 2) << "\n";
    } else {
      std::printf("%s: same content as feed %s v%lld (id %lld); nothing added\n",
                  f.paths.front().c_str(), k.name.c_str(), static_cast<long long>(k.version),
                  static_cast<long long>(k.id));
    }
    return kExitOk;
  }
  auto previous = feeds.FindCurrent(f.name);
  if (!previous.ok()) return Fail("ioc import", previous.error().message);

  store::FeedRow row;
  row.name = f.name;
  row.format.clear();
  for (const std::string& name : content.formats)
    row.format += (row.format.empty() ? "" : "+") + name;
  if (row.format.empty()) row.format = std::string(ioc::FeedFormatName(*format));
  row.sources_json = Dump(nlohmann::json(f.paths));
  row.content_sha256 = sha;
  row.imported_at = NowTimestamp();
  row.imported_by = actor;
  row.indicator_count = static_cast<std::int64_t>(kept.size());
  row.counts_json = Dump({{"by_type", report["by_type"]},
                          {"warninglisted", report["warninglisted"]},
                          {"skipped", report["skipped"]},
                          {"duplicates_merged", merged},
                          {"warning_count", content.warning_count}});
  auto inserted = feeds.InsertFeed(row);
  if (!inserted.ok()) return Fail("ioc import", inserted.error().message);
  std::vector<store::IndicatorRow> batch;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    batch.push_back(ToIndicatorRow(kept[i]));
    if (batch.size() >= kIndicatorBatch || i + 1 == kept.size()) {
      if (Status s = feeds.InsertIndicators(inserted->id, batch); !s.ok())
        return Fail("ioc import", s.error().message + " (nothing stored)");
      batch.clear();
    }
  }
  kept.clear();
  kept.shrink_to_fit();
  if (previous->has_value()) {
    if (Status s = feeds.Supersede((*previous)->id, inserted->id); !s.ok())
      return Fail("ioc import", s.error().message + " (nothing stored)");
    report["replaces"] = {{"feed_id", (*previous)->id}, {"version", (*previous)->version}};
  }
  report["status"] = "imported";
  report["feed_id"] = inserted->id;
  report["version"] = inserted->version;

  RetroHuntCounts hunt;
  if (!f.no_retro_hunt) {
    stage("retro-hunting the stored observations");
    ioc::IocSet set;
    auto loaded = LoadStoredFeeds(**store, set, inserted->id);
    if (!loaded.ok()) return Fail("ioc import", loaded.error().message + " (nothing stored)");
    if (Status s = LoadAllowlists(f.engine, set); !s.ok())
      return Fail("ioc import", s.error().message + " (nothing stored)");
    Recorder recorder(**store, who, static_cast<std::int64_t>(f.window_hours * 3600e9));
    auto counts = RetroHunt(**store, set, recorder);
    if (!counts.ok()) return Fail("ioc import", counts.error().message + " (nothing stored)");
    hunt = *counts;
    report["retro_hunt"] = {
        {"file_observations", hunt.files},       {"network_observations", hunt.network},
        {"host_observations", hunt.host},        {"findings", hunt.findings},
        {"new_detections", hunt.new_detections}, {"new_incidents", hunt.new_incidents}};
  }
  nlohmann::json audit = report;
  audit.erase("warnings");
  audit["command_line"] = argv_all;
  if (Status s = (*store)->AppendAudit(who, "ioc.imported", "ioc_feed", inserted->id, Dump(audit),
                                       NowTimestamp());
      !s.ok()) {
    return Fail("ioc import", s.error().message + " (nothing stored)");
  }
  if (Status s = tx->Commit(); !s.ok()) return Fail("ioc import", s.error().message);
  print_warnings();
  if (f.json) {
    std::cout << Dump(report, 2) << "\n";
  } else {
    std::printf("feed %s v%lld (id %lld): %zu indicators (%s)\n", f.name.c_str(),
                static_cast<long long>(inserted->version), static_cast<long long>(inserted->id),
                static_cast<std::size_t>(row.indicator_count), Summary(report["by_type"]).c_str());
    if (previous->has_value()) {
      std::printf("  replaces v%lld\n", static_cast<long long>((*previous)->version));
    }
    std::size_t dropped_total = 0;
    for (const auto& [k, v] : dropped)
      dropped_total += v;
    if (dropped_total > 0) {
      std::printf("  %zu dropped by the warninglist (%s)\n", dropped_total,
                  Summary(report["warninglisted"]).c_str());
    }
    if (content.skipped_total() > 0) {
      std::printf("  %zu skipped (%s)\n", content.skipped_total(),
                  Summary(report["skipped"]).c_str());
    }
    if (!f.no_retro_hunt) {
      std::printf(
          "  retro-hunt: %llu observations, %llu findings, %llu new detections, %llu new "
          "incidents\n",
          static_cast<unsigned long long>(hunt.files + hunt.network + hunt.host),
          static_cast<unsigned long long>(hunt.findings),
          static_cast<unsigned long long>(hunt.new_detections),
          static_cast<unsigned long long>(hunt.new_incidents));
    }
  }
  return hunt.new_detections > 0 ? kExitDetections : kExitOk;
}

nlohmann::json FeedJson(const store::FeedRow& r) {
  nlohmann::json j = {{"id", r.id},
                      {"name", r.name},
                      {"version", r.version},
                      {"format", r.format},
                      {"sources", nlohmann::json::parse(r.sources_json, nullptr, false)},
                      {"content_sha256", r.content_sha256},
                      {"imported_at", r.imported_at},
                      {"imported_by", r.imported_by},
                      {"indicators", r.indicator_count},
                      {"counts", nlohmann::json::parse(r.counts_json, nullptr, false)},
                      {"status", r.removed_at      ? "removed"
                                 : r.superseded_by ? "superseded"
                                                   : "current"}};
  if (r.superseded_by) j["superseded_by"] = *r.superseded_by;
  if (r.removed_at) j["removed_at"] = *r.removed_at;
  return j;
}

int List(const Args& args) {
  EngineFlags flags;
  bool json = false, all = false;
  po::options_description desc("beffroi ioc list [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON")(
      "all", po::bool_switch(&all), "also superseded and removed versions");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "", 0, nullptr, "ioc list", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  beffroi ioc list --db city.db\n";
    return kExitOk;
  }
  auto store = OpenStore(flags, /*read_only=*/true);
  if (!store.ok()) return Fail("ioc list", store.error().message);
  store::FeedStore feeds((*store)->db());
  auto rows = feeds.List(all);
  if (!rows.ok()) return Fail("ioc list", rows.error().message);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *rows)
      out.push_back(FeedJson(r));
    std::cout << Dump(out, 2) << "\n";
    return kExitOk;
  }
  if (rows->empty()) {
    std::printf("no feeds imported (beffroi ioc import PATH)\n");
    return kExitOk;
  }
  std::printf("%-5s %-24s %-4s %-6s %11s  %-27s %-12s %s\n", "ID", "NAME", "VER", "FORMAT",
              "INDICATORS", "IMPORTED", "BY", "STATUS");
  for (const auto& r : *rows) {
    std::string status = r.removed_at ? "removed" : r.superseded_by ? "superseded" : "current";
    std::printf("%-5lld %-24s %-4lld %-6s %11lld  %-27s %-12s %s\n", static_cast<long long>(r.id),
                r.name.c_str(), static_cast<long long>(r.version), r.format.c_str(),
                static_cast<long long>(r.indicator_count), r.imported_at.c_str(),
                r.imported_by.c_str(), status.c_str());
  }
  return kExitOk;
}

int Remove(const Args& args) {
  EngineFlags flags;
  bool json = false;
  std::vector<std::string> ids;
  po::options_description desc("beffroi ioc remove FEED [options]");
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&json), "print JSON");
  AddDbFlag(desc, flags);
  po::variables_map vm;
  if (auto code = ParseCommand(args, desc, "feed", 1, &ids, "ioc remove", vm)) return *code;
  if (vm.count("help")) {
    std::cout << desc
              << "\nFEED is a feed id or name. Detections already made stay; the feed's "
                 "indicators are no longer matched.\nExample:\n  beffroi ioc remove circl-osint\n";
    return kExitOk;
  }
  if (ids.size() != 1) return Fail("ioc remove", "give one FEED (id or name)", kExitUsage);
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail("ioc remove", store.error().message);
  store::FeedStore feeds((*store)->db());
  auto feed = feeds.Find(ids[0]);
  if (!feed.ok()) return Fail("ioc remove", feed.error().message);
  if (!feed->has_value())
    return Fail("ioc remove", "no feed " + ids[0] + " (see beffroi ioc list)");
  const store::FeedRow& r = **feed;
  if (!r.current()) {
    return Fail("ioc remove", "feed " + r.name + " v" + std::to_string(r.version) + " is " +
                                  (r.removed_at ? "already removed" : "superseded") +
                                  "; nothing to do");
  }
  auto tx = store::Transaction::Begin((*store)->db());
  if (!tx.ok()) return Fail("ioc remove", tx.error().message);
  std::string now = NowTimestamp();
  if (Status s = feeds.Remove(r.id, now); !s.ok()) return Fail("ioc remove", s.error().message);
  if (Status s = (*store)->AppendAudit(
          WhoIs(flags), "ioc.removed", "ioc_feed", r.id,
          Dump({{"name", r.name}, {"version", r.version}, {"indicators", r.indicator_count}}), now);
      !s.ok()) {
    return Fail("ioc remove", s.error().message);
  }
  if (Status s = tx->Commit(); !s.ok()) return Fail("ioc remove", s.error().message);
  if (json) {
    std::cout << Dump({{"removed", r.id},
                       {"name", r.name},
                       {"version", r.version},
                       {"indicators", r.indicator_count}},
                      2)
              << "\n";
  } else {
    std::printf("removed feed %s v%lld (id %lld, %lld indicators)\n", r.name.c_str(),
                static_cast<long long>(r.version), static_cast<long long>(r.id),
                static_cast<long long>(r.indicator_count));
  }
  return kExitOk;
}

}  // namespace

int RunIoc(const Args& args, const Args& argv_all) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf(
        "Usage:\n"
        "  beffroi ioc import PATH... [--name N] [--format auto|misp|stix|loki|csv]\n"
        "                     [--warninglist FILE] [--no-warninglist] [--no-retro-hunt] [--json]\n"
        "  beffroi ioc list [--all] [--json]\n"
        "  beffroi ioc remove FEED [--json]\n"
        "Every subcommand takes --db FILE (default ./beffroi.db) and --as NAME.\n");
    return args.empty() ? kExitUsage : kExitOk;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "import") return Import(rest, argv_all);
  if (args[0] == "list") return List(rest);
  if (args[0] == "remove") return Remove(rest);
  return Fail("ioc", "unknown subcommand \"" + args[0] + "\" (import, list, remove)", kExitUsage);
}

}  // namespace beffroi::cli
