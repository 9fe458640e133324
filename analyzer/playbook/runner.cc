#include "analyzer/playbook/runner.h"

#include <algorithm>

namespace beffroi::playbook {

namespace {

// Where a step goes when its work is over: on_completion, else on_success.
const std::string& NextOf(const Step& s) {
  return s.on_completion.empty() ? s.on_success : s.on_completion;
}

}  // namespace

std::optional<Answer> AnswerOf(const Playbook& playbook, const RunState& state, const Step& s) {
  if (const StepProgress* p = state.Get(s.id); p != nullptr && p->choice)
    return Answer{*p->choice, p->chosen_by, p->chosen_at, s.id};
  if (s.variable.empty()) return std::nullopt;
  // The same question asked again later in the playbook keeps the first answer.
  for (const Step& other : playbook.steps) {
    if (&other == &s || other.variable != s.variable) continue;
    if (const StepProgress* p = state.Get(other.id); p != nullptr && p->choice)
      return Answer{*p->choice, p->chosen_by, p->chosen_at, other.id};
  }
  return std::nullopt;
}

namespace {

bool IsPending(const Playbook& playbook, const RunState& state, const Step& s) {
  if (s.is_decision()) return !AnswerOf(playbook, state, s).has_value();
  const StepProgress* p = state.Get(s.id);
  return p == nullptr || p->status == StepProgress::Status::kPending;
}

// Which branch a decision's recorded choice opens ("" for none: go on with on_completion).
std::string BranchFor(const Step& s, const std::string& choice) {
  if (s.type == StepType::kSwitchCondition) {
    for (const auto& [name, target] : s.cases) {
      if (name == choice) return target;
    }
    for (const auto& [name, target] : s.cases) {
      if (name == "default") return target;
    }
    return "";
  }
  return choice == "true" ? s.on_true : s.on_false;
}

class Walker {
 public:
  Walker(const Playbook& p, const RunState& st) : p_(p), st_(st) {}

  Position Run() {
    const Step* cur = p_.Find(p_.workflow_start);
    // Lint refuses cycles; the bound keeps a hand-built Playbook from looping forever.
    std::size_t limit = p_.steps.size() * 4 + 16;
    bool blocked = false;
    for (std::size_t guard = 0; cur != nullptr && guard < limit; ++guard) {
      switch (cur->type) {
        case StepType::kStart:
          cur = Next(*cur);
          break;
        case StepType::kEnd:
          cur = Pop();
          break;
        case StepType::kAction:
        case StepType::kPlaybookAction:
          Visit(*cur);
          cur = Next(*cur);
          break;
        case StepType::kParallel:
          if (cur->next_steps.empty()) {
            cur = Next(*cur);
            break;
          }
          stack_.push_back({cur, 1});
          cur = p_.Find(cur->next_steps.front());
          break;
        case StepType::kIfCondition:
        case StepType::kWhileCondition:
        case StepType::kSwitchCondition: {
          Visit(*cur);
          std::optional<Answer> answer = AnswerOf(p_, st_, *cur);
          if (!answer) {
            blocked = true;
            cur = nullptr;
            break;
          }
          std::string branch = BranchFor(*cur, answer->choice);
          if (!branch.empty()) {
            stack_.push_back({cur, 0});
            cur = p_.Find(branch);
          } else {
            cur = Next(*cur);
          }
          break;
        }
      }
    }
    pos_.finished = !blocked && ended_ && pos_.current == nullptr;
    return std::move(pos_);
  }

 private:
  struct Frame {
    const Step* owner;
    std::size_t next_branch;  // parallel steps: the next branch to enter
  };

  void Visit(const Step& s) {
    pos_.path.push_back(&s);
    if (IsPending(p_, st_, s)) {
      if (pos_.current == nullptr) pos_.current = &s;
    } else {
      ++pos_.done;
    }
  }
  const Step* Next(const Step& s) {
    const std::string& next = NextOf(s);
    return next.empty() ? Pop() : p_.Find(next);
  }
  // The end of a context: back to the step that opened it.
  const Step* Pop() {
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.owner->type == StepType::kParallel && top.next_branch < top.owner->next_steps.size())
        return p_.Find(top.owner->next_steps[top.next_branch++]);
      const Step* owner = top.owner;
      stack_.pop_back();
      const std::string& next = NextOf(*owner);
      if (!next.empty()) return p_.Find(next);
    }
    ended_ = true;
    return nullptr;
  }

  const Playbook& p_;
  const RunState& st_;
  std::vector<Frame> stack_;
  Position pos_;
  bool ended_ = false;
};

}  // namespace

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kDone:
      return "done";
    case EventKind::kSkipped:
      return "skipped";
    case EventKind::kNote:
      return "note";
    case EventKind::kChoice:
      return "choice";
  }
  return "note";
}

std::optional<EventKind> EventKindFromName(std::string_view name) {
  for (EventKind k :
       {EventKind::kDone, EventKind::kSkipped, EventKind::kNote, EventKind::kChoice}) {
    if (EventKindName(k) == name) return k;
  }
  return std::nullopt;
}

RunState RunState::Fold(const std::vector<RunEvent>& events) {
  RunState st;
  for (const RunEvent& e : events) {
    StepProgress& p = st.steps[e.step_id];
    switch (e.kind) {
      case EventKind::kDone:
      case EventKind::kSkipped:
        if (p.status != StepProgress::Status::kPending) break;  // the first word stands
        p.status = e.kind == EventKind::kDone ? StepProgress::Status::kDone
                                              : StepProgress::Status::kSkipped;
        p.actor = e.actor;
        p.at = e.at;
        p.reason = e.kind == EventKind::kSkipped ? e.value : "";
        break;
      case EventKind::kChoice:
        if (p.choice) break;
        p.choice = e.value;
        p.chosen_by = e.actor;
        p.chosen_at = e.at;
        break;
      case EventKind::kNote:
        p.notes.push_back({e.value, e.actor, e.at});
        break;
    }
  }
  return st;
}

const StepProgress* RunState::Get(std::string_view step_id) const {
  auto it = steps.find(step_id);
  return it == steps.end() ? nullptr : &it->second;
}

Position Walk(const Playbook& playbook, const RunState& state) {
  return Walker(playbook, state).Run();
}

std::vector<std::string> ChoicesOf(const Step& step) {
  if (step.type == StepType::kSwitchCondition) {
    std::vector<std::string> out;
    for (const auto& [name, target] : step.cases)
      out.push_back(name);
    return out;
  }
  return {"true", "false"};
}

Result<RunEvent> Validate(const Playbook& playbook, const RunState& state, const Request& r) {
  const Step* s = playbook.Find(r.step);
  if (s == nullptr)
    return MakeError(ErrorCode::kNotFound, "no step \"" + r.step + "\" in " + playbook.Handle());
  std::string name = "step " + s->Handle();
  auto refuse = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, name + ": " + why);
  };
  RunEvent e;
  e.step_id = s->id;
  e.kind = r.kind;
  e.value = r.value;
  if (r.kind == EventKind::kNote) {
    if (r.value.empty()) return refuse("a note needs text");
    return e;
  }
  Position pos = Walk(playbook, state);
  bool on_path = std::find(pos.path.begin(), pos.path.end(), s) != pos.path.end();
  const StepProgress* p = state.Get(s->id);
  if (r.kind == EventKind::kChoice) {
    if (!s->is_decision()) return refuse("not a decision; mark it done or skipped instead");
    if (auto a = AnswerOf(playbook, state, *s)) {
      std::string via =
          a->step_id == s->id ? "" : " (through " + playbook.Find(a->step_id)->Handle() + ")";
      return refuse("already answered \"" + a->choice + "\" by " + a->by + " at " + a->at + via);
    }
    if (!on_path) return refuse("not on the path this run has taken so far");
    std::vector<std::string> choices = ChoicesOf(*s);
    if (std::find(choices.begin(), choices.end(), r.value) == choices.end()) {
      std::string list;
      for (const std::string& c : choices)
        list += (list.empty() ? "" : ", ") + c;
      return refuse("answer one of: " + list);
    }
    return e;
  }
  if (s->is_decision()) return refuse("a decision: answer it with a choice");
  if (s->type != StepType::kAction && s->type != StepType::kPlaybookAction)
    return refuse("only actions are marked done or skipped");
  if (p != nullptr && p->status != StepProgress::Status::kPending) {
    return refuse(std::string("already ") +
                  (p->status == StepProgress::Status::kDone ? "done" : "skipped") + " by " +
                  p->actor + " at " + p->at);
  }
  if (!on_path) return refuse("not on the path this run has taken so far");
  if (r.kind == EventKind::kSkipped && r.value.empty()) return refuse("a skip needs a reason");
  return e;
}

}  // namespace beffroi::playbook
