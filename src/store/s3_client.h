// A minimal S3 REST client over libcurl, signing every request with SigV4 (sigv4.h).
// Path-style requests (http://endpoint/bucket/key), which every S3-compatible server
// accepts. Only what the blob store needs: object put/get/delete/list and multipart
// uploads. Thread-safe: each request uses its own curl handle.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/sigv4.h"

namespace diamond::store {

// s3://bucket[/prefix]?endpoint=http://127.0.0.1:9000&region=us-east-1
struct S3Location {
  std::string endpoint;  // scheme://host[:port], no trailing slash
  std::string host;      // host[:port], as sent in the Host header
  std::string bucket;
  std::string prefix;  // "" or "some/prefix/" (always ending in '/')
  std::string region = "us-east-1";
};

Result<S3Location> ParseS3Url(const std::string& url);

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional AWS_SESSION_TOKEN from the
// environment (never from the command line, which other users can read).
Result<AwsCredentials> CredentialsFromEnvironment();

struct S3Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
};

class S3Client {
 public:
  S3Client(S3Location location, AwsCredentials credentials);

  const S3Location& location() const { return location_; }

  // One signed request to /bucket/<object_key> (object_key empty: the bucket itself).
  // IoError only when no HTTP answer came back (after a few retries of connection
  // failures and 5xx answers); an HTTP error status is returned as a response.
  // With a `sink`, a 200 answer's body goes there as it arrives instead of into the
  // response (an error's body is still read into it); a request that wrote to the sink is
  // not retried.
  Result<S3Response> Send(
      const std::string& method, const std::string& object_key,
      const std::vector<std::pair<std::string, std::string>>& query, std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& extra_headers = {},
      std::ostream* sink = nullptr) const;

 private:
  Result<S3Response> SendOnce(const std::string& method, const std::string& object_key,
                              const std::vector<std::pair<std::string, std::string>>& query,
                              std::string_view body,
                              const std::vector<std::pair<std::string, std::string>>& extra_headers,
                              std::ostream* sink, bool* wrote_to_sink) const;

  S3Location location_;
  AwsCredentials credentials_;
};

// "<Code>: <Message>" from an S3 error document, or the status when there is none.
std::string S3ErrorText(const S3Response& response);

}  // namespace diamond::store
