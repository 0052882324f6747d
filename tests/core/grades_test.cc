#include "core/grades.h"

#include <gtest/gtest.h>

namespace diamond {
namespace {

TEST(Grades, CodesFollowTheDesignScales) {
  EXPECT_EQ(GradeCode(GradeScale::kCut, "Poor"), 0);
  EXPECT_EQ(GradeCode(GradeScale::kCut, "Ideal"), 5);
  EXPECT_EQ(GradeCode(GradeScale::kCut, "Very Good"), 3);
  EXPECT_EQ(GradeCode(GradeScale::kColor, "Z"), 0);
  EXPECT_EQ(GradeCode(GradeScale::kColor, "D"), 22);
  EXPECT_EQ(GradeCode(GradeScale::kColor, "J"), 16);
  EXPECT_EQ(GradeCode(GradeScale::kClarity, "I3"), 0);
  EXPECT_EQ(GradeCode(GradeScale::kClarity, "SI2"), 3);
  EXPECT_EQ(GradeCode(GradeScale::kClarity, "FL"), 10);
}

TEST(Grades, UnknownAndWrongCaseAreRejected) {
  EXPECT_FALSE(GradeCode(GradeScale::kCut, "ideal").has_value());
  EXPECT_FALSE(GradeCode(GradeScale::kColor, "A").has_value());
  EXPECT_FALSE(GradeCode(GradeScale::kClarity, "").has_value());
}

TEST(Grades, NamesRoundTrip) {
  for (auto scale : {GradeScale::kCut, GradeScale::kColor, GradeScale::kClarity}) {
    auto names = GradeNames(scale);
    for (size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(GradeCode(scale, GradeName(scale, static_cast<int>(i))), static_cast<int>(i));
    }
  }
  EXPECT_EQ(AllowedGradesText(GradeScale::kCut), "Poor, Fair, Good, Very Good, Premium, Ideal");
}

}  // namespace
}  // namespace diamond
