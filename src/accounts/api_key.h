// API keys: "dmd_" followed by 40 lowercase hex digits (160 random bits). The first 12
// characters are the key's prefix — shown in listings and logs to tell keys apart; the
// rest never leaves the response that created the key. Only a SHA-256 of the whole key
// is stored: keys are long random strings, so a fast hash is enough (no password
// stretching needed) and a database leak reveals no usable key.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace diamond::accounts {

inline constexpr std::string_view kKeyScheme = "dmd_";
inline constexpr size_t kKeyLength = 44;
inline constexpr size_t kPrefixLength = 12;

using KeyDigest = std::array<unsigned char, 32>;

struct NewApiKey {
  std::string key;     // give it to the user once
  std::string prefix;  // store and show
  std::string hash;    // store (hex SHA-256)
};

// 160 bits from OpenSSL's CSPRNG.
NewApiKey GenerateApiKey();

// True if `key` has the shape of one of our keys (scheme, length, hex digits).
bool IsWellFormedKey(std::string_view key);
std::string_view KeyPrefix(std::string_view key);  // requires IsWellFormedKey

KeyDigest DigestKey(std::string_view key);
// Parses a stored hex hash; false if it is not 64 hex digits.
bool ParseHexDigest(std::string_view hex, KeyDigest* out);
// Constant-time comparison (CRYPTO_memcmp): timing reveals nothing about how much matched.
bool DigestsEqual(const KeyDigest& a, const KeyDigest& b);

}  // namespace diamond::accounts
