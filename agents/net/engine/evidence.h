// EvidenceSink: where the network pipeline puts what it extracts.
//
// Events get the envelope (schema, host, agent) here, and payload samples are hashed and, when
// a bundle is being written, stored under samples/<sha256>. Two implementations: a bundle on
// disk, and NDJSON on standard output (samples hashed but not kept). Not thread-safe: the
// pipeline is single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/bundle.h"
#include "common/event.h"
#include "common/hash.h"

namespace beffroi::net {

struct StoredSample {
  std::string sha256;
  std::uint64_t size = 0;
  bool kept = false;  // a copy is in the bundle
};

// A sample written as it arrives (an HTTP body): hashed on the fly, copied when kept.
class SampleWriter {
 public:
  virtual ~SampleWriter() = default;
  virtual void Write(std::span<const std::uint8_t> bytes) = 0;
  // Stops copying (the sample grew past its limit); hashing goes on, Finish keeps nothing.
  virtual void StopCopy() = 0;
  // Ends the sample; `keep` false hashes only (an incomplete body is not a file).
  virtual StoredSample Finish(bool keep) = 0;
};

struct Envelope {
  std::string host_name;
  std::string host_id;
  std::string agent_id;
  std::string agent_version;
};

class EvidenceSink {
 public:
  virtual ~EvidenceSink() = default;
  // Adds the envelope and writes the event.
  virtual void Emit(Event& event) = 0;
  virtual StoredSample StoreSample(std::span<const std::uint8_t> bytes) = 0;
  virtual std::unique_ptr<SampleWriter> NewSampleWriter() = 0;
  // First write error, if any (a full disk): the caller stops and reports it.
  virtual const Status& status() const = 0;
};

// Hashes without keeping anything.
std::unique_ptr<SampleWriter> MakeHashOnlyWriter();
// Writes into a BundleWriter the caller owns and finishes.
std::unique_ptr<EvidenceSink> MakeBundleEvidence(BundleWriter& bundle, Envelope envelope);
// Writes NDJSON to a descriptor (standard output); samples are hashed, not kept.
std::unique_ptr<EvidenceSink> MakeStreamEvidence(int fd, std::string name, Envelope envelope);

}  // namespace beffroi::net
