// `beffroi incidents update|assign|tag|note|merge|split|close`: the responder's changes. Each
// command is one write transaction (several changes in one `update` commit together or not at
// all) and leaves an audit entry per change, with the OS user and --as NAME side by side.
#include <boost/program_options.hpp>
#include <iostream>

#include "analyzer/cli/commands.h"
#include "analyzer/cli/context.h"
#include "analyzer/cli/incident_args.h"
#include "analyzer/cli/parse.h"
#include "analyzer/report/report.h"
#include "analyzer/store/lifecycle.h"

namespace po = boost::program_options;

namespace beffroi::cli {

int RunReportCommand(const std::string& subcommand, const Args& args);  // report.cc

namespace {

struct Common {
  EngineFlags flags;
  std::vector<std::string> positional;
  bool json = false;
  std::int64_t expect_version = 0;  // 0: no check
};

void AddCommon(po::options_description& desc, Common& c, bool versioned = true) {
  desc.add_options()("help,h", "show this help")("json", po::bool_switch(&c.json),
                                                 "print the incident afterwards as JSON");
  if (versioned) {
    desc.add_options()("expect-version", po::value(&c.expect_version),
                       "refuse (exit 5) if the incident's version is no longer V: someone "
                       "changed it since you looked");
  }
  AddDbFlag(desc, c.flags);
}

// Parses, answers --help, and checks the leading incident number. nullopt: go on.
std::optional<int> Parse(const Args& args, po::options_description& desc, Common& c,
                         const char* command, const char* example, std::size_t min_positional,
                         po::variables_map& vm, std::int64_t& id) {
  if (auto code = ParseCommand(args, desc, "arg", -1, &c.positional, command, vm)) return code;
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  " << example << "\n";
    return kExitOk;
  }
  if (c.positional.size() < min_positional) {
    return Fail(command, std::string("missing arguments; e.g. `") + example + "`", kExitUsage);
  }
  auto parsed = ParseId(c.positional[0]);
  if (!parsed) {
    return Fail(command, "\"" + c.positional[0] + "\" is not an incident number", kExitUsage);
  }
  id = *parsed;
  return std::nullopt;
}

std::optional<std::int64_t> Expected(const Common& c) {
  return c.expect_version > 0 ? std::optional<std::int64_t>(c.expect_version) : std::nullopt;
}

int Done(const char* command, store::Store& store, std::int64_t id, bool json,
         const std::string& message) {
  if (!json) {
    std::printf("%s\n", message.c_str());
    return kExitOk;
  }
  auto detail = store.GetIncident(id);
  if (!detail.ok()) return Fail(command, detail.error().message);
  if (!detail->has_value()) return Fail(command, "no incident " + std::to_string(id));
  std::cout << Dump(report::IncidentJson((*detail)->incident), 2) << "\n";
  return kExitOk;
}

int Update(const Args& args) {
  Common c;
  std::string status, reason, assignee;
  std::vector<std::string> tags, untags;
  bool reopen = false;
  po::options_description desc("beffroi incidents update N [options]");
  desc.add_options()(
      "status", po::value(&status),
      (std::string("new status: ") + std::string(store::LifecycleStatusList())).c_str())(
      "reason", po::value(&reason), "why (needed for false-positive and for reopening)")(
      "reopen", po::bool_switch(&reopen),
      "allow moving back: to an earlier phase, or out of closed/false-positive")(
      "assign", po::value(&assignee), "assign to NAME (\"\" unassigns)")(
      "tag", po::value(&tags)->composing(), "add a tag; repeatable")(
      "untag", po::value(&untags)->composing(), "remove a tag; repeatable");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code =
          Parse(args, desc, c, "incidents update",
                "beffroi incidents update 3 --status contained --as \"M. Dupont\"", 1, vm, id)) {
    return *code;
  }
  if (c.positional.size() > 1) {
    return Fail("incidents update", "unexpected argument \"" + c.positional[1] + "\"", kExitUsage);
  }
  bool has_assign = vm.count("assign") > 0;
  if (status.empty() && !has_assign && tags.empty() && untags.empty()) {
    return Fail("incidents update", "nothing to change: give --status, --assign, --tag or --untag",
                kExitUsage);
  }
  if (status.empty() && (reopen || !reason.empty())) {
    return Fail("incidents update", "--reason and --reopen go with --status", kExitUsage);
  }
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents update", store.error().message);
  store::Who who = WhoIs(c.flags);
  auto tx = store::Transaction::Begin((*store)->db());
  if (!tx.ok()) return Fail("incidents update", tx.error().message);
  std::optional<std::int64_t> expect = Expected(c);
  std::vector<std::string> done;
  if (!status.empty()) {
    auto r = (*store)->ChangeStatus(id, status, reason, reopen, who, expect);
    if (!r.ok()) return Fail("incidents update", r.error().message, StoreErrorExit(r.error()));
    done.push_back("status " + r->status);
    expect.reset();  // checked once, against the version the responder saw
  }
  if (has_assign) {
    auto r = (*store)->AssignIncident(id, assignee, who, expect);
    if (!r.ok()) return Fail("incidents update", r.error().message, StoreErrorExit(r.error()));
    done.push_back(assignee.empty() ? "unassigned" : "assigned to " + assignee);
    expect.reset();
  }
  if (!tags.empty() || !untags.empty()) {
    auto r = (*store)->TagIncident(id, tags, untags, who, expect);
    if (!r.ok()) return Fail("incidents update", r.error().message, StoreErrorExit(r.error()));
    done.push_back("tags updated");
  }
  if (auto s = tx->Commit(); !s.ok()) return Fail("incidents update", s.error().message);
  std::string message = "incident " + std::to_string(id) + ":";
  for (std::size_t i = 0; i < done.size(); ++i)
    message += (i ? ", " : " ") + done[i];
  return Done("incidents update", **store, id, c.json, message);
}

int Assign(const Args& args) {
  Common c;
  bool none = false;
  po::options_description desc("beffroi incidents assign N NAME [options]");
  desc.add_options()("none", po::bool_switch(&none), "remove the assignee");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = Parse(args, desc, c, "incidents assign",
                        "beffroi incidents assign 3 \"Marie Dupont\"", 1, vm, id)) {
    return *code;
  }
  if ((c.positional.size() == 2) == none || c.positional.size() > 2) {
    return Fail("incidents assign", "give one NAME (quote it if it has spaces), or --none",
                kExitUsage);
  }
  std::string name = none ? "" : c.positional[1];
  if (!none && name.empty()) {
    return Fail("incidents assign", "the name is empty; use --none to unassign", kExitUsage);
  }
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents assign", store.error().message);
  auto r = (*store)->AssignIncident(id, name, WhoIs(c.flags), Expected(c));
  if (!r.ok()) return Fail("incidents assign", r.error().message, StoreErrorExit(r.error()));
  return Done(
      "incidents assign", **store, id, c.json,
      "incident " + std::to_string(id) + (name.empty() ? ": unassigned" : ": assigned to " + name));
}

int Tag(const Args& args) {
  Common c;
  bool remove = false;
  po::options_description desc("beffroi incidents tag N TAG... [options]");
  desc.add_options()("remove", po::bool_switch(&remove), "remove the tags instead of adding");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = Parse(args, desc, c, "incidents tag",
                        "beffroi incidents tag 3 police-notified gdpr", 2, vm, id)) {
    return *code;
  }
  std::vector<std::string> tags(c.positional.begin() + 1, c.positional.end());
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents tag", store.error().message);
  auto r = remove ? (*store)->TagIncident(id, {}, tags, WhoIs(c.flags), Expected(c))
                  : (*store)->TagIncident(id, tags, {}, WhoIs(c.flags), Expected(c));
  if (!r.ok()) return Fail("incidents tag", r.error().message, StoreErrorExit(r.error()));
  std::string all;
  for (const std::string& t : r->tags)
    all += (all.empty() ? "" : ", ") + t;
  return Done("incidents tag", **store, id, c.json,
              "incident " + std::to_string(id) + ": tags " + (all.empty() ? "(none)" : all));
}

int Note(const Args& args) {
  Common c;
  po::options_description desc("beffroi incidents note N TEXT... [options]");
  AddCommon(desc, c, /*versioned=*/false);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = Parse(args, desc, c, "incidents note",
                        "beffroi incidents note 3 \"Server unplugged from the network at 09:12\"",
                        2, vm, id)) {
    return *code;
  }
  std::string text;
  for (std::size_t i = 1; i < c.positional.size(); ++i)
    text += (i > 1 ? " " : "") + c.positional[i];
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents note", store.error().message);
  if (auto s = (*store)->AddNote(id, text, WhoIs(c.flags)); !s.ok()) {
    return Fail("incidents note", s.error().message, StoreErrorExit(s.error()));
  }
  return Done("incidents note", **store, id, c.json,
              "incident " + std::to_string(id) + ": note added");
}

int Merge(const Args& args) {
  Common c;
  po::options_description desc("beffroi incidents merge N M... [options]");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code =
          Parse(args, desc, c, "incidents merge", "beffroi incidents merge 3 5 8", 2, vm, id)) {
    return *code;
  }
  std::vector<std::int64_t> sources;
  for (std::size_t i = 1; i < c.positional.size(); ++i) {
    auto s = ParseId(c.positional[i]);
    if (!s) {
      return Fail("incidents merge", "\"" + c.positional[i] + "\" is not an incident number",
                  kExitUsage);
    }
    sources.push_back(*s);
  }
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents merge", store.error().message);
  auto r = (*store)->MergeIncidents(id, sources, WhoIs(c.flags), Expected(c));
  if (!r.ok()) return Fail("incidents merge", r.error().message, StoreErrorExit(r.error()));
  return Done("incidents merge", **store, id, c.json,
              "incident " + std::to_string(id) + ": merged " + std::to_string(sources.size()) +
                  " incident(s), " + std::to_string(r->detections.size()) + " detection(s) moved");
}

int Split(const Args& args) {
  Common c;
  std::string detections;
  po::options_description desc("beffroi incidents split N --detections ID,... [options]");
  desc.add_options()("detections", po::value(&detections),
                     "the detections to move into a new incident (see incidents show)");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = Parse(args, desc, c, "incidents split",
                        "beffroi incidents split 3 --detections 12,14", 1, vm, id)) {
    return *code;
  }
  auto ids = ParseIdList(detections);
  if (detections.empty() || !ids || c.positional.size() > 1) {
    return Fail("incidents split", "--detections: detection numbers separated by commas",
                kExitUsage);
  }
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents split", store.error().message);
  auto r = (*store)->SplitIncident(id, *ids, WhoIs(c.flags), Expected(c));
  if (!r.ok()) return Fail("incidents split", r.error().message, StoreErrorExit(r.error()));
  return Done("incidents split", **store, r->incident_id, c.json,
              "incident " + std::to_string(id) + ": " + std::to_string(r->detections.size()) +
                  " detection(s) moved to new incident " + std::to_string(r->incident_id));
}

int Close(const Args& args) {
  Common c;
  std::string reason;
  std::vector<std::string> allowlist;
  bool false_positive = false;
  po::options_description desc("beffroi incidents close N [options]");
  desc.add_options()("reason", po::value(&reason), "why (required with --false-positive)")(
      "false-positive", po::bool_switch(&false_positive),
      "close as a false positive: it is not an incident")(
      "allowlist", po::value(&allowlist)->composing(),
      "with --false-positive: add the detections' `hash` (on every host) or `path` (on this "
      "host) to the analysts' allowlist, so they are not reported again; repeatable");
  AddCommon(desc, c);
  po::variables_map vm;
  std::int64_t id = 0;
  if (auto code = Parse(args, desc, c, "incidents close",
                        "beffroi incidents close 4 --false-positive --reason \"in-house backup "
                        "tool\" --allowlist hash",
                        1, vm, id)) {
    return *code;
  }
  if (c.positional.size() > 1) {
    return Fail("incidents close", "unexpected argument \"" + c.positional[1] + "\"", kExitUsage);
  }
  for (const std::string& a : allowlist) {
    if (a != "hash" && a != "path") {
      return Fail("incidents close", "--allowlist: hash or path, not \"" + a + "\"", kExitUsage);
    }
  }
  if (!allowlist.empty() && !false_positive) {
    return Fail("incidents close", "--allowlist goes with --false-positive", kExitUsage);
  }
  auto store = OpenStore(c.flags, /*read_only=*/false);
  if (!store.ok()) return Fail("incidents close", store.error().message);
  store::Who who = WhoIs(c.flags);
  auto tx = store::Transaction::Begin((*store)->db());
  if (!tx.ok()) return Fail("incidents close", tx.error().message);
  std::string status(false_positive ? store::kStatusFalsePositive : store::kStatusClosed);
  auto r = (*store)->ChangeStatus(id, status, reason, false, who, Expected(c));
  if (!r.ok()) return Fail("incidents close", r.error().message, StoreErrorExit(r.error()));
  std::size_t added = 0;
  if (!allowlist.empty()) {
    auto detail = (*store)->GetIncident(id);
    if (!detail.ok() || !detail->has_value()) {
      return Fail("incidents close", detail.ok() ? "incident vanished" : detail.error().message);
    }
    for (const std::string& kind : allowlist) {
      // A network detection's "path" is the connection it was seen on, not a file.
      auto value = [&](const store::DetectionRow& d) {
        return kind == "hash" ? d.sha256 : (d.kind == "ioc.network" ? std::string() : d.file_path);
      };
      bool any = false;
      for (const store::DetectionRow& d : (*detail)->detections)
        any = any || !value(d).empty();
      if (!any) {
        return Fail("incidents close",
                    "--allowlist " + kind + ": no detection of incident " + std::to_string(id) +
                        " has a " + (kind == "hash" ? "SHA-256" : "file path"),
                    kExitUsage);
      }
      for (const store::DetectionRow& d : (*detail)->detections) {
        store::AllowlistRow row;
        row.kind = kind == "hash" ? "sha256" : "path";
        row.value = value(d);
        if (row.value.empty()) continue;
        row.host_id = d.host_id;
        row.reason = reason;
        row.incident_id = id;
        auto a = (*store)->AddAllowlist(row, who);
        if (!a.ok()) return Fail("incidents close", a.error().message, StoreErrorExit(a.error()));
        if (*a) ++added;
      }
    }
  }
  if (auto s = tx->Commit(); !s.ok()) return Fail("incidents close", s.error().message);
  std::string message = "incident " + std::to_string(id) + ": " + status;
  if (!allowlist.empty())
    message +=
        ", " + std::to_string(added) + " allowlist entr" + (added == 1 ? "y" : "ies") + " added";
  return Done("incidents close", **store, id, c.json, message);
}

}  // namespace

int RunTriage(const std::string& subcommand, const Args& args) {
  if (subcommand == "update") return Update(args);
  if (subcommand == "assign") return Assign(args);
  if (subcommand == "tag") return Tag(args);
  if (subcommand == "note") return Note(args);
  if (subcommand == "merge") return Merge(args);
  if (subcommand == "split") return Split(args);
  if (subcommand == "close") return Close(args);
  return RunReportCommand(subcommand, args);
}

}  // namespace beffroi::cli
