#include "agents/net/engine/evidence_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/hash.h"

namespace beffroi::net {
namespace {

std::vector<std::uint8_t> Bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

// Logs every call in order, from whichever thread makes it, and can be made to wait or throw.
class RecordingSink final : public EvidenceSink {
 public:
  class Writer final : public SampleWriter {
   public:
    Writer(RecordingSink& sink, bool hash_only) : sink_(sink), hash_only_(hash_only) {}
    ~Writer() override {
      if (!finished_) sink_.Log("discard");
    }
    void Write(std::span<const std::uint8_t> bytes) override {
      hasher_.Update(bytes);
      size_ += bytes.size();
    }
    void StopCopy() override { sink_.Log("stop"); }
    StoredSample Finish(bool keep) override {
      finished_ = true;
      const bool kept = keep && !hash_only_;
      sink_.Log("writer " + std::to_string(size_) + (kept ? " kept" : ""));
      return {hasher_.Finish().sha256, size_, kept};
    }

   private:
    RecordingSink& sink_;
    bool hash_only_;
    MultiHasher hasher_{kSha256};
    std::uint64_t size_ = 0;
    bool finished_ = false;
  };

  void Emit(Event& e) override {
    Log("event " + e.GetString("event.dataset") + " " + e.GetString("test.sha256"));
  }
  StoredSample StoreSample(std::span<const std::uint8_t> bytes) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      gate_.wait(lock, [&] { return open_; });
    }
    if (throw_) throw std::runtime_error("sink failed");
    Log("sample " + std::to_string(bytes.size()));
    std::string text(bytes.begin(), bytes.end());
    return {Sha256Hex(text), bytes.size(), true};
  }
  std::unique_ptr<SampleWriter> NewSampleWriter() override {
    return std::make_unique<Writer>(*this, false);
  }
  const Status& status() const override { return status_; }

  void Log(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    log.push_back(line);
  }
  void SetOpen(bool open) {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = open;
    gate_.notify_all();
  }
  std::vector<std::string> Log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log;
  }

  std::vector<std::string> log;
  bool throw_ = false;

 private:
  std::mutex mu_;
  std::condition_variable gate_;
  bool open_ = true;
  Status status_;
};

Event TestEvent(const std::string& dataset) {
  Event e;
  e.Set("event.dataset", dataset);
  return e;
}

// The same calls in the same order, threaded or not; the finisher sees the samples before it.
std::vector<std::string> RunScript(bool threaded) {
  RecordingSink sink;
  {
    EvidenceQueue q(sink, threaded, 64 * 1024);
    SampleResult stream = q.StoreSample(Bytes("first bytes"));
    q.Emit(TestEvent("a"), [stream](Event& e) { e.Set("test.sha256", stream->sha256); });
    auto body = q.NewWriter(true);
    std::string all;
    for (int i = 0; i < 50; ++i) {  // crosses several batch buffers, in odd-sized pieces
      const std::string piece(1000 + 37 * i, static_cast<char>('a' + i % 26));
      body->Write({reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()});
      all += piece;
    }
    SampleResult kept = body->Finish(true);
    q.Emit(TestEvent("b"), [kept, all](Event& e) {
      e.Set("test.sha256", kept->sha256 == Sha256Hex(all) && kept->kept ? "ok" : "wrong");
    });
    auto hashed = q.NewWriter(false);
    hashed->Write({reinterpret_cast<const std::uint8_t*>("xyz"), 3});
    SampleResult only_hash = hashed->Finish(true);
    {
      auto dropped = q.NewWriter(true);
      dropped->Write({reinterpret_cast<const std::uint8_t*>("lost"), 4});
      dropped->StopCopy();
    }  // never finished: the sink's writer is discarded, in order
    q.Emit(TestEvent("c"), [only_hash](Event& e) {
      e.Set("test.sha256", only_hash->kept ? "kept" : only_hash->sha256);
    });
    q.Drain();
    EXPECT_EQ(stream->sha256, Sha256Hex("first bytes"));
    EXPECT_EQ(kept->size, all.size());
  }
  return sink.Log();
}

TEST(EvidenceQueue, KeepsOrderAndFinishersSeeEarlierSamplesThreadedOrNot) {
  const std::vector<std::string> expected = {
      "sample 11",
      "event a " + Sha256Hex("first bytes"),
      "writer 95325 kept",
      "event b ok",  // the hash-only writer is not the sink's: nothing logged for it
      "stop",
      "discard",
      "event c " + Sha256Hex("xyz"),
  };
  EXPECT_EQ(RunScript(false), expected);
  EXPECT_EQ(RunScript(true), expected);
}

TEST(EvidenceQueue, ManyOpenWritersStayWithinTheBufferBudgetAndHashRight) {
  // More open writers than the batch buffers allowed at once (16 MiB of 32 KiB): the later ones
  // send each piece as it comes, and every sample still hashes its own bytes.
  RecordingSink sink;
  EvidenceQueue q(sink, true);
  std::vector<std::unique_ptr<EvidenceQueue::Writer>> writers;
  for (int i = 0; i < 700; ++i)
    writers.push_back(q.NewWriter(true));
  std::vector<std::string> content(writers.size());
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < writers.size(); ++i) {
      const std::string piece = std::to_string(i) + ":" + std::to_string(round) + ";";
      writers[i]->Write({reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size()});
      content[i] += piece;
    }
  }
  std::vector<SampleResult> results;
  for (auto& w : writers)
    results.push_back(w->Finish(true));
  writers.clear();
  q.Drain();
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i]->sha256, Sha256Hex(content[i])) << i;
    EXPECT_TRUE(results[i]->kept);
  }
}

TEST(EvidenceQueue, ProducerWaitsWhenTheQueueIsFull) {
  RecordingSink sink;
  sink.SetOpen(false);  // the evidence thread stalls inside the first sample
  EvidenceQueue q(sink, true, 64 * 1024);
  std::atomic<int> queued{0};
  std::thread producer([&] {
    for (int i = 0; i < 20; ++i) {
      q.StoreSample(std::vector<std::uint8_t>(16 * 1024, 1));
      ++queued;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // 64 KiB holds four 16 KiB samples, plus the one the stalled thread has taken out.
  EXPECT_LE(queued.load(), 6);
  sink.SetOpen(true);
  producer.join();
  q.Drain();
  EXPECT_EQ(queued.load(), 20);
  EXPECT_EQ(sink.Log().size(), 20u);
}

TEST(EvidenceQueue, AnExceptionInTheSinkReachesDrain) {
  RecordingSink sink;
  sink.throw_ = true;
  EvidenceQueue q(sink, true);
  q.StoreSample(Bytes("boom"));
  EXPECT_THROW(q.Drain(), std::runtime_error);
  sink.throw_ = false;
  q.StoreSample(Bytes("fine"));
  EXPECT_NO_THROW(q.Drain());
  EXPECT_EQ(sink.Log(), std::vector<std::string>{"sample 4"});
}

TEST(EvidenceQueue, IdleQueueDeliversStragglersWithoutDrain) {
  RecordingSink sink;
  EvidenceQueue q(sink, true);
  q.Emit(TestEvent("live"));
  // Far fewer jobs than a wake-up batch: the idle thread still picks the event up on its own.
  for (int i = 0; i < 100 && sink.Log().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(sink.Log(), std::vector<std::string>{"event live "});
}

}  // namespace
}  // namespace beffroi::net
