#include "core/diamond_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace diamond {
namespace {

constexpr char kStone[] =
    R"({"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2", "depth": 61.5,
        "table": 55.0, "x": 4.3, "y": 4.31, "z": 2.65})";

TEST(DiamondJson, OneStoneWithoutPrice) {
  std::vector<FieldError> errors;
  auto stones = ParseStonesJson(kStone, {}, &errors);
  ASSERT_TRUE(stones.ok()) << stones.status().message();
  ASSERT_EQ(stones->size(), 1u);
  EXPECT_DOUBLE_EQ((*stones)[0].carat, 0.3);
  EXPECT_EQ((*stones)[0].color, 21);
  EXPECT_FALSE((*stones)[0].price.has_value());
}

TEST(DiamondJson, ArrayWithPricesAndUnknownKeysIgnored) {
  std::vector<FieldError> errors;
  auto stones = ParseStonesJson(
      R"([{"carat": 1, "cut": "Fair", "color": "J", "clarity": "I1", "depth": 60, "table": 58,
           "x": 6, "y": 6, "z": 4, "price": 2000, "note": "kept out"},
          {"carat": 2, "cut": "Good", "color": "D", "clarity": "IF", "depth": 60, "table": 58,
           "x": 8, "y": 8, "z": 5, "price": null}])",
      {}, &errors);
  ASSERT_TRUE(stones.ok()) << stones.status().message();
  ASSERT_EQ(stones->size(), 2u);
  EXPECT_EQ((*stones)[0].price, 2000.0);
  EXPECT_FALSE((*stones)[1].price.has_value());
}

TEST(DiamondJson, FieldErrorsNameRowAndField) {
  std::vector<FieldError> errors;
  auto stones = ParseStonesJson(
      R"([{"carat": 1, "cut": "Fair", "color": "J", "clarity": "I1", "depth": 60, "table": 58,
           "x": 6, "y": 6, "z": 4},
          {"carat": "1", "cut": "Fine", "color": "J", "clarity": 3, "depth": 60,
           "x": 6, "y": 6, "z": true}])",
      {.require_price = true}, &errors);
  ASSERT_FALSE(stones.ok());
  std::vector<std::string> got;
  for (const auto& e : errors)
    got.push_back(std::to_string(e.row) + " " + e.column + ": " + e.message);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "1 price: missing price",
                     "2 carat: must be a number, not string",
                     "2 cut: unknown grade 'Fine' (allowed: Poor, Fair, Good, Very Good, Premium, "
                     "Ideal)",
                     "2 clarity: must be a string, not number",
                     "2 table: missing value",
                     "2 z: must be a number, not boolean",
                     "2 price: missing price",
                 }));
}

TEST(DiamondJson, MalformedOrWrongShapeBodies) {
  std::vector<FieldError> errors;
  EXPECT_EQ(ParseStonesJson("{\"carat\": ", {}, &errors).status().message(),
            "the body is not valid JSON: parse error at line 1, column 11: syntax error while "
            "parsing value - unexpected end of input; expected '[', '{', or a literal");
  EXPECT_TRUE(
      ParseStonesJson("NaN", {}, &errors)
          .status()
          .message()
          .starts_with(
              "the body is not valid JSON: parse error at line 1, column 1: syntax error while "
              "parsing value - invalid literal"));
  EXPECT_FALSE(ParseStonesJson("42", {}, &errors).ok());
  EXPECT_EQ(errors.back().message, "expected a stone object or an array of stones, not number");
  auto stones = ParseStonesJson("[1]", {}, &errors);
  ASSERT_FALSE(stones.ok());
  EXPECT_EQ(errors.back().message, "a stone must be a JSON object, not number");
}

TEST(DiamondJson, HugeNumbersAreNotFinite) {
  std::vector<FieldError> errors;
  std::string text = kStone;
  text.replace(text.find("0.3"), 3, "1e999");
  auto stones = ParseStonesJson(text, {}, &errors);
  ASSERT_FALSE(stones.ok());
  EXPECT_EQ(stones.status().message(),
            "the body is not valid JSON: number overflow parsing '1e999'");
}

TEST(DiamondJson, DocumentsDeeperThanTheLimitAreRefused) {
  EXPECT_TRUE(ParseJson(std::string(64, '[') + std::string(64, ']')).ok());
  auto deep = ParseJson(std::string(65, '[') + std::string(65, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "the body is not valid JSON: nested deeper than 64 levels");
}

TEST(DiamondJson, ErrorsAreCapped) {
  std::string text = "[";
  for (int i = 0; i < 300; ++i) text += std::string(i ? "," : "") + "{}";
  text += "]";
  std::vector<FieldError> errors;
  EXPECT_FALSE(ParseStonesJson(text, {.require_price = false, .max_errors = 100}, &errors).ok());
  EXPECT_EQ(errors.size(), 100u);
}

TEST(DiamondJson, RoundTrip) {
  std::vector<FieldError> errors;
  auto stones = ParseStonesJson(kStone, {}, &errors);
  ASSERT_TRUE(stones.ok());
  Diamond stone = (*stones)[0];
  stone.price = 650;
  auto again = ParseStonesJson(DiamondToJson(stone).dump(), {}, &errors);
  ASSERT_TRUE(again.ok());
  const Diamond& back = (*again)[0];
  EXPECT_EQ(back.carat, stone.carat);
  EXPECT_EQ(back.cut, stone.cut);
  EXPECT_EQ(back.color, stone.color);
  EXPECT_EQ(back.clarity, stone.clarity);
  EXPECT_EQ(back.z, stone.z);
  EXPECT_EQ(back.price, stone.price);
}

}  // namespace
}  // namespace diamond
