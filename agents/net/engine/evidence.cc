#include "agents/net/engine/evidence.h"

#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "common/fs.h"

namespace beffroi::net {
namespace {

void Stamp(Event& e, const Envelope& env) {
  e.Set("host.name", env.host_name);
  if (!env.host_id.empty()) e.Set("host.id", env.host_id);
  e.Set("agent.type", "beffroi-net");
  e.Set("agent.version", env.agent_version);
  if (!env.agent_id.empty()) e.Set("agent.id", env.agent_id);
}

class HashOnlyWriter final : public SampleWriter {
 public:
  void Write(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    size_ += bytes.size();
  }
  void StopCopy() override {}
  StoredSample Finish(bool) override { return {hasher_.Finish().sha256, size_, false}; }

 private:
  MultiHasher hasher_{kSha256};
  std::uint64_t size_ = 0;
};

class BundleSampleWriter final : public SampleWriter {
 public:
  BundleSampleWriter(BundleWriter& bundle, PartialSample partial, Status& sticky)
      : bundle_(bundle), partial_(std::move(partial)), sticky_(sticky) {}
  ~BundleSampleWriter() override {
    if (partial_.fd.valid()) bundle_.DiscardSample(partial_);
  }
  void Write(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    size_ += bytes.size();
    if (!write_ok_) return;
    if (auto s = WriteAll(partial_.fd.get(), bytes.data(), bytes.size(), "sample"); !s.ok()) {
      write_ok_ = false;
      if (sticky_.ok()) sticky_ = s;
    }
  }
  void StopCopy() override { write_ok_ = false; }
  StoredSample Finish(bool keep) override {
    StoredSample out{hasher_.Finish().sha256, size_, false};
    if (!keep || !write_ok_) {
      bundle_.DiscardSample(partial_);
      partial_.fd = UniqueFd();
      return out;
    }
    // Never executable; no fsync per sample: BundleWriter::Finish syncs the file system once.
    ::fchmod(partial_.fd.get(), 0440);
    partial_.fd = UniqueFd();
    auto committed = bundle_.CommitSample(partial_, out.sha256, out.size);
    if (!committed.ok()) {
      if (sticky_.ok()) sticky_ = committed.error();
      return out;
    }
    out.kept = true;  // stored now, or already stored by an earlier identical sample
    return out;
  }

 private:
  BundleWriter& bundle_;
  PartialSample partial_;
  Status& sticky_;
  MultiHasher hasher_{kSha256};
  std::uint64_t size_ = 0;
  bool write_ok_ = true;
};

class BundleEvidence final : public EvidenceSink {
 public:
  BundleEvidence(BundleWriter& bundle, Envelope env) : bundle_(bundle), env_(std::move(env)) {}
  void Emit(Event& e) override {
    Stamp(e, env_);
    if (auto s = bundle_.events().Write(e); !s.ok() && status_.ok()) status_ = s;
  }
  StoredSample StoreSample(std::span<const std::uint8_t> bytes) override {
    auto writer = NewSampleWriter();
    if (!writer) return {};
    writer->Write(bytes);
    return writer->Finish(true);
  }
  std::unique_ptr<SampleWriter> NewSampleWriter() override {
    auto partial = bundle_.NewPartialSample();
    if (!partial.ok()) {
      if (status_.ok()) status_ = partial.error();
      return std::make_unique<HashOnlyWriter>();
    }
    return std::make_unique<BundleSampleWriter>(bundle_, std::move(partial).value(), status_);
  }
  const Status& status() const override { return status_; }

 private:
  BundleWriter& bundle_;
  Envelope env_;
  Status status_;
};

class StreamEvidence final : public EvidenceSink {
 public:
  StreamEvidence(int fd, std::string name, Envelope env)
      : writer_(NdjsonWriter::FromFd(fd, std::move(name))), env_(std::move(env)) {}
  ~StreamEvidence() override { (void)writer_->Close(); }
  void Emit(Event& e) override {
    Stamp(e, env_);
    if (auto s = writer_->Write(e); !s.ok() && status_.ok()) status_ = s;
  }
  StoredSample StoreSample(std::span<const std::uint8_t> bytes) override {
    HashOnlyWriter w;
    w.Write(bytes);
    return w.Finish(false);
  }
  std::unique_ptr<SampleWriter> NewSampleWriter() override {
    return std::make_unique<HashOnlyWriter>();
  }
  const Status& status() const override { return status_; }

 private:
  std::unique_ptr<NdjsonWriter> writer_;
  Envelope env_;
  Status status_;
};

}  // namespace

std::unique_ptr<SampleWriter> MakeHashOnlyWriter() {
  return std::make_unique<HashOnlyWriter>();
}

std::unique_ptr<EvidenceSink> MakeBundleEvidence(BundleWriter& bundle, Envelope envelope) {
  return std::make_unique<BundleEvidence>(bundle, std::move(envelope));
}

std::unique_ptr<EvidenceSink> MakeStreamEvidence(int fd, std::string name, Envelope envelope) {
  return std::make_unique<StreamEvidence>(fd, std::move(name), std::move(envelope));
}

}  // namespace beffroi::net
