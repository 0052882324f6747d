#include "accounts/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace diamond::accounts {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

NewApiKey GenerateApiKey() {
  unsigned char random[20];
  if (RAND_bytes(random, sizeof random) != 1) {
    // Without a working CSPRNG no key may be issued at all.
    throw std::runtime_error("the system's random generator failed");
  }
  NewApiKey out;
  out.key = std::string(kKeyScheme) + ToHex(random, sizeof random);
  out.prefix = out.key.substr(0, kPrefixLength);
  const KeyDigest digest = DigestKey(out.key);
  out.hash = ToHex(digest.data(), digest.size());
  return out;
}

bool IsWellFormedKey(std::string_view key) {
  if (key.size() != kKeyLength || !key.starts_with(kKeyScheme)) return false;
  for (char c : key.substr(kKeyScheme.size())) {
    if (HexValue(c) < 0) return false;
  }
  return true;
}

std::string_view KeyPrefix(std::string_view key) { return key.substr(0, kPrefixLength); }

KeyDigest DigestKey(std::string_view key) {
  KeyDigest digest{};
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return digest;
}

bool ParseHexDigest(std::string_view hex, KeyDigest* out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

bool DigestsEqual(const KeyDigest& a, const KeyDigest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace diamond::accounts
