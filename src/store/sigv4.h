// AWS Signature Version 4 for S3 requests (the Authorization header form), written from
// AWS's documentation. Why our own: Debian has no AWS SDK for C++, libs3 speaks only
// SigV2, and libcurl's CURLOPT_AWS_SIGV4 signs headers we remove (such as "Expect:") and
// leaves x-amz-content-sha256 to the caller (docs/dependencies.md). Pure functions: the
// caller supplies the time, so tests check them against AWS's worked examples.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace diamond::store {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional (temporary credentials): sent as x-amz-security-token
};

struct SigV4Request {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // the absolute path, not yet encoded: "/bucket/key with space"
  std::vector<std::pair<std::string, std::string>> query;    // not yet encoded
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign
  std::string payload_sha256;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - . _ ~) kept,
// every other byte as %XX (uppercase); '/' kept when `keep_slash` (paths).
std::string AwsUriEncode(std::string_view text, bool keep_slash);

// The encoded query string, pairs sorted by name then value: "a=1&list-type=2&prefix=".
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);

std::string CanonicalRequest(const SigV4Request& request);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>"
std::string StringToSign(const std::string& canonical_request, const std::string& amz_date,
                         const std::string& scope);
// The value of the Authorization header. amz_date is "YYYYMMDDTHHMMSSZ" (the request's
// x-amz-date header, which must be among request.headers).
std::string AuthorizationHeader(const SigV4Request& request, const AwsCredentials& credentials,
                                const std::string& region, const std::string& service,
                                const std::string& amz_date);

// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string AmzDate(long long unix_seconds);

}  // namespace diamond::store
