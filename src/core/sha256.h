// Incremental SHA-256, for dataset lineage; and the digests clients send to check an
// upload's parts (Content-MD5, x-checksum-sha256).
//
// The hash of a dataset version covers its whole CSV, but an append only writes the new
// rows (a new segment): so the hash's running state is saved with each version and
// resumed by the next append, which then hashes only what it adds.
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

  // The running state (everything hashed so far), as printable text to store beside the
  // digest; Resume continues from it. nullopt if `state` is not one SaveState wrote.
  std::string SaveState() const;
  static std::optional<Sha256> Resume(std::string_view state);
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

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
