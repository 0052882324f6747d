#include "accounts/api_key.h"

// The low-level SHA-256 functions are deprecated in OpenSSL 3 (see DigestKey for why
// they are used anyway).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

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
  bool hex = true;  // no early exit: one pass, branch-free per character
  for (char c : key.substr(kKeyScheme.size()))
    hex &= (c >= '0' && c <= '9') | (c >= 'a' && c <= 'f');
  return hex;
}

std::string_view KeyPrefix(std::string_view key) { return key.substr(0, kPrefixLength); }

KeyDigest DigestKey(std::string_view key) {
  // Every request hashes its key, so this is on the hot path. OpenSSL 3's EVP interface
  // (and SHA256(), which wraps it) spends ~0.85 µs per 44-byte key on provider dispatch;
  // the low-level SHA256_* functions, deprecated but kept in 3.x, take ~0.08 µs with the
  // CPU's SHA extensions. Same algorithm, same digest (api_key_test checks a known vector).
  KeyDigest digest{};
  SHA256_CTX context;
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, key.data(), key.size()) != 1 ||
      SHA256_Final(digest.data(), &context) != 1) {
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
