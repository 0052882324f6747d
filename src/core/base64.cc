#include "core/base64.h"

#include <openssl/evp.h>

#include <climits>

namespace diamond {

std::string Base64Encode(std::string_view bytes) {
  // EVP_EncodeBlock takes an int: encode in pieces of whole 3-byte groups (48 MiB each).
  constexpr size_t kPiece = size_t{3} << 24;
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4 + 1);
  for (size_t at = 0; at < bytes.size(); at += kPiece) {
    const std::string_view piece = bytes.substr(at, kPiece);
    const size_t before = text.size();
    text.resize(before + (piece.size() + 2) / 3 * 4 + 1);  // +1: it writes a NUL
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data() + before),
                                       reinterpret_cast<const unsigned char*>(piece.data()),
                                       static_cast<int>(piece.size()));
    text.resize(before + static_cast<size_t>(length));
  }
  return text;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > size_t{INT_MAX}) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  // EVP_DecodeBlock skips surrounding whitespace and accepts '=' inside; refuse both, so
  // that one body has one encoding.
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!alphabet) return std::nullopt;
  }
  std::string bytes(text.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  // Its count includes the zero bytes the padding stands for.
  bytes.resize(static_cast<size_t>(length) - padding);
  return bytes;
}

}  // namespace diamond
