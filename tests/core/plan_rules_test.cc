// A plan's limits, as the store applies them in its transactions: the boundaries, the
// limit each names, and no overflow near the largest limits.
#include "core/plan_rules.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace diamond {
namespace {

TEST(PlanRules, CountsAreAllowedUpToTheLimitAndNotPast) {
  EXPECT_TRUE(CheckDatasetCount(2, 3).ok());
  Status full = CheckDatasetCount(3, 3);
  EXPECT_EQ(full.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(full.limit(), "max_datasets");
  EXPECT_EQ(full.limit_value(), 3);
  EXPECT_NE(full.message().find("delete one"), std::string::npos) << full.message();
  EXPECT_TRUE(CheckModelCount(0, 1).ok());
  EXPECT_EQ(CheckModelCount(1, 1).limit(), "max_models");
  EXPECT_FALSE(CheckDatasetCount(0, 0).ok());  // a plan without datasets allows none
}

TEST(PlanRules, TrainingJobsAtOnceAreAQuotaTheClientMayRetry) {
  EXPECT_TRUE(CheckTrainingJobs(1, 2).ok());
  Status busy = CheckTrainingJobs(2, 2);
  EXPECT_EQ(busy.code(), StatusCode::kQuotaExceeded);
  EXPECT_EQ(busy.limit(), "max_training_jobs");
}

TEST(PlanRules, StoredBytesCountOnlyWhatIsAddedAndNeverOverflow) {
  EXPECT_TRUE(CheckStoredBytes(900, 100, 1000).ok());
  Status over = CheckStoredBytes(901, 100, 1000);
  EXPECT_EQ(over.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(over.limit(), "max_stored_bytes");
  EXPECT_NE(over.message().find("to 1001 bytes"), std::string::npos) << over.message();
  EXPECT_TRUE(CheckStoredBytes(INT64_MAX - 10, 10, INT64_MAX).ok());
  Status huge = CheckStoredBytes(INT64_MAX - 10, 11, INT64_MAX);
  EXPECT_FALSE(huge.ok());
  EXPECT_NE(huge.message().find(std::to_string(INT64_MAX)), std::string::npos);
  EXPECT_FALSE(CheckStoredBytes(0, 11, 10).ok());
}

}  // namespace
}  // namespace diamond
