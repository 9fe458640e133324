// CollectHostFacts against this machine's real /proc and /etc: the test process itself must
// appear, with its executable and a SHA-256, and every event must serialise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agents/host/facts/facts.h"
#include "common/hash.h"

namespace beffroi::host::facts {
namespace {

TEST(CollectHostFactsOnThisHost, FindsOurOwnProcessWithItsHash) {
  if (!std::filesystem::exists("/proc/self/stat")) GTEST_SKIP() << "no procfs";
  std::vector<Event> events;
  FactsSummary summary =
      CollectHostFacts(FactsOptions{}, [&](Event e) { events.push_back(std::move(e)); });

  const auto self = static_cast<std::int64_t>(::getpid());
  const Event* me = nullptr;
  for (const Event& e : events) {
    const nlohmann::json* pid = e.Find("process.pid");
    if (e.dataset() == "beffroi.process" && pid != nullptr && *pid == self) me = &e;
    EXPECT_FALSE(e.Serialize().empty());
  }
  ASSERT_NE(me, nullptr) << "pid " << self << " not among " << events.size() << " events";
  EXPECT_TRUE(IsHex(me->GetString("process.hash.sha256"), 64)) << me->Serialize();
  std::error_code ec;
  EXPECT_EQ(me->GetString("process.executable"),
            std::filesystem::read_symlink("/proc/self/exe", ec).string());
  EXPECT_EQ(*me->Find("process.parent.pid"), static_cast<std::int64_t>(::getppid()));
  EXPECT_FALSE(me->GetString("process.start").empty());
  EXPECT_EQ(summary.counts["beffroi.host"], 1u);
  EXPECT_GE(summary.counts["beffroi.process"], 1u);
}

}  // namespace
}  // namespace beffroi::host::facts
