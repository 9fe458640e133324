// A small valid scenario for the exercise unit tests, as JSON text to be edited per test.
#pragma once

#include <string>

namespace beffroi::exercise::testing {

inline std::string SmallScenario() {
  return R"({
  "type": "beffroi-exercise", "format_version": 1, "id": "small",
  "title": "Small", "playbook": "ransomware", "start": "2021-06-21T05:30:00Z",
  "objectives": [{"id": "o1", "text": "Contain"}],
  "participants": [{"id": "it", "name": "IT"}, {"id": "dpo", "name": "DPO"}],
  "modules": [{"id": "m1", "title": "First hour", "questions": ["Who cuts the network?"]}],
  "injects": [
    {"id": "i1", "at": "0:00", "module": "m1", "title": "Calls", "text": "Calls.",
     "to": ["it"], "channel": "phone", "expects": ["isolate"]},
    {"id": "i2", "at": "0:30", "module": "m1", "title": "Note", "text": "A note.",
     "to": ["it", "dpo"], "channel": "walk-in", "expects": ["notify"],
     "artefacts": [{"kind": "ransom-note", "family": "ryuk", "host": "fs1"}]},
    {"id": "c1", "at": "1:00", "module": "m1", "title": "Nudge", "text": "Hurry.",
     "to": ["it"], "channel": "phone", "contingency": true},
    {"id": "i3", "at": "26:00", "module": "m1", "title": "Day two", "text": "Later.",
     "to": ["dpo"], "channel": "e-mail"}
  ],
  "expected_actions": [
    {"id": "isolate", "text": "Isolate", "team": "it", "step": "isolate-network",
     "objective": "o1", "by": "0:45", "milestone": "isolation"},
    {"id": "notify", "text": "Notify", "team": "dpo", "step": "notify-apd", "objective": "o1"}
  ],
  "evaluation": [{"id": "e1", "objective": "o1", "text": "Fast", "owner": "IT manager"}]
})";
}

}  // namespace beffroi::exercise::testing
