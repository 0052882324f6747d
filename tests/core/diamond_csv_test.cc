#include "core/diamond_csv.h"

#include <gtest/gtest.h>

namespace diamond {
namespace {

constexpr char kHeader[] = "carat,cut,color,clarity,depth,table,price,x,y,z\n";

Result<DiamondTable> Load(const std::string& text, bool require_price = true,
                          bool skip_invalid = false, InvalidRows* invalid = nullptr) {
  StringSource source(text);
  LoadOptions options;
  options.csv.require_price = require_price;
  options.skip_invalid = skip_invalid;
  return LoadDiamondsCsv(source, options, invalid);
}

TEST(DiamondCsv, ReadsAStone) {
  auto table = Load(std::string(kHeader) + "1.05,Ideal,H,SI2,61.9,56.0,4650,6.55,6.59,4.07\n");
  ASSERT_TRUE(table.ok()) << table.status().message();
  ASSERT_EQ(table->stones.size(), 1u);
  const Diamond& s = table->stones[0];
  EXPECT_DOUBLE_EQ(s.carat, 1.05);
  EXPECT_EQ(s.cut, 5);
  EXPECT_EQ(s.color, 18);
  EXPECT_EQ(s.clarity, 3);
  EXPECT_DOUBLE_EQ(s.depth, 61.9);
  EXPECT_DOUBLE_EQ(s.table, 56.0);
  EXPECT_EQ(s.price, 4650.0);
  EXPECT_DOUBLE_EQ(s.x, 6.55);
  EXPECT_DOUBLE_EQ(s.y, 6.59);
  EXPECT_DOUBLE_EQ(s.z, 4.07);
}

TEST(DiamondCsv, ColumnOrderComesFromTheHeaderAndExtraColumnsAreIgnored) {
  auto table = Load(
      " Z ,y,X,Price,id,clarity,color,cut,table,depth,CARAT\n"
      "4.07,6.59,6.55,4650,abc,SI2,H,Ideal,56,61.9,1.05\n");
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_DOUBLE_EQ(table->stones[0].z, 4.07);
  EXPECT_DOUBLE_EQ(table->stones[0].carat, 1.05);
  EXPECT_EQ(table->stones[0].cut, 5);
}

TEST(DiamondCsv, QuotedFieldsSpacesAndCrLf) {
  auto table = Load(
      "\"carat\",\"cut\",color,clarity,depth,table,price,x,y,z\r\n"
      "\" 0.3 \",\"Very Good\",E,VS2,61.5,55,650,4.3,4.31,2.65\r\n");
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_DOUBLE_EQ(table->stones[0].carat, 0.3);
  EXPECT_EQ(table->stones[0].cut, 3);
}

TEST(DiamondCsv, MissingColumnsAreAllNamed) {
  auto table = Load("carat,cut,depth,table,price,x,y\n");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(), "the header has no column color, clarity, z");
}

TEST(DiamondCsv, PriceColumnIsOptionalWhenPricing) {
  auto table =
      Load("carat,cut,color,clarity,depth,table,x,y,z\n0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n",
           /*require_price=*/false);
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_FALSE(table->stones[0].price.has_value());
  EXPECT_FALSE(Load("carat,cut,color,clarity,depth,table,x,y,z\n").ok());
}

TEST(DiamondCsv, EmptyInputIsAnError) {
  auto table = Load("");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("no header"), std::string::npos);
}

struct BadRow {
  const char* row;
  const char* column;
  const char* message;
};

void PrintTo(const BadRow& bad, std::ostream* os) { *os << bad.column << ": " << bad.row; }

class DiamondCsvRowErrors : public ::testing::TestWithParam<BadRow> {};

TEST_P(DiamondCsvRowErrors, NameRowLineColumnAndReason) {
  InvalidRows invalid;
  auto table = Load(
      std::string(kHeader) + "0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,2.65\n" + GetParam().row + "\n",
      true, false, &invalid);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(invalid.rows_invalid, 1);
  ASSERT_EQ(invalid.errors.size(), 1u);
  EXPECT_EQ(invalid.errors[0].row, 2);
  EXPECT_EQ(invalid.errors[0].line, 3);
  EXPECT_EQ(invalid.errors[0].column, GetParam().column);
  EXPECT_EQ(invalid.errors[0].message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DiamondCsvRowErrors,
    ::testing::Values(
        BadRow{"0.3,Fine,E,VS2,61.5,55,650,4.3,4.31,2.65", "cut",
               "unknown grade 'Fine' (allowed: Poor, Fair, Good, Very Good, Premium, Ideal)"},
        BadRow{"0.3,Ideal,A,VS2,61.5,55,650,4.3,4.31,2.65", "color",
               "unknown grade 'A' (allowed: Z, Y, X, W, V, U, T, S, R, Q, P, O, N, M, L, K, J, "
               "I, H, G, F, E, D)"},
        BadRow{"0.3,Ideal,E,VS3,61.5,55,650,4.3,4.31,2.65", "clarity",
               "unknown grade 'VS3' (allowed: I3, I2, I1, SI2, SI1, VS2, VS1, VVS2, VVS1, IF, "
               "FL)"},
        BadRow{"heavy,Ideal,E,VS2,61.5,55,650,4.3,4.31,2.65", "carat", "not a number: 'heavy'"},
        BadRow{"0.3,Ideal,E,VS2,61.5x,55,650,4.3,4.31,2.65", "depth", "not a number: '61.5x'"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,650,nan,4.31,2.65", "x", "not a finite number: 'nan'"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,650,4.3,inf,2.65", "y", "not a finite number: 'inf'"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,1e999", "z", "not a finite number: '1e999'"},
        BadRow{"0.3,Ideal,E,VS2,61.5,,650,4.3,4.31,2.65", "table", "missing value"},
        BadRow{"0.3,,E,VS2,61.5,55,650,4.3,4.31,2.65", "cut", "missing value"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,,4.3,4.31,2.65", "price", "missing price"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,+-3,4.3,4.31,2.65", "price", "not a number: '+-3'"},
        BadRow{"0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31", "z",
               "missing value (the row has 9 fields, the header names 10 or more)"},
        BadRow{"0.3,Ideal,E,\x01VS2,61.5,55,650,4.3,4.31,2.65", "clarity",
               "unknown grade '\\x01VS2' (allowed: I3, I2, I1, SI2, SI1, VS2, VS1, VVS2, VVS1, "
               "IF, FL)"}));

TEST(DiamondCsv, EveryErrorOfARowIsReported) {
  InvalidRows invalid;
  auto table =
      Load(std::string(kHeader) + "x,Fine,E,VS2,61.5,55,,4.3,4.31,2.65\n", true, false, &invalid);
  ASSERT_FALSE(table.ok());
  ASSERT_EQ(invalid.errors.size(), 3u);
  EXPECT_EQ(invalid.errors[0].column, "carat");
  EXPECT_EQ(invalid.errors[1].column, "cut");
  EXPECT_EQ(invalid.errors[2].column, "price");
}

TEST(DiamondCsv, ImplausibleButWellFormedRowsAreNotLoadErrors) {
  auto table = Load(std::string(kHeader) + "1.02,Good,F,SI1,63.8,59.0,-1,6.31,6.27,4.01\n" +
                    "2.1,Premium,H,SI2,62.4,58.0,17200,0.0,0.0,0.0\n");
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->stones.size(), 2u);
}

TEST(DiamondCsv, SkipInvalidKeepsGoodRowsAndCountsBadOnes) {
  std::string text = kHeader;
  for (int i = 0; i < 150; ++i) text += "0.3,Fine,E,VS2,61.5,55,650,4.3,4.31,2.65\n";
  text += "0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,2.65\n";
  auto table = Load(text, true, /*skip_invalid=*/true);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->stones.size(), 1u);
  EXPECT_EQ(table->rows_read, 151);
  EXPECT_EQ(table->rows_invalid, 150);
  EXPECT_EQ(table->errors.size(), 100u);  // only the first 100 are kept
}

TEST(DiamondCsv, WithoutSkipAllBadRowsAreCountedBeforeFailing) {
  std::string text = kHeader;
  text += "0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,2.65\n";
  text += "0.3,Fine,E,VS2,61.5,55,650,4.3,4.31,2.65\n";
  text += "0.3,Ideal,E,VS2,61.5,55,650,4.3,4.31,oops\n";
  InvalidRows invalid;
  auto table = Load(text, true, false, &invalid);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(invalid.rows_invalid, 2);
  ASSERT_EQ(invalid.errors.size(), 2u);
  EXPECT_EQ(invalid.errors[1].row, 3);
  EXPECT_EQ(invalid.errors[1].column, "z");
}

TEST(DiamondCsv, QuoteValueEscapesAndTruncates) {
  EXPECT_EQ(QuoteValue("ok"), "'ok'");
  EXPECT_EQ(QuoteValue("a'b\n"), "'a\\x27b\\x0a'");
  EXPECT_EQ(QuoteValue(std::string(50, 'x')), "'" + std::string(40, 'x') + "...'");
}

}  // namespace
}  // namespace diamond
