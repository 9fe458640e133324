// EvidenceQueue: hands the pipeline's events and payload samples to the EvidenceSink on a thread
// of its own, so that hashing samples and HTTP bodies (SHA-256), writing sample files and
// serialising events do not slow the packet thread.
//
// Everything goes through one FIFO and reaches the sink in the order it was queued. A sample's
// result (its SHA-256, whether the bundle kept it) is known only once the evidence thread has
// handled it (a hash-only writer's, at once), so an event that names a sample is queued with a
// finisher: the finisher runs on the evidence thread just before the event reaches the sink, after
// every sample queued before it is stored, and fills in what depends on those samples. Results may
// be read only there, or after Drain(). The queue holds at most `max_queued_bytes` (sample bytes,
// and a nominal size per event) and makes the producer wait past that, so memory stays bounded
// however slow the disk. With `threaded` false every call reaches the sink at once on the caller's
// thread: the same sink calls in the same order (the fuzzer uses it).
//
// Ownership: the queue borrows the sink, which must outlive it; the destructor drains. Writers
// borrow the queue and must be destroyed before it. The producer side (every method) is meant
// for one thread; the sink is called from one thread only (the evidence thread, or the
// caller's when not threaded), so sinks need no locking.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "agents/net/engine/evidence.h"

namespace beffroi::net {

// Filled on the evidence thread: read it in a finisher, or after Drain().
using SampleResult = std::shared_ptr<StoredSample>;
using EventFinisher = std::function<void(Event&)>;

class EvidenceQueue {
 public:
  EvidenceQueue(EvidenceSink& sink, bool threaded, std::size_t max_queued_bytes = 32u << 20);
  ~EvidenceQueue();
  EvidenceQueue(const EvidenceQueue&) = delete;
  EvidenceQueue& operator=(const EvidenceQueue&) = delete;

  void Emit(Event event, EventFinisher finish = nullptr);
  // Hashes (and, in a bundle, stores) `bytes`, which the queue takes over without a copy.
  SampleResult StoreSample(std::vector<std::uint8_t> bytes);

  // A sample written as it arrives (an HTTP body), in batches: the packet thread only copies.
  class Writer {
   public:
    ~Writer();  // unfinished: the partial sample is discarded
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    void Write(std::span<const std::uint8_t> bytes);
    // Stops copying into the bundle from here on; hashing goes on, Finish keeps nothing.
    void StopCopy();
    // Ends the sample; `keep` false hashes only. Call once.
    SampleResult Finish(bool keep);

   private:
    friend class EvidenceQueue;
    struct State;
    Writer(EvidenceQueue& queue, bool keep_copy);
    void FlushPending();
    EvidenceQueue& queue_;
    std::shared_ptr<State> state_;
    std::unique_ptr<SampleWriter> hash_only_;  // keep_copy false: hashed on this thread
    std::vector<std::uint8_t> pending_;        // capacity 0, or a buffer from TakeBuffer()
    bool finished_ = false;
  };
  // keep_copy false: the body is hashed (on the caller's thread, as it comes) but never stored.
  std::unique_ptr<Writer> NewWriter(bool keep_copy);

  // Waits until the sink has received everything queued so far; rethrows what a sink call
  // threw on the evidence thread.
  void Drain();

 private:
  struct Job {
    std::function<void()> run;
    std::size_t bytes = 0;
  };
  void Push(std::function<void()> run, std::size_t bytes);
  void Work();
  bool Worthwhile() const;                 // enough queued to wake the evidence thread (mu_ held)
  std::vector<std::uint8_t> TakeBuffer();  // a writer's batch buffer, empty
  void ReturnBuffer(std::vector<std::uint8_t> buffer);  // from the evidence thread

  EvidenceSink& sink_;
  const std::size_t max_bytes_;
  std::mutex mu_;
  std::condition_variable work_ready_;  // the evidence thread waits for jobs
  std::condition_variable room_;        // the producer waits for room, or for a drain
  std::deque<Job> jobs_;
  std::size_t queued_bytes_ = 0;
  bool busy_ = false;  // the evidence thread is running a job
  bool stop_ = false;
  bool drain_ = false;  // the producer waits in Drain(): no batching
  bool full_ = false;   // the producer waits for room
  std::exception_ptr failure_;
  std::vector<std::vector<std::uint8_t>> spare_;  // batch buffers to reuse
  std::size_t pending_capacity_ = 0;              // producer side: buffers held by open writers
  std::thread thread_;                            // not joinable when not threaded
};

}  // namespace beffroi::net
