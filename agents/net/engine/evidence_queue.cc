#include "agents/net/engine/evidence_queue.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace beffroi::net {
namespace {

// What an event is counted as against the queue's bound (its JSON tree is a few hundred bytes).
constexpr std::size_t kEventBytes = 1024;
// Body bytes collected on the packet thread before they go to the evidence thread as one job,
// in buffers reserved whole (growing one would copy the bytes again) and recycled (fresh memory
// costs a page fault per 4 KiB). The buffers of all open writers together stay under
// kPendingBudget: past it a writer sends each piece as a job of its own.
constexpr std::size_t kBatchBytes = 32 * 1024;
constexpr std::size_t kPendingBudget = 16u << 20;
constexpr std::size_t kMaxSpareBuffers = 64;
// Jobs that make it worth waking the evidence thread; an idle one looks anyway this often, so
// that a live capture's events reach the bundle within a fraction of a second.
constexpr std::size_t kWakeJobs = 64;
constexpr auto kIdleWake = std::chrono::milliseconds(100);

}  // namespace

struct EvidenceQueue::Writer::State {
  std::unique_ptr<SampleWriter> writer;  // the sink's, made and used on the evidence thread
};

EvidenceQueue::EvidenceQueue(EvidenceSink& sink, bool threaded, std::size_t max_queued_bytes)
    : sink_(sink), max_bytes_(std::max<std::size_t>(max_queued_bytes, kBatchBytes)) {
  if (threaded) thread_ = std::thread([this] { Work(); });
}

EvidenceQueue::~EvidenceQueue() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_one();
  thread_.join();  // the thread finishes what is queued first
}

void EvidenceQueue::Push(std::function<void()> run, std::size_t bytes) {
  if (!thread_.joinable()) {
    run();
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  // A job larger than the bound still goes in once the queue is empty.
  const auto has_room = [&] { return queued_bytes_ == 0 || queued_bytes_ + bytes <= max_bytes_; };
  if (!has_room()) {
    full_ = true;
    work_ready_.notify_one();
    room_.wait(lock, has_room);
    full_ = false;
  }
  jobs_.push_back(Job{std::move(run), bytes});
  queued_bytes_ += bytes;
  // Waking the evidence thread for every job would cost a context switch each; it is woken
  // once a batch is worth it, and otherwise finds stragglers on its own (kIdleWake).
  const bool wake = !busy_ && Worthwhile();
  lock.unlock();
  if (wake) work_ready_.notify_one();
}

bool EvidenceQueue::Worthwhile() const {
  return jobs_.size() >= kWakeJobs || queued_bytes_ >= max_bytes_ / 8;
}

void EvidenceQueue::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_ready_.wait_for(lock, kIdleWake, [&] {
      return stop_ || (!jobs_.empty() && (drain_ || full_ || Worthwhile()));
    });
    if (jobs_.empty()) {
      if (stop_) return;
      continue;
    }
    // Take everything queued at once: one lock round per batch, not per job.
    std::deque<Job> batch;
    batch.swap(jobs_);
    busy_ = true;
    lock.unlock();
    std::size_t done_bytes = 0;
    for (Job& job : batch) {
      try {
        job.run();
      } catch (...) {  // out of memory in the sink: the producer gets it at the next Drain
        std::lock_guard<std::mutex> relock(mu_);
        if (!failure_) failure_ = std::current_exception();
      }
      done_bytes += job.bytes;
      job.run = nullptr;                   // what the job held (sample bytes) is freed now
      if (done_bytes >= max_bytes_ / 4) {  // make room as we go for a waiting producer
        std::lock_guard<std::mutex> relock(mu_);
        queued_bytes_ -= done_bytes;
        done_bytes = 0;
        room_.notify_one();
      }
    }
    lock.lock();
    queued_bytes_ -= done_bytes;
    busy_ = false;
    room_.notify_all();
  }
}

void EvidenceQueue::Drain() {
  if (!thread_.joinable()) return;
  std::unique_lock<std::mutex> lock(mu_);
  drain_ = true;
  work_ready_.notify_one();
  room_.wait(lock, [&] { return jobs_.empty() && !busy_; });
  drain_ = false;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void EvidenceQueue::Emit(Event event, EventFinisher finish) {
  // std::function needs a copyable callable: the event travels in a shared_ptr.
  auto e = std::make_shared<Event>(std::move(event));
  Push(
      [this, e, finish = std::move(finish)] {
        if (finish) finish(*e);
        sink_.Emit(*e);
      },
      kEventBytes);
}

SampleResult EvidenceQueue::StoreSample(std::vector<std::uint8_t> bytes) {
  auto result = std::make_shared<StoredSample>();
  const std::size_t n = bytes.size();
  auto data = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
  Push([this, result, data] { *result = sink_.StoreSample(*data); }, n);
  return result;
}

std::unique_ptr<EvidenceQueue::Writer> EvidenceQueue::NewWriter(bool keep_copy) {
  return std::unique_ptr<Writer>(new Writer(*this, keep_copy));
}

EvidenceQueue::Writer::Writer(EvidenceQueue& queue, bool keep_copy)
    : queue_(queue), state_(std::make_shared<State>()) {
  if (!keep_copy) {
    // Hashed here, from the packet's bytes while they are in cache: handing them to the
    // evidence thread would cost a copy and more CPU time than the hash itself saves on the
    // packet thread, and the input's own hash is slower than this thread anyway.
    hash_only_ = MakeHashOnlyWriter();
    return;
  }
  EvidenceSink& sink = queue_.sink_;
  queue_.Push(
      [state = state_, &sink, keep_copy] {
        state->writer = keep_copy ? sink.NewSampleWriter() : MakeHashOnlyWriter();
      },
      0);
}

EvidenceQueue::Writer::~Writer() {
  if (finished_ || hash_only_) return;
  queue_.pending_capacity_ -= pending_.capacity();  // unwritten bytes: dropped with the sample
  // Dropping the sink's writer unfinished discards its partial file; on the evidence thread,
  // in order with the writes before it.
  queue_.Push([state = std::move(state_)] { state->writer.reset(); }, 0);
}

std::vector<std::uint8_t> EvidenceQueue::TakeBuffer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!spare_.empty()) {
      std::vector<std::uint8_t> buffer = std::move(spare_.back());
      spare_.pop_back();
      return buffer;
    }
  }
  std::vector<std::uint8_t> buffer;
  buffer.reserve(kBatchBytes);
  return buffer;
}

void EvidenceQueue::ReturnBuffer(std::vector<std::uint8_t> buffer) {
  if (buffer.capacity() != kBatchBytes) return;
  buffer.clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.size() < kMaxSpareBuffers) spare_.push_back(std::move(buffer));
}

void EvidenceQueue::Writer::FlushPending() {
  if (pending_.capacity() == 0) return;
  queue_.pending_capacity_ -= pending_.capacity();
  if (pending_.empty()) {
    queue_.ReturnBuffer(std::exchange(pending_, {}));
    return;
  }
  const std::size_t n = pending_.size();
  auto data = std::make_shared<std::vector<std::uint8_t>>(std::exchange(pending_, {}));
  queue_.Push(
      [queue = &queue_, state = state_, data] {
        state->writer->Write(*data);
        queue->ReturnBuffer(std::move(*data));
      },
      n);
}

void EvidenceQueue::Writer::Write(std::span<const std::uint8_t> bytes) {
  if (hash_only_) {
    hash_only_->Write(bytes);
    return;
  }
  while (!bytes.empty()) {
    if (!queue_.thread_.joinable()) {  // not threaded: straight to the sink's writer
      state_->writer->Write(bytes);
      return;
    }
    if (pending_.capacity() == 0) {
      if (queue_.pending_capacity_ + kBatchBytes > kPendingBudget) {
        // No room for another buffer: the piece goes as a job of its own.
        auto data = std::make_shared<std::vector<std::uint8_t>>(bytes.begin(), bytes.end());
        queue_.Push([state = state_, data] { state->writer->Write(*data); }, data->size());
        return;
      }
      pending_ = queue_.TakeBuffer();
      queue_.pending_capacity_ += pending_.capacity();
    }
    const std::size_t n = std::min(bytes.size(), pending_.capacity() - pending_.size());
    pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    bytes = bytes.subspan(n);
    if (pending_.size() == pending_.capacity()) FlushPending();
  }
}

void EvidenceQueue::Writer::StopCopy() {
  if (hash_only_) return;  // nothing is copied
  FlushPending();
  queue_.Push([state = state_] { state->writer->StopCopy(); }, 0);
}

SampleResult EvidenceQueue::Writer::Finish(bool keep) {
  finished_ = true;
  auto result = std::make_shared<StoredSample>();
  if (hash_only_) {
    // Known now; the event that reads it is queued after this, so the evidence thread sees it.
    *result = hash_only_->Finish(keep);
    return result;
  }
  FlushPending();
  queue_.Push(
      [state = std::move(state_), result, keep] {
        *result = state->writer->Finish(keep);
        state->writer.reset();
      },
      0);
  return result;
}

}  // namespace beffroi::net
