#include "common/bounded_queue.h"

#include <gtest/gtest.h>

#include <numeric>
#include <thread>
#include <vector>

namespace beffroi {
namespace {

TEST(BoundedQueue, DeliversEveryItemOnceAcrossThreadsAndDrainsAfterClose) {
  BoundedQueue<int> q(4);
  std::vector<long> sums(3, 0);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&, c] {
      while (auto v = q.Pop())
        sums[c] += *v;
    });
  }
  for (int i = 1; i <= 1000; ++i)
    ASSERT_TRUE(q.Push(i));
  q.Close();
  for (auto& t : consumers)
    t.join();
  EXPECT_EQ(std::accumulate(sums.begin(), sums.end(), 0L), 500500L);
  EXPECT_FALSE(q.Push(1));
}

}  // namespace
}  // namespace beffroi
