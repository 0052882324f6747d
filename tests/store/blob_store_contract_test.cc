// The blob store's contract, run on every backend (a directory, and an S3-compatible
// server started by CTest as a fixture: scripts/test_s3.sh). Each test works under a
// fresh directory or a fresh key prefix of the test bucket.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <thread>

#include "store/blob_chain_source.h"
#include "store/file_blob_store.h"
#include "store/s3_blob_store.h"
#include "support/test_support.h"

namespace diamond::store {
namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The test S3 server's base URL, from the directory CTest's fixture started it in
// (tests/CMakeLists.txt; $DIAMOND_TEST_S3 names another), and its fixed credentials.
std::string S3Endpoint() {
  const char* dir = std::getenv("DIAMOND_TEST_S3");
  std::ifstream in(std::string(dir != nullptr ? dir : DIAMOND_TEST_S3_DIR) + "/endpoint");
  std::string endpoint;
  std::getline(in, endpoint);
  if (endpoint.empty())
    ADD_FAILURE() << "no test S3 server: run the S3 tests through ctest (scripts/test_s3.sh)";
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  return endpoint;
}

std::string FreshS3Url() {
  static std::atomic<int> counter{0};
  return "s3://diamond-test/t" + std::to_string(NowUnix()) + "-" + std::to_string(::getpid()) +
         "-" + std::to_string(counter++) + "?endpoint=" + S3Endpoint() + "&region=us-east-1";
}

class BlobStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "file") {
      auto opened = FileBlobStore::Open(dir_ / "blobs");
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      store_ = std::move(opened).value();
    } else {
      // The smallest part S3 allows, so a 12 MiB blob goes up in three parts.
      auto opened = S3BlobStore::Open(FreshS3Url(), S3BlobStore::kMinPartSize);
      ASSERT_TRUE(opened.ok()) << opened.status().message();
      store_ = std::move(opened).value();
    }
  }
  testing::TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreContract, PutGetOverwriteDelete) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);  // every byte value
  ASSERT_TRUE(store_->Put("datasets/u/d/v1.csv", bytes).ok());
  auto got = store_->Get("datasets/u/d/v1.csv");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, bytes);
  ASSERT_TRUE(store_->Put("datasets/u/d/v1.csv", "second").ok());
  EXPECT_EQ(*store_->Get("datasets/u/d/v1.csv"), "second");
  ASSERT_TRUE(store_->Put("empty", "").ok());
  EXPECT_EQ(*store_->Get("empty"), "");
  EXPECT_EQ(store_->Get("datasets/u/d/v2.csv").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Delete("datasets/u/d/v1.csv").ok());
  EXPECT_EQ(store_->Get("datasets/u/d/v1.csv").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Delete("datasets/u/d/v1.csv").ok());  // deletes are retried after crashes
}

TEST_P(BlobStoreContract, ListingIsSortedWithSizesAndTimesUnderThePrefixOnly) {
  const int64_t before = NowUnix();
  ASSERT_TRUE(store_->Put("models/b/2.json", "22").ok());
  ASSERT_TRUE(store_->Put("models/a/1.json", "1").ok());
  ASSERT_TRUE(store_->Put("models/a/3.json", "333").ok());
  ASSERT_TRUE(store_->Put("queries/q/1.csv", "x").ok());
  auto listed = store_->List("models/");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].key, "models/a/1.json");
  EXPECT_EQ((*listed)[1].key, "models/a/3.json");
  EXPECT_EQ((*listed)[2].key, "models/b/2.json");
  EXPECT_EQ((*listed)[1].size, 3);
  for (const auto& blob : *listed) {
    EXPECT_GE(blob.modified_unix, before - 5) << blob.key;
    EXPECT_LE(blob.modified_unix, NowUnix() + 5) << blob.key;
  }
  EXPECT_EQ(store_->List("")->size(), 4u);
  EXPECT_TRUE(store_->List("nothing/")->empty());
}

TEST_P(BlobStoreContract, ALargeBlobRoundTripsExactly) {
  // 12 MiB + 7 bytes of a pattern that differs between parts: a part sent twice, dropped
  // or out of order would show.
  std::string bytes(size_t{12} << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  bytes += "the end";
  ASSERT_TRUE(store_->Put("datasets/u/big/v1.csv", bytes).ok());
  auto got = store_->Get("datasets/u/big/v1.csv");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->size(), bytes.size());
  EXPECT_TRUE(*got == bytes);
  auto listed = store_->List("datasets/u/big/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);  // the parts are one object, nothing else is left
  EXPECT_EQ((*listed)[0].size, static_cast<int64_t>(bytes.size()));
}

TEST_P(BlobStoreContract, RangesAreReadWithoutTheRestOfTheBlob) {
  std::string bytes;
  for (int i = 0; i < 5000; ++i) bytes += std::to_string(i) + ",";
  ASSERT_TRUE(store_->Put("results/u/r/part-1", bytes).ok());
  const int64_t size = static_cast<int64_t>(bytes.size());
  const std::pair<int64_t, int64_t> ranges[] = {{0, 10},        {0, size},       {17, 1000},
                                                {size - 3, 3},  {size - 3, 100}, {size, 10},
                                                {size + 5, 10}, {42, 0}};
  for (const auto& [offset, length] : ranges) {
    auto got = store_->GetRange("results/u/r/part-1", offset, length);
    ASSERT_TRUE(got.ok()) << offset << "+" << length << ": " << got.status().message();
    const std::string expected =
        offset >= size ? ""
                       : bytes.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
    EXPECT_TRUE(*got == expected) << offset << "+" << length << " gave " << got->size() << " bytes";
  }
  EXPECT_EQ(store_->GetRange("results/u/r/missing", 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRange("results/u/r/missing", 0, 0).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->GetRange("results/u/r/part-1", -1, 10).ok());
  EXPECT_FALSE(store_->GetRange("../escape", 0, 10).ok());
}

// A stream that delivers `size` pattern bytes, then fails (throws from its buffer, which
// the istream turns into badbit) if `fail` is set.
class PatternBuf : public std::streambuf {
 public:
  PatternBuf(size_t size, bool fail) : size_(size), fail_(fail) {}

 protected:
  int_type underflow() override {
    if (done_ >= size_) {
      if (fail_) throw std::runtime_error("the source went away");
      return traits_type::eof();
    }
    const size_t n = std::min(chunk_.size(), size_ - done_);
    for (size_t i = 0; i < n; ++i) chunk_[i] = static_cast<char>(((done_ + i) * 2654435761u) >> 13);
    done_ += n;
    setg(chunk_.data(), chunk_.data(), chunk_.data() + n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  size_t size_;
  bool fail_;
  size_t done_ = 0;
  std::array<char, 65536> chunk_{};
};

TEST_P(BlobStoreContract, StreamsInAndOutInBoundedMemory) {
  constexpr size_t kSize = (size_t{11} << 20) + 12345;  // three parts on S3, the last short
  PatternBuf source(kSize, false);
  std::istream in(&source);
  ASSERT_TRUE(store_->PutFrom("datasets/u/s/v1.csv", in).ok());
  std::ostringstream out;
  ASSERT_TRUE(store_->GetTo("datasets/u/s/v1.csv", out).ok());
  PatternBuf again(kSize, false);
  std::istream expected(&again);
  const std::string want((std::istreambuf_iterator<char>(expected)),
                         std::istreambuf_iterator<char>());
  EXPECT_EQ(out.str().size(), kSize);
  EXPECT_TRUE(out.str() == want);
  auto info = store_->Stat("datasets/u/s/v1.csv");
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->size, static_cast<int64_t>(kSize));
  EXPECT_GE(info->modified_unix, NowUnix() - 60);
  // A small stream is one plain write.
  std::istringstream small("tiny");
  ASSERT_TRUE(store_->PutFrom("small", small).ok());
  EXPECT_EQ(*store_->Get("small"), "tiny");
  std::ostringstream missing;
  EXPECT_EQ(store_->GetTo("nothing/here", missing).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Stat("nothing/here").status().code(), StatusCode::kNotFound);
}

TEST_P(BlobStoreContract, AStreamThatFailsLeavesNothingBehind) {
  PatternBuf source((size_t{7} << 20) + 3, true);  // fails after the first part on S3
  std::istream in(&source);
  EXPECT_FALSE(store_->PutFrom("datasets/u/broken/v1.csv", in).ok());
  EXPECT_EQ(store_->Stat("datasets/u/broken/v1.csv").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->List("datasets/u/broken/")->empty());
}

TEST_P(BlobStoreContract, ListingPagesResumeAfterTheLastKey) {
  for (const char* key : {"p/a", "p/b", "p/c", "p/d", "p/e", "q/x"})
    ASSERT_TRUE(store_->Put(key, key).ok());
  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListPage("p/", after, 2);
    ASSERT_TRUE(page.ok()) << page.status().message();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const auto& blob : *page) seen.push_back(blob.key);
    after = page->back().key;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"p/a", "p/b", "p/c", "p/d", "p/e"}));
  EXPECT_EQ(store_->ListPage("p/", "p/c", 100)->size(), 2u);
}

TEST_P(BlobStoreContract, ConcurrentWritersOfDifferentKeys) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string key = "queries/q" + std::to_string(t);
        key += "/b" + std::to_string(i);
        if (!store_->Put(key, key).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto listed = store_->List("queries/");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 60u);
  EXPECT_EQ(*store_->Get("queries/q5/b9"), "queries/q5/b9");
}

TEST_P(BlobStoreContract, AListingLongerThanOnePageIsComplete) {
  // S3 answers at most 1,000 keys per request: the rest comes through continuation tokens.
  constexpr int kBlobs = 1010, kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kBlobs; i += kThreads) {
        char key[32];
        std::snprintf(key, sizeof key, "many/%05d", i);
        if (!store_->Put(key, "x").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto listed = store_->List("many/");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), size_t{kBlobs});
  EXPECT_EQ(listed->front().key, "many/00000");
  EXPECT_EQ(listed->back().key, "many/01009");
}

TEST_P(BlobStoreContract, MalformedKeysAreRefused) {
  for (const char* key : {"", "../etc/passwd", "a//b", "/abs", "a/../b", "sp ace"}) {
    EXPECT_EQ(store_->Put(key, "x").code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->Get(key).status().code(), StatusCode::kInvalidArgument) << key;
  }
}

// Bytes of the given size, not repeating in any short period (a part put in the wrong place shows).
std::string PatternBytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    seed = seed * 1103515245u + 12345u;
    bytes[i] = static_cast<char>(seed >> 24);
  }
  return bytes;
}

// The sizes S3 asks of multipart uploads: every part but the last at least 5 MiB.
constexpr size_t kPart = S3BlobStore::kMinPartSize;

TEST_P(BlobStoreContract, PartsInAnyOrderBecomeOneBlobOnlyWhenCompleted) {
  const std::string key = "uploads/u/1/assembled";
  auto id = store_->StartParts(key);
  ASSERT_TRUE(id.ok()) << id.status().message();
  const std::string first = PatternBytes(kPart, 1), second = PatternBytes(kPart, 2),
                    last = "the last, short part";
  auto tag3 = store_->PutPart(key, *id, 3, last);
  auto tag1 = store_->PutPart(key, *id, 1, first);
  auto stale2 = store_->PutPart(key, *id, 2, PatternBytes(kPart, 9));
  auto tag2 = store_->PutPart(key, *id, 2, second);  // re-sent: replaces the part
  ASSERT_TRUE(tag1.ok() && tag2.ok() && tag3.ok() && stale2.ok()) << tag1.status().message();
  // Parts are not blobs: nothing listed, nothing under the key.
  EXPECT_TRUE(store_->List("")->empty());
  EXPECT_EQ(store_->Stat(key).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->PutPart(key, *id, 0, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutPart(key, *id, 10001, "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutPart(key, "0123456789abcdef0123456789abcdef", 1, "x").status().code(),
            StatusCode::kNotFound);

  Status done = store_->CompleteParts(key, *id, {{1, *tag1}, {2, *tag2}, {3, *tag3}});
  ASSERT_TRUE(done.ok()) << done.message();
  auto got = store_->Get(key);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(*got == first + second + last) << got->size() << " bytes";
  // The parts are spent: the handle takes no more, and aborting it is harmless.
  EXPECT_EQ(store_->PutPart(key, *id, 4, "late").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->AbortParts(key, *id).ok());
  EXPECT_EQ(*store_->Get(key), first + second + last);
  auto listed = store_->List("");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, key);
}

TEST_P(BlobStoreContract, APartCopiedFromARangeOfABlob) {
  const std::string source = PatternBytes(kPart + 1000, 3);
  ASSERT_TRUE(store_->Put("uploads/u/2/raw", source).ok());
  auto id = store_->StartParts("uploads/u/2/again");
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto tag1 = store_->CopyPart("uploads/u/2/again", *id, 1, "uploads/u/2/raw", 0,
                               static_cast<int64_t>(kPart));
  auto tag2 = store_->CopyPart("uploads/u/2/again", *id, 2, "uploads/u/2/raw",
                               static_cast<int64_t>(kPart), 1000);
  auto tag3 = store_->PutPart("uploads/u/2/again", *id, 3, "+tail");
  ASSERT_TRUE(tag1.ok()) << tag1.status().message();
  ASSERT_TRUE(tag2.ok()) << tag2.status().message();
  ASSERT_TRUE(tag3.ok()) << tag3.status().message();
  // A range past the end of the source, or a source that is not there, copies nothing.
  EXPECT_FALSE(store_
                   ->CopyPart("uploads/u/2/again", *id, 4, "uploads/u/2/raw",
                              static_cast<int64_t>(kPart), 2000)
                   .ok());
  EXPECT_FALSE(store_->CopyPart("uploads/u/2/again", *id, 4, "uploads/u/2/missing", 0, 10).ok());
  ASSERT_TRUE(
      store_->CompleteParts("uploads/u/2/again", *id, {{1, *tag1}, {2, *tag2}, {3, *tag3}}).ok());
  EXPECT_TRUE(*store_->Get("uploads/u/2/again") == source + "+tail");
}

TEST_P(BlobStoreContract, AbortedPartsAreGone) {
  auto id = store_->StartParts("uploads/u/3/never");
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto tag = store_->PutPart("uploads/u/3/never", *id, 1, "abandoned");
  ASSERT_TRUE(tag.ok()) << tag.status().message();
  ASSERT_TRUE(store_->AbortParts("uploads/u/3/never", *id).ok());
  EXPECT_TRUE(store_->AbortParts("uploads/u/3/never", *id).ok());  // aborts are retried
  EXPECT_EQ(store_->PutPart("uploads/u/3/never", *id, 2, "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(store_->CompleteParts("uploads/u/3/never", *id, {{1, *tag}}).ok());
  EXPECT_EQ(store_->Stat("uploads/u/3/never").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->List("")->empty());
}

// A tag names one send of a part: completing with a part's earlier tag (it was re-sent
// since) fails and leaves the parts to be completed right. (s3rver, the test S3 server,
// does not compare ETags — S3 answers InvalidPart — so this runs on the file store.)
TEST(FileBlobStoreParts, AStaleTagFailsTheCompletionAndLeavesThePartsOpen) {
  testing::TempDir dir;
  auto store = FileBlobStore::Open(dir / "blobs");
  ASSERT_TRUE(store.ok());
  auto id = (*store)->StartParts("k");
  auto old_tag = (*store)->PutPart("k", *id, 1, "old");
  auto new_tag = (*store)->PutPart("k", *id, 1, "new");
  ASSERT_NE(*old_tag, *new_tag);
  EXPECT_EQ((*store)->CompleteParts("k", *id, {{1, *old_tag}}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->CompleteParts("k", *id, {{1, *new_tag}, {2, *new_tag}}).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*store)->CompleteParts("k", *id, {{1, *new_tag}}).ok());
  EXPECT_EQ(*(*store)->Get("k"), "new");
  // Parts survive a restart (Open removes only torn temporary files).
  auto id2 = (*store)->StartParts("k2");
  auto tag = (*store)->PutPart("k2", *id2, 1, "kept");
  store = FileBlobStore::Open(dir / "blobs");
  ASSERT_TRUE((*store)->CompleteParts("k2", *id2, {{1, *tag}}).ok());
  EXPECT_EQ(*(*store)->Get("k2"), "kept");
  // Parts no upload has touched for longer than any upload lives (a process died before
  // recording their handle) are removed when the store opens; others stay.
  auto lost = (*store)->StartParts("k3");
  auto open = (*store)->StartParts("k4");
  ASSERT_TRUE((*store)->PutPart("k3", *lost, 1, "lost").ok());
  const std::filesystem::path lost_dir = dir / "blobs" / ".tmp-parts" / *lost;
  std::filesystem::last_write_time(
      lost_dir, std::filesystem::file_time_type::clock::now() - std::chrono::hours(40 * 24));
  store = FileBlobStore::Open(dir / "blobs");
  EXPECT_FALSE(std::filesystem::exists(lost_dir));
  EXPECT_EQ((*store)->PutPart("k3", *lost, 1, "x").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->PutPart("k4", *open, 1, "x").ok());
}

// Blobs read as one stream a piece at a time: every size around the piece's, an empty
// blob, and a missing one (an error naming it, not a short stream).
TEST_P(BlobStoreContract, AChainOfBlobsReadsAsOneStreamAPieceAtATime) {
  std::vector<std::string> keys;
  std::string expected;
  const size_t sizes[] = {0, 1, 3, 4, 5, 12, 0, 9};
  for (size_t i = 0; i < std::size(sizes); ++i) {
    keys.push_back("chain/" + std::to_string(i));
    const std::string bytes = PatternBytes(sizes[i], static_cast<uint32_t>(i));
    ASSERT_TRUE(store_->Put(keys.back(), bytes).ok());
    expected += bytes;
  }
  for (size_t read_size : {1, 3, 4, 64}) {
    BlobChainSource source(*store_, keys, /*piece_bytes=*/4);
    std::string got, buffer(read_size, '\0');
    while (true) {
      auto n = source.Read(buffer.data(), buffer.size());
      ASSERT_TRUE(n.ok()) << n.status().message();
      if (*n == 0) break;
      got.append(buffer.data(), *n);
    }
    EXPECT_EQ(got, expected) << "reads of " << read_size;
  }
  keys.insert(keys.begin() + 2, "chain/missing");
  BlobChainSource broken(*store_, keys, 4);
  std::string buffer(64, '\0');
  Result<size_t> n = size_t{0};
  do {
    n = broken.Read(buffer.data(), buffer.size());
  } while (n.ok() && *n > 0);
  ASSERT_FALSE(n.ok()) << "a missing blob ended the stream quietly";
  EXPECT_NE(n.status().message().find("chain/missing"), std::string::npos) << n.status().message();
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreContract, ::testing::Values("file", "s3"),
                         [](const auto& info) { return info.param; });

TEST(S3BlobStoreOpen, WrongCredentialsOrAMissingBucketFailAtOpenWithTheReason) {
  const std::string endpoint = S3Endpoint();
  ::setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);  // S3Endpoint() set the right one
  auto wrong = S3BlobStore::Open("s3://diamond-test?endpoint=" + endpoint);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << wrong.status().message();
  auto missing = S3BlobStore::Open("s3://no-such-bucket?endpoint=" + endpoint);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("NoSuchBucket"), std::string::npos)
      << missing.status().message();
}

TEST(S3Url, ParsesBucketPrefixEndpointAndRegion) {
  auto url = ParseS3Url("s3://prices/prod/blobs/?endpoint=http://127.0.0.1:9000&region=eu-west-1");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->bucket, "prices");
  EXPECT_EQ(url->prefix, "prod/blobs/");
  EXPECT_EQ(url->host, "127.0.0.1:9000");
  EXPECT_EQ(url->region, "eu-west-1");
  auto aws = ParseS3Url("s3://prices");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(ParseS3Url("s3://?endpoint=http://x").ok());
  EXPECT_FALSE(ParseS3Url("s3://b?endpoint=ftp://x").ok());
  EXPECT_FALSE(ParseS3Url("s3://b?secret=x").ok());  // credentials never in the URL
}

}  // namespace
}  // namespace diamond::store
