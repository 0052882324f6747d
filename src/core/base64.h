// Standard base64 (RFC 4648, with padding), over OpenSSL's block codec: for Content-MD5
// headers and for the bodies AWS Lambda events carry when they are not text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace diamond {

std::string Base64Encode(std::string_view bytes);

// nullopt unless `text` is canonical padded base64 (length a multiple of 4, at most two
// '=' at the end, no whitespace).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace diamond
