// The SigV4 signer against the worked examples of AWS's documentation ("Examples:
// Signature Calculations in AWS Signature Version 4", Amazon S3 API reference), with
// their published credentials, dates and signatures.
#include "store/sigv4.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace diamond::store {
namespace {

const AwsCredentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE",
                                         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kDate = "20130524T000000Z";

std::string Authorization(const SigV4Request& request) {
  return AuthorizationHeader(request, kExampleCredentials, "us-east-1", "s3", kDate);
}

TEST(SigV4, GetObjectWithARange) {
  SigV4Request request{"GET",
                       "/test.txt",
                       {},
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Range", "bytes=0-9"},
                        {"x-amz-content-sha256", kEmptySha256},
                        {"x-amz-date", kDate}},
                       kEmptySha256};
  EXPECT_EQ(CanonicalRequest(request),
            std::string("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                        "x-amz-content-sha256:") +
                kEmptySha256 +
                "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
                kEmptySha256);
  EXPECT_EQ(StringToSign(CanonicalRequest(request), kDate, "20130524/us-east-1/s3/aws4_request"),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Authorization(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectWhoseKeyNeedsEncoding) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string hash = Sha256Hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request request{"PUT",
                       "/test$file.text",
                       {},
                       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                        {"Host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-date", kDate},
                        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                        {"x-amz-content-sha256", hash}},
                       hash};
  EXPECT_NE(CanonicalRequest(request).find("\n/test%24file.text\n"), std::string::npos);
  EXPECT_EQ(Authorization(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, GetBucketLifecycleHasAnEmptyQueryValue) {
  SigV4Request request{"GET",
                       "/",
                       {{"lifecycle", ""}},
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-date", kDate},
                        {"x-amz-content-sha256", kEmptySha256}},
                       kEmptySha256};
  EXPECT_NE(CanonicalRequest(request).find("\n/\nlifecycle=\n"), std::string::npos);
  EXPECT_EQ(Authorization(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ListObjectsSortsTheQuery) {
  SigV4Request request{"GET",
                       "/",
                       {{"prefix", "J"}, {"max-keys", "2"}},
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-date", kDate},
                        {"x-amz-content-sha256", kEmptySha256}},
                       kEmptySha256};
  EXPECT_NE(CanonicalRequest(request).find("\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(StringToSign(CanonicalRequest(request), kDate, "20130524/us-east-1/s3/aws4_request"),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(Authorization(request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, EncodingAndDates) {
  EXPECT_EQ(AwsUriEncode("a b/c~d=e", true), "a%20b/c~d%3De");
  EXPECT_EQ(AwsUriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
}

}  // namespace
}  // namespace diamond::store
