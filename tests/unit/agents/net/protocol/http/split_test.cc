// Split sweeps: every cut of every feed of every fixture exchange must give the same events
// and anomalies as the uncut feed, and every prefix of every feed must be handled cleanly.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "http_fixtures.h"
#include "http_test_util.h"

namespace beffroi::net::http {
namespace {

using namespace test;  // NOLINT(build/namespaces)

// "resp <index> <status> ...": a 1xx other than 101.
bool IsInterim(const std::string& event) {
  std::istringstream in(event);
  std::string kind, index, status;
  in >> kind >> index >> status;
  return status.size() == 3 && status[0] == '1' && status != "101";
}

TEST(HttpSplitSweep, EverySplitPointGivesTheSameResult) {
  for (const auto& [name, script] : AllScripts()) {
    const Outcome whole = Replay(script);
    for (std::size_t i = 0; i < script.size(); ++i) {
      if (script[i].kind != Action::kFeed) continue;
      for (std::size_t cut = 0; cut <= script[i].bytes.size(); ++cut) {
        const Outcome split = Replay(script, i, cut);
        ASSERT_EQ(split.events, whole.events) << name << " action " << i << " cut " << cut;
        ASSERT_EQ(split.anomalies, whole.anomalies) << name << " action " << i << " cut " << cut;
        ASSERT_EQ(split.active, whole.active) << name << " action " << i << " cut " << cut;
      }
    }
  }
}

TEST(HttpSplitSweep, EveryPrefixThenCloseEndsCleanly) {
  // Each exchange cut short at every point, then both sides closed: every message head
  // (except interim 1xx responses) must be followed by exactly one body end.
  for (const auto& [name, script] : AllScripts()) {
    for (std::size_t i = 0; i < script.size(); ++i) {
      if (script[i].kind != Action::kFeed) continue;
      for (std::size_t cut = 0; cut <= script[i].bytes.size(); ++cut) {
        std::vector<Action> cut_script(script.begin(), script.begin() + static_cast<long>(i));
        Action a = script[i];
        a.bytes.resize(cut);
        cut_script.push_back(a);
        cut_script.push_back(CloseC());
        cut_script.push_back(CloseS());
        const Outcome r = Replay(cut_script);
        std::size_t heads = 0;
        std::size_t ends = 0;
        for (const auto& e : r.events) {
          heads += e.rfind("req ", 0) == 0 || (e.rfind("resp ", 0) == 0 && !IsInterim(e));
          ends += e.rfind("end ", 0) == 0;
        }
        EXPECT_EQ(heads, ends) << name << " action " << i << " cut " << cut;
      }
    }
  }
}

}  // namespace
}  // namespace beffroi::net::http
