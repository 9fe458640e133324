#include "analyzer/exercise/session.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

namespace beffroi::exercise {

namespace {

constexpr std::array<std::pair<std::string_view, EventKind>, 7> kKinds = {{
    {"clock", EventKind::kClock},
    {"inject", EventKind::kInject},
    {"decision", EventKind::kDecision},
    {"tick", EventKind::kTick},
    {"note", EventKind::kNote},
    {"plan", EventKind::kPlan},
    {"end", EventKind::kEnd},
}};

constexpr std::size_t kMaxLineBytes = 4096;

Error Refuse(const std::string& message) {
  return MakeError(ErrorCode::kInvalidArgument, message);
}

std::optional<double> ParseSpeed(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (!(v >= kMinSpeed && v <= kMaxSpeed)) return std::nullopt;
  return v;
}

bool IsDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

SessionEvent Make(EventKind kind, std::int64_t elapsed, std::int64_t now) {
  SessionEvent e;
  e.kind = kind;
  e.elapsed_ns = elapsed;
  e.wall_ns = now;
  return e;
}

std::int64_t InjectNs(const Inject& in) {
  return in.at_minutes * kNsPerMinute;
}

// Deliveries of everything due by `elapsed`, stamped at the inject's own scenario time.
void AppendDue(const Scenario& s, const SessionState& st, std::int64_t elapsed, std::int64_t now,
               std::vector<SessionEvent>& out) {
  for (const Inject* in : DueInjects(s, st, elapsed)) {
    SessionEvent e = Make(EventKind::kInject, InjectNs(*in), now);
    e.ref = in->id;
    out.push_back(std::move(e));
  }
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "note";
}

std::optional<EventKind> EventKindFromName(std::string_view name) {
  for (const auto& [n, k] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view RatingName(Rating r) {
  switch (r) {
    case Rating::kMet:
      return "met";
    case Rating::kPartly:
      return "partly";
    case Rating::kMissed:
      return "missed";
  }
  return "missed";
}

std::optional<Rating> RatingFromName(std::string_view name) {
  if (name == "met") return Rating::kMet;
  if (name == "partly" || name == "partly-met") return Rating::kPartly;
  if (name == "missed") return Rating::kMissed;
  return std::nullopt;
}

SessionState SessionState::Fold(const std::vector<SessionEvent>& events) {
  SessionState st;
  for (const SessionEvent& e : events) {
    switch (e.kind) {
      case EventKind::kClock:
        if (e.value == "start") {
          st.clock = Start(st.clock, e.wall_ns);
        } else if (e.value == "pause") {
          st.clock = Pause(st.clock, e.wall_ns);
        } else if (e.value.rfind("speed ", 0) == 0) {
          st.clock = SetSpeed(st.clock, ParseSpeed(e.value.substr(6)).value_or(1), e.wall_ns);
        } else if (e.value == "jump") {
          st.clock = JumpTo(st.clock, e.elapsed_ns, e.wall_ns);
        } else if (e.value == "resume") {
          st.clock.elapsed_ns = std::max(st.clock.elapsed_ns, e.elapsed_ns);
          st.clock.anchor_ns = e.wall_ns;
          st.clock.running = false;
        }
        break;
      case EventKind::kInject:
        if (st.delivered_ids.insert(e.ref).second) st.delivered.push_back({e.ref, e.elapsed_ns});
        break;
      case EventKind::kDecision:
        st.decisions.push_back({e.team, e.value, e.elapsed_ns, e.took_ns});
        break;
      case EventKind::kTick:
        if (auto r = RatingFromName(e.value)) st.ticks[e.ref] = {*r, e.detail, e.elapsed_ns};
        break;
      case EventKind::kNote:
        st.notes.push_back({e.value, e.elapsed_ns});
        break;
      case EventKind::kPlan:
        st.plan[e.ref] = {e.team, e.value};
        break;
      case EventKind::kEnd:
        st.ended = true;
        break;
    }
    if (e.kind != EventKind::kClock || e.value != "jump")
      st.last_elapsed_ns = std::max(st.last_elapsed_ns, e.elapsed_ns);
    else
      st.last_elapsed_ns = std::max(st.last_elapsed_ns, st.clock.elapsed_ns);
  }
  return st;
}

const Inject* NextInject(const Scenario& s, const SessionState& st) {
  for (const Inject& in : s.injects) {
    if (!in.contingency && st.delivered_ids.count(in.id) == 0) return &in;
  }
  return nullptr;
}

std::vector<const Inject*> DueInjects(const Scenario& s, const SessionState& st,
                                      std::int64_t elapsed_ns) {
  std::vector<const Inject*> out;
  for (const Inject& in : s.injects) {
    if (!in.contingency && st.delivered_ids.count(in.id) == 0 && InjectNs(in) <= elapsed_ns)
      out.push_back(&in);
  }
  return out;
}

Result<Command> ParseCommand(std::string_view line) {
  if (line.size() > kMaxLineBytes)
    return Refuse("a command line is limited to " + std::to_string(kMaxLineBytes) + " bytes");
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
      s.remove_suffix(1);
    return s;
  };
  // Splits off the next word.
  auto word = [&](std::string_view& rest) {
    rest = trim(rest);
    std::size_t end = rest.find_first_of(" \t");
    std::string w(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    return w;
  };
  std::string_view rest = trim(line);
  Command c;
  c.verb = word(rest);
  // How many leading words a verb takes before its free text (-1: no free text).
  struct Shape {
    std::string_view verb;
    int words;
    bool text;
    std::string_view usage;
  };
  static constexpr Shape kShapes[] = {
      {"start", 0, false, "start"},
      {"pause", 0, false, "pause"},
      {"next", 0, false, "next"},
      {"speed", 1, false, "speed FACTOR"},
      {"jump", 1, false, "jump H:MM"},
      {"inject", 1, false, "inject ID"},
      {"decide", 1, true, "decide TEAM TEXT"},
      {"tick", 2, false, "tick ACTION met|partly|missed [COMMENT]"},
      {"note", 0, true, "note TEXT"},
      {"plan", 3, false, "plan ACTION OWNER YYYY-MM-DD"},
      {"end", 0, false, "end"},
      {"status", 0, false, "status"},
      {"help", 0, false, "help"},
      {"quit", 0, false, "quit"},
  };
  for (const Shape& shape : kShapes) {
    if (shape.verb != c.verb) continue;
    for (int i = 0; i < shape.words; ++i) {
      std::string w = word(rest);
      if (w.empty()) return Refuse("usage: " + std::string(shape.usage));
      c.args.push_back(std::move(w));
    }
    std::string_view text = trim(rest);
    if (shape.text) {
      if (text.empty()) return Refuse("usage: " + std::string(shape.usage));
      c.args.emplace_back(text);
    } else if (c.verb == "tick" && !text.empty()) {
      c.args.emplace_back(text);  // the optional comment
    } else if (!text.empty()) {
      return Refuse("usage: " + std::string(shape.usage));
    }
    return c;
  }
  if (c.verb.empty()) return Refuse("empty command (try help)");
  return Refuse("unknown command \"" + c.verb + "\" (try help)");
}

Result<std::vector<SessionEvent>> Apply(const Scenario& s, const SessionState& st, const Command& c,
                                        std::int64_t now) {
  std::vector<SessionEvent> out;
  if (st.ended) return Refuse("the exercise has ended; write the report");
  // Commands come from ParseCommand, which checks their words; a hand-built one is checked
  // here too, so that nothing below reads past its arguments.
  static const std::map<std::string, std::size_t, std::less<>> kArgs = {
      {"speed", 1}, {"jump", 1}, {"inject", 1}, {"decide", 2},
      {"tick", 2},  {"note", 1}, {"plan", 3}};
  if (auto need = kArgs.find(c.verb); need != kArgs.end() && c.args.size() < need->second)
    return Refuse(c.verb + ": missing arguments");
  const std::int64_t elapsed = Elapsed(st.clock, now);
  auto clock = [&](const std::string& value, std::int64_t at) {
    SessionEvent e = Make(EventKind::kClock, at, now);
    e.value = value;
    out.push_back(std::move(e));
  };
  if (c.verb == "start") {
    if (st.clock.running) return Refuse("the clock is already running");
    clock("start", elapsed);
    AppendDue(s, st, elapsed, now, out);
  } else if (c.verb == "pause") {
    if (!st.clock.running) return Refuse("the clock is not running");
    clock("pause", elapsed);
    AppendDue(s, st, elapsed, now, out);
  } else if (c.verb == "speed") {
    auto v = ParseSpeed(c.args.at(0));
    if (!v) return Refuse("speed: a factor from 0.1 to 3600, such as 4");
    clock("speed " + c.args[0], elapsed);
  } else if (c.verb == "next" || c.verb == "jump") {
    std::int64_t target = 0;
    if (c.verb == "next") {
      const Inject* in = NextInject(s, st);
      if (in == nullptr) return Refuse("every inject of the MSEL has been delivered");
      target = std::max(elapsed, InjectNs(*in));
    } else {
      auto m = ParseScenarioTime(c.args.at(0));
      if (!m) return Refuse("jump: a scenario time such as 1:30");
      if (*m * kNsPerMinute < elapsed)
        return Refuse("jump: " + FormatScenarioTime(*m) + " is in the past (it is now " +
                      FormatElapsed(elapsed) + ")");
      target = *m * kNsPerMinute;
    }
    if (target > elapsed) clock("jump", target);
    AppendDue(s, st, target, now, out);
  } else if (c.verb == "inject") {
    const Inject* in = s.FindInject(c.args.at(0));
    if (in == nullptr) return Refuse("no inject \"" + c.args[0] + "\"");
    if (st.delivered_ids.count(in->id) != 0)
      return Refuse("inject " + in->id + " was delivered already");
    // Delivering an inject out of turn plays it now; its scripted time may be later.
    SessionEvent e = Make(EventKind::kInject, elapsed, now);
    e.ref = in->id;
    out.push_back(std::move(e));
  } else if (c.verb == "decide") {
    const Participant* p = s.FindParticipant(c.args.at(0));
    if (p == nullptr) return Refuse("no team \"" + c.args[0] + "\" in this scenario");
    SessionEvent e = Make(EventKind::kDecision, elapsed, now);
    e.team = p->id;
    e.value = c.args.at(1);
    // The time the team took: since the latest inject it received.
    std::int64_t since = 0;
    for (const Delivered& d : st.delivered) {
      const Inject* in = s.FindInject(d.inject);
      if (in != nullptr && std::find(in->to.begin(), in->to.end(), p->id) != in->to.end())
        since = d.elapsed_ns;
    }
    e.took_ns = std::max<std::int64_t>(0, elapsed - since);
    out.push_back(std::move(e));
  } else if (c.verb == "tick") {
    const ExpectedAction* a = s.FindAction(c.args.at(0));
    if (a == nullptr) return Refuse("no expected action \"" + c.args[0] + "\"");
    auto r = RatingFromName(c.args.at(1));
    if (!r) return Refuse("tick: rate it met, partly or missed");
    SessionEvent e = Make(EventKind::kTick, elapsed, now);
    e.ref = a->id;
    e.value = std::string(RatingName(*r));
    if (c.args.size() > 2) e.detail = c.args[2];
    out.push_back(std::move(e));
  } else if (c.verb == "note") {
    SessionEvent e = Make(EventKind::kNote, elapsed, now);
    e.value = c.args.at(0);
    out.push_back(std::move(e));
  } else if (c.verb == "plan") {
    const ExpectedAction* a = s.FindAction(c.args.at(0));
    if (a == nullptr) return Refuse("no expected action \"" + c.args[0] + "\"");
    if (!IsDate(c.args.at(2))) return Refuse("plan: the due date as YYYY-MM-DD");
    SessionEvent e = Make(EventKind::kPlan, elapsed, now);
    e.ref = a->id;
    e.team = c.args[1];
    e.value = c.args[2];
    out.push_back(std::move(e));
  } else if (c.verb == "end") {
    if (st.clock.running) clock("pause", elapsed);
    out.push_back(Make(EventKind::kEnd, elapsed, now));
  } else {
    return Refuse("\"" + c.verb + "\" changes nothing in the session");
  }
  return out;
}

std::vector<SessionEvent> DeliverDue(const Scenario& s, const SessionState& st, std::int64_t now) {
  std::vector<SessionEvent> out;
  if (!st.ended && st.clock.running) AppendDue(s, st, Elapsed(st.clock, now), now, out);
  return out;
}

SessionEvent ResumeEvent(const SessionState& st, std::int64_t now) {
  SessionEvent e = Make(EventKind::kClock, std::max(st.last_elapsed_ns, st.clock.elapsed_ns), now);
  e.value = "resume";
  return e;
}

std::string_view CommandHelp() {
  return "  start                      run the scenario clock\n"
         "  pause                      stop it (injects wait)\n"
         "  speed FACTOR               scenario seconds per real second (4, 60, 0.5)\n"
         "  next                       jump to the next inject and deliver it\n"
         "  jump H:MM                  jump forward to a scenario time\n"
         "  inject ID                  deliver an inject now (contingency injects)\n"
         "  decide TEAM TEXT           record a team's decision and the time it took\n"
         "  tick ACTION met|partly|missed [COMMENT]\n"
         "                             rate an expected action\n"
         "  note TEXT                  the facilitator's note\n"
         "  plan ACTION OWNER DATE     who improves a missed action, and by when\n"
         "  status                     clock, next inject, actions not rated yet\n"
         "  end                        end the exercise (then write the report)\n"
         "  quit                       leave; run the same command again to resume\n";
}

}  // namespace beffroi::exercise
