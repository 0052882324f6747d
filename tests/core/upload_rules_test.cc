// The upload state machine's rules (core/upload_rules.h), which the upload service and the
// store both apply, and the names of upload formats, modes and states (the API's and the
// database's words for the enums).
#include "core/upload_rules.h"

#include <gtest/gtest.h>

// GCC 12 at -O3 warns -Wrestrict on string assignments inlined from libstdc++ (GCC bug
// 105329, a false positive); nothing here overlaps.
#pragma GCC diagnostic ignored "-Wrestrict"

namespace diamond {
namespace {

UploadRecord Upload(UploadState state, const std::string& job_id = "") {
  UploadRecord upload;
  upload.id = "up";
  upload.dataset_id = "d";
  upload.state = state;
  upload.job_id = job_id;
  upload.dataset_version = 3;
  return upload;
}

TEST(UploadRules, PartsOnlyWhileOpen) {
  EXPECT_TRUE(CheckTakesParts(Upload(UploadState::kOpen)).ok());
  const Status completing = CheckTakesParts(Upload(UploadState::kCompleting, "j"));
  EXPECT_EQ(completing.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(completing.message(), "upload 'up' is completing: it takes no more parts");
  EXPECT_EQ(CheckTakesParts(Upload(UploadState::kCompleted)).code(),
            StatusCode::kFailedPrecondition);
}

TEST(UploadRules, WhoMayCompleteWhen) {
  // Open: a request may; a job may not (its completion was failed and reopened).
  EXPECT_TRUE(CheckCompletable(Upload(UploadState::kOpen), "").ok());
  EXPECT_EQ(CheckCompletable(Upload(UploadState::kOpen), "j").message(),
            "upload 'up' is no longer being completed by job 'j'");
  // Completing: only its own job.
  EXPECT_TRUE(CheckCompletable(Upload(UploadState::kCompleting, "j"), "j").ok());
  EXPECT_EQ(CheckCompletable(Upload(UploadState::kCompleting, "j"), "").message(),
            "upload 'up' is being completed by job 'j'");
  EXPECT_EQ(CheckCompletable(Upload(UploadState::kCompleting, "j"), "k").code(),
            StatusCode::kFailedPrecondition);
  // Completed: nobody, and the answer says what it became.
  for (const std::string job : {"", "j"}) {
    const Status done = CheckCompletable(Upload(UploadState::kCompleted, "j"), job);
    EXPECT_EQ(done.message(), "upload 'up' is already completed (dataset 'd' version 3)");
  }
  EXPECT_TRUE(CheckNotCompleted(Upload(UploadState::kCompleting, "j")).ok());
}

TEST(UploadRules, NamesRoundTripAndNothingElseParses) {
  for (UploadState s : {UploadState::kOpen, UploadState::kCompleting, UploadState::kCompleted})
    EXPECT_EQ(UploadStateNamed(UploadStateName(s)), s);
  for (UploadFormat f : {UploadFormat::kCsv, UploadFormat::kJson})
    EXPECT_EQ(UploadFormatNamed(UploadFormatName(f)), f);
  for (UploadMode m : {UploadMode::kReplace, UploadMode::kAppend})
    EXPECT_EQ(UploadModeNamed(UploadModeName(m)), m);
  EXPECT_EQ(UploadStateName(UploadState::kCompleting), "completing");
  EXPECT_EQ(UploadFormatName(UploadFormat::kJson), "json");
  EXPECT_EQ(UploadModeName(UploadMode::kAppend), "append");
  EXPECT_FALSE(UploadStateNamed("Open"));
  EXPECT_FALSE(UploadFormatNamed("parquet"));
  EXPECT_FALSE(UploadModeNamed(""));
}

}  // namespace
}  // namespace diamond
