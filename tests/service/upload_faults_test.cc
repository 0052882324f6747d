// Multipart uploads over stores that fail: a client's upload (parts out of order, a bad
// row, a refused completion, the part replaced, completed) is run once per store call
// with that call failing. Whatever fails, a client that then retries as the API tells it
// (look at the upload, send what is missing or wrong, complete; a new upload if it is
// gone) ends with the dataset it sent, committed once; nothing half-written is visible,
// no blob is left that blob GC would not remove, and at most the one failed abort's parts
// are left to the store's expiry.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/diamond_csv_writer.h"
#include "core/sha256.h"
#include "service/upload_service.h"
#include "store/blob_gc.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"
#include "support/faulty_stores.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

constexpr char kOwner[] = "u";
constexpr char kBadRow[] = "0.3,Fine,E,VS2,61.5,55,4.3,4.31,2.65\n";  // "Fine" is no cut

struct Outcome {
  std::vector<std::string> step_errors;  // "" where the step succeeded
  int64_t calls = 0;
};

class UploadFaults : public ::testing::Test {
 protected:
  // Runs the flow with call `fail_at` failing (-1: none); fills `run` (void: it asserts).
  void Scenario(int64_t fail_at, Fault fault, Outcome& run) {
    FaultyStores stores(fail_at, fault);
    store::SqlMetadataStore* sql = stores.sql();
    store::FileBlobStore* files = stores.files();
    const TempDir& dir = stores.dir();
    service::UploadService::Options options;
    options.min_part_bytes = 1;
    service::UploadService uploads(stores.datasets(), stores.uploads(), stores.blobs(), nullptr,
                                   options);  // the stores that fail
    const auto stones = SyntheticStones(40, 5);
    const std::string first = StonesToCanonicalCsv(std::span(stones).first(20));
    const std::string second = StonesToCanonicalCsv(std::span(stones).subspan(20));
    const std::string part2 = second.substr(second.find('\n') + 1);  // rows only
    const std::string expected = first + part2;
    service::DatasetService::Limits limits;
    const int64_t max_bytes = int64_t{1} << 30;

    auto record = [&](const Status& s) { run.step_errors.push_back(s.ok() ? "" : s.message()); };
    auto put = [&](const std::string& id, int64_t n, const std::string& bytes) {
      return uploads.PutPart(kOwner, id, n, bytes, std::nullopt, max_bytes).status();
    };
    InvalidRows invalid;
    std::string id;
    // The client's flow, each step recorded; at the first that fails it stops, and goes on
    // as below (a client must not complete an upload a part of which it could not send).
    bool failed = false;
    auto step = [&](const Status& s) {
      record(s);
      failed = !s.ok();
      return !failed;
    };
    auto created = uploads.Create(kOwner, "d", UploadFormat::kCsv, UploadMode::kReplace);
    if (step(created.status())) id = created->id;
    if (!failed && step(put(id, 2, part2)) && step(put(id, 1, first + kBadRow))) {
      auto refused = uploads.Complete(kOwner, id, limits, &invalid);
      EXPECT_FALSE(refused.ok()) << "a bad row was committed";
      // Refused for its row (422), the upload is open again; refused for a fault, the
      // client cannot tell yet (it looks again below).
      if (refused.status().code() == StatusCode::kInvalidArgument && invalid.rows_invalid == 1 &&
          step(put(id, 1, first))) {
        step(uploads.Complete(kOwner, id, limits, &invalid).status());
        EXPECT_FALSE(sql->GetDataset(kOwner, "d").ok() && failed)
            << "a failed completion committed the dataset";
      } else if (refused.status().code() != StatusCode::kInvalidArgument) {
        record(refused.status());
      }
    }

    // The client retries, as the API's answers tell it, with the stores well again (faults
    // are injected into the flow's calls only).
    run.calls = stores.plan().calls();
    stores.plan().FailCall(-1, fault);
    bool committed = false;
    for (int round = 0; round < 4 && !committed; ++round) {
      auto got = uploads.Get(kOwner, id);
      if (!got.ok()) {
        ASSERT_EQ(got.status().code(), StatusCode::kNotFound) << got.status().message();
        auto again = uploads.Create(kOwner, "d", UploadFormat::kCsv, UploadMode::kReplace);
        ASSERT_TRUE(again.ok()) << again.status().message();
        id = again->id;
        got = uploads.Get(kOwner, id);
        ASSERT_TRUE(got.ok());
      }
      if (got->first.state == UploadState::kCompleted) {
        committed = true;
        break;
      }
      std::map<int64_t, std::string> have;
      for (const auto& p : got->second) have[p.part] = p.sha256;
      Status s = Status::Ok();
      if (have[1] != Sha256Hex(first)) s = put(id, 1, first);
      if (s.ok() && have[2] != Sha256Hex(part2)) s = put(id, 2, part2);
      // 409 "closed to parts": a completion that failed could not reopen it; completing
      // again does (or commits, if the parts are right).
      if (!s.ok()) {
        ASSERT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
      }
      auto done = uploads.Complete(kOwner, id, limits, &invalid);
      committed =
          done.ok() || (done.status().code() == StatusCode::kFailedPrecondition &&
                        done.status().message().find("already completed") != std::string::npos);
    }
    EXPECT_TRUE(committed) << "the client could not finish its upload";
    auto dataset = sql->GetDataset(kOwner, "d");
    ASSERT_TRUE(dataset.ok()) << dataset.status().message();
    EXPECT_EQ(dataset->current.version, 1) << "committed once";
    EXPECT_EQ(dataset->current.sha256, Sha256Hex(expected));
    EXPECT_EQ(dataset->current.rows, 40);

    // What is left: nothing a row does not name once blob GC has run, and at most the
    // parts of one failed abort (the store's expiry of parts removes those).
    ASSERT_TRUE(store::RemoveUnreferencedBlobs(*sql, *files, std::chrono::seconds(0)).ok());
    auto referenced = sql->ReferencedBlobKeys();
    ASSERT_TRUE(referenced.ok());
    for (const auto& key : *referenced) {
      if (key.starts_with("uploads/")) continue;  // the completed upload's assembled blob, deleted
      auto bytes = files->Get(key);
      EXPECT_TRUE(bytes.ok()) << "a row points at missing blob " << key;
    }
    EXPECT_TRUE(files->List("uploads/")->empty()) << "an assembled blob outlived its upload";
    const std::filesystem::path parts = dir / "blobs" / ".tmp-parts";
    const auto left = std::filesystem::exists(parts)
                          ? std::distance(std::filesystem::directory_iterator(parts),
                                          std::filesystem::directory_iterator())
                          : 0;
    EXPECT_LE(left, 1) << "sets of parts left behind";
  }
};

TEST_F(UploadFaults, EveryFailingStoreCallLeavesAnUploadTheClientCanFinish) {
  Outcome clean;
  Scenario(-1, Fault::kIoError, clean);
  ASSERT_EQ(clean.step_errors, (std::vector<std::string>{"", "", "", "", ""}))
      << "the flow fails without faults";
  ASSERT_GT(clean.calls, 15);
  const int64_t failed_runs = RunWithEachCallFailing(
      clean.calls, {Fault::kIoError, Fault::kShortWrite}, [&](int64_t call, Fault fault) {
        Outcome run;
        Scenario(call, fault, run);
        return std::any_of(run.step_errors.begin(), run.step_errors.end(),
                           [](const auto& e) { return !e.empty(); });
      });
  // Most faults surface as a failed step; others hit best-effort work (deleting a spent
  // blob, aborting spent parts), which is logged and left to GC.
  EXPECT_GT(failed_runs, clean.calls);
}

// An upload opened before schema v9 (no parts key: the migration's default) keeps its
// parts as blobs of their own: it takes parts, completes, and leaves nothing behind.
TEST(UploadFromBeforeV9, KeepsItsPartsAsBlobsAndCompletes) {
  FaultyStores stores(-1, Fault::kIoError);  // the real stores only
  store::SqlMetadataStore* sql = stores.sql();
  store::FileBlobStore* files = stores.files();
  service::UploadService::Options options;
  options.min_part_bytes = 1;
  service::UploadService uploads(*sql, *sql, *files, nullptr, options);
  UploadRecord old{kOwner,
                   "old",
                   "d",
                   UploadFormat::kCsv,
                   UploadMode::kReplace,
                   UploadState::kOpen,
                   0,
                   "then",
                   INT64_MAX,
                   "",
                   "",
                   "",
                   ""};
  ASSERT_TRUE(sql->CreateUpload(old).ok());
  const std::string csv = StonesToCanonicalCsv(SyntheticStones(10, 7));
  const size_t cut = csv.size() / 2;
  ASSERT_TRUE(uploads.PutPart(kOwner, "old", 2, csv.substr(cut), std::nullopt, INT64_MAX).ok());
  ASSERT_TRUE(uploads.PutPart(kOwner, "old", 1, csv.substr(0, cut), std::nullopt, INT64_MAX).ok());
  EXPECT_EQ(files->List("uploads/")->size(), 2u) << "its parts are blobs";
  InvalidRows invalid;
  auto done = uploads.Complete(kOwner, "old", service::DatasetService::Limits{}, &invalid);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->current.sha256, Sha256Hex(csv));
  EXPECT_TRUE(files->List("uploads/")->empty());
}

}  // namespace
}  // namespace diamond::testing
