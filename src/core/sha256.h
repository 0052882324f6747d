// Incremental SHA-256 (OpenSSL's EVP interface), for dataset lineage.
#pragma once

#include <memory>
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

}  // namespace diamond
