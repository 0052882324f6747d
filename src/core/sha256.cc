// SHA256_CTX is OpenSSL's low-level interface, deprecated in 3.0 in favour of EVP but
// public and kept: EVP cannot hand out a digest's running state, which resuming a
// dataset's hash on append needs (docs/dependencies.md). Asking for the 1.1.1 API level
// declares it without the deprecation warnings.
#define OPENSSL_API_COMPAT 10101
#include "core/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdint>

#include "core/base64.h"

namespace diamond {

namespace {

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

}  // namespace

struct Sha256::Impl {
  SHA256_CTX ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) { SHA256_Init(&impl_->ctx); }

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(std::string_view bytes) {
  SHA256_Update(&impl_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &impl_->ctx);
  return Hex(digest, sizeof digest);
}

namespace {

// "sha256-1:" then, in hex, the eight chaining words, the two length words and the count
// of buffered bytes (8 digits each), then the buffered bytes (fewer than one block).
constexpr std::string_view kStatePrefix = "sha256-1:";
constexpr size_t kWords = 11;

void PutWord(uint32_t word, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 28; shift >= 0; shift -= 4) *out += kHex[(word >> shift) & 15];
}

std::optional<uint32_t> HexValue(std::string_view digits) {
  uint32_t value = 0;
  for (char c : digits) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return std::nullopt;
    value = value << 4 | static_cast<uint32_t>(v);
  }
  return value;
}

}  // namespace

std::string Sha256::SaveState() const {
  const SHA256_CTX& c = impl_->ctx;
  std::string out(kStatePrefix);
  for (uint32_t word : c.h) PutWord(word, &out);
  PutWord(c.Nl, &out);
  PutWord(c.Nh, &out);
  PutWord(c.num, &out);
  out += Hex(reinterpret_cast<const unsigned char*>(c.data), c.num);
  return out;
}

std::optional<Sha256> Sha256::Resume(std::string_view state) {
  if (!state.starts_with(kStatePrefix)) return std::nullopt;
  state.remove_prefix(kStatePrefix.size());
  if (state.size() < kWords * 8) return std::nullopt;
  uint32_t words[kWords];
  for (size_t i = 0; i < kWords; ++i) {
    auto word = HexValue(state.substr(i * 8, 8));
    if (!word) return std::nullopt;
    words[i] = *word;
  }
  const uint32_t buffered = words[10];
  state.remove_prefix(kWords * 8);
  if (buffered >= SHA256_CBLOCK || state.size() != buffered * 2) return std::nullopt;
  Sha256 hash;
  SHA256_CTX& c = hash.impl_->ctx;
  for (size_t i = 0; i < 8; ++i) c.h[i] = words[i];
  c.Nl = words[8];
  c.Nh = words[9];
  c.num = buffered;
  auto* block = reinterpret_cast<unsigned char*>(c.data);
  for (uint32_t i = 0; i < buffered; ++i) {
    auto byte = HexValue(state.substr(i * 2, 2));
    if (!byte) return std::nullopt;
    block[i] = static_cast<unsigned char>(*byte);
  }
  return hash;
}

std::string Md5Base64(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::optional<std::string> Base64ToHex(std::string_view text, size_t expected_bytes) {
  auto decoded = Base64Decode(text);
  if (!decoded || decoded->size() != expected_bytes) return std::nullopt;
  return Hex(reinterpret_cast<const unsigned char*>(decoded->data()), expected_bytes);
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.HexDigest();
}

}  // namespace diamond
