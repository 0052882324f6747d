// Incremental SHA-256 (OpenSSL's EVP interface), for dataset lineage; and the digests
// clients send to check an upload's parts (Content-MD5, x-checksum-sha256).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace diamond {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // The lowercase hex digest. The object is spent afterwards.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);

// Base64 of the MD5 digest: the form of a Content-MD5 header (RFC 1864).
std::string Md5Base64(std::string_view bytes);

// Standard base64 (with padding) decoded and written as lowercase hex; nullopt if `text`
// is not base64 of `expected_bytes` bytes.
std::optional<std::string> Base64ToHex(std::string_view text, size_t expected_bytes);

}  // namespace diamond
