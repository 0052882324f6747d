#include "core/grades.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

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

// GradeCodeInWindow reads 16 bytes: the tests give it a field and padding after it.
int InWindow(GradeScale scale, const std::string& field_and_rest, size_t* length) {
  std::string window = field_and_rest;
  window.resize(16, 'x');
  return GradeCodeInWindow(scale, window.data(), length);
}

TEST(Grades, EveryNameIsFoundInAWindowBeforeItsComma) {
  for (auto scale : {GradeScale::kCut, GradeScale::kColor, GradeScale::kClarity}) {
    auto names = GradeNames(scale);
    for (size_t i = 0; i < names.size(); ++i) {
      size_t length = 0;
      EXPECT_EQ(InWindow(scale, std::string(names[i]) + ",61.5,55", &length), static_cast<int>(i))
          << names[i];
      EXPECT_EQ(length, names[i].size());
    }
  }
}

TEST(Grades, AWindowWithoutAGradeBeforeItsCommaSaysSo) {
  size_t length = 0;
  EXPECT_EQ(InWindow(GradeScale::kCut, "Goo,d", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kCut, "Goodx,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kCut, "good,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kCut, " Good,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kCut, ",Good", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kCut, "Very Goodxxxxxxx", &length), -1);  // no comma in 16 bytes
  EXPECT_EQ(InWindow(GradeScale::kCut, "Very Goo\xE4,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kColor, "DE,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kColor, "C,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kClarity, "SI3,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kClarity, "VVS1 ,", &length), -1);
  EXPECT_EQ(InWindow(GradeScale::kClarity, "SI1\n1.0,", &length), -1);
}

// Random fields built from the grades' letters: the window must agree with GradeCode on
// the bytes before the first comma, or say -1 when there is no comma in 16 bytes.
TEST(Grades, AWindowAgreesWithGradeCodeOnRandomFields) {
  const std::string letters = "PoorFaiGdVyeImlSIVF123 ,ZDEJ";
  std::mt19937 random(7);
  for (int i = 0; i < 200000; ++i) {
    std::string window(16, 'x');
    const size_t size = random() % 17;
    for (size_t j = 0; j < size; ++j) window[j] = letters[random() % letters.size()];
    if (random() % 3 == 0) {  // a real name of some scale, then anything
      auto names = GradeNames(static_cast<GradeScale>(random() % 3));
      const std::string_view name = names[random() % names.size()];
      window.replace(0, name.size(), name);
    }
    if (random() % 2 != 0) window[random() % 16] = ',';
    for (auto scale : {GradeScale::kCut, GradeScale::kColor, GradeScale::kClarity}) {
      size_t length = 0;
      const int code = GradeCodeInWindow(scale, window.data(), &length);
      const size_t comma = window.find(',');
      if (comma == std::string::npos) {
        ASSERT_EQ(code, -1) << window;
        continue;
      }
      const auto expected = GradeCode(scale, std::string_view(window).substr(0, comma));
      ASSERT_EQ(code, expected.value_or(-1)) << window;
      if (code >= 0) {
        ASSERT_EQ(length, comma) << window;
      }
    }
  }
}

}  // namespace
}  // namespace diamond
