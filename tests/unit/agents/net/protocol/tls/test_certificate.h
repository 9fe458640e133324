// Test helper: a deterministic self-signed X.509 certificate built with OpenSSL.
//
// Ed25519 with a fixed private key signs deterministically (RFC 8032), so the DER and its
// SHA-256 are the same on every run. Fixed subject "CN=beffroi-test.example,O=Beffroi",
// serial 0xc0ffee12345678, validity 2024-05-01T00:00:00Z to `not_after`, SANs
// DNS:beffroi-test.example, DNS:*.beffroi-test.example, IP:192.0.2.1.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <vector>

namespace beffroi::net::tls::testing {

inline std::vector<std::uint8_t> MakeTestCertificate(const char* not_after = "20340501120000Z",
                                                     std::uint64_t serial = 0xc0ffee12345678) {
  static const unsigned char kPrivateKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, kPrivateKey, 32);
  X509* x = X509_new();
  X509_set_version(x, 2);  // v3
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial);
  ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20240501000000Z");
  ASN1_TIME_set_string_X509(X509_getm_notAfter(x), not_after);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Beffroi"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("beffroi-test.example"), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name,
                          "DNS:beffroi-test.example,DNS:*.beffroi-test.example,IP:192.0.2.1");
  X509_add_ext(x, san, -1);
  X509_EXTENSION_free(san);
  X509_sign(x, key, nullptr);  // Ed25519 takes no separate digest
  std::vector<std::uint8_t> der(static_cast<std::size_t>(i2d_X509(x, nullptr)));
  unsigned char* p = der.data();
  i2d_X509(x, &p);
  X509_free(x);
  EVP_PKEY_free(key);
  return der;
}

// SHA-256 of `der` computed with OpenSSL directly (independent of common/hash.h).
inline std::string Sha256OfDer(const std::vector<std::uint8_t>& der) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(der.data(), der.size(), md, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 0xf]);
  }
  return hex;
}

}  // namespace beffroi::net::tls::testing
