// Generated samples for Beffroi's own rules: for every rule, a positive sample that must match
// that rule and no other, and a near miss that must match nothing. Everything is built here,
// in memory: the repository holds no malware, no real ransom note and not even the EICAR
// string verbatim (it is assembled from pieces at run time).
#pragma once

#include <string>
#include <vector>

#include "analyzer/yara/externals.h"

namespace beffroi::yara::testing {

struct Sample {
  std::string path;      // where the file would live; gives filename, filepath and extension
  std::string content;   // the bytes
  std::string md5 = {};  // "" = the MD5 of content, as Loki passes it
  std::string owner = "Administrator";
};

struct RuleSamples {
  std::string rule;
  Sample positive;
  Sample negative;
};

std::vector<RuleSamples> OurRuleSamples();

// Externals as the analyzer passes them for `sample` (ExternalsForPath plus md5 and owner).
Externals ExternalsFor(const Sample& sample);

// The 68-byte EICAR test string, assembled from pieces.
std::string EicarString();

// A synthetic certificate in DER shape (a SEQUENCE holding the given subject strings) and
// its PEM wrapping; not a valid X.509 structure, only its byte traits.
std::string FakeDerCertificate(const std::vector<std::string>& subject_values);
std::string PemWrap(const std::string& der);

}  // namespace beffroi::yara::testing
