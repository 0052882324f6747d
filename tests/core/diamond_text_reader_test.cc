// DiamondTextReader must read every text exactly as DiamondCsvReader does: the same
// outcomes, stones (bit for bit), raw records, line numbers, row errors and failures.
#include "core/diamond_text_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace diamond {
namespace {

constexpr char kHeader[] = "carat,cut,color,clarity,depth,table,price,x,y,z\n";

std::string Bits(double value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return std::to_string(bits);
}

std::string DescribeStone(const Diamond& s) {
  std::ostringstream out;
  out << Bits(s.carat) << ' ' << s.cut << ' ' << s.color << ' ' << s.clarity << ' ' << Bits(s.depth)
      << ' ' << Bits(s.table) << ' ' << (s.price ? Bits(*s.price) : "none") << ' ' << Bits(s.x)
      << ' ' << Bits(s.y) << ' ' << Bits(s.z);
  return out.str();
}

std::string DescribeErrors(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += std::to_string(e.row) + "/" + std::to_string(e.line) + "/" + e.column + "/" + e.message +
           ";";
  }
  return out;
}

// Everything a reader says about a text, one line per step.
template <typename Reader>
std::vector<std::string> Transcript(Reader& reader,
                                    std::string_view header_raw_of_reader(const Reader&),
                                    std::string_view raw_of(const Reader&),
                                    int64_t line_of(const Reader&)) {
  std::vector<std::string> steps;
  Status header = reader.ReadHeader();
  steps.push_back("header " + header.message() + " [" +
                  std::string(header.ok() ? header_raw_of_reader(reader) : "") + "]");
  if (!header.ok()) return steps;
  Diamond stone;
  while (true) {
    const auto outcome = reader.Next(&stone);
    if (outcome == DiamondCsvReader::Outcome::kEnd) {
      steps.push_back("end " + std::to_string(reader.rows_read()));
      break;
    }
    if (outcome == DiamondCsvReader::Outcome::kFailed) {
      steps.push_back("failed " + reader.status().message());
      break;
    }
    std::string step = "row " + std::to_string(reader.rows_read()) + " line " +
                       std::to_string(line_of(reader)) + " [" + std::string(raw_of(reader)) + "] ";
    step += outcome == DiamondCsvReader::Outcome::kStone
                ? "stone " + DescribeStone(stone)
                : "invalid " + DescribeErrors(reader.row_errors());
    steps.push_back(step);
  }
  return steps;
}

std::vector<std::string> Streaming(std::string_view text, DiamondCsvOptions options) {
  StringSource source(text);
  DiamondCsvReader reader(source, options);
  return Transcript<DiamondCsvReader>(
      reader, [](const DiamondCsvReader& r) { return std::string_view(r.header().raw); },
      [](const DiamondCsvReader& r) { return r.record().raw; },
      [](const DiamondCsvReader& r) { return r.record().line; });
}

std::vector<std::string> InMemory(std::string_view text, DiamondCsvOptions options) {
  DiamondTextReader reader(text, options);
  return Transcript<DiamondTextReader>(
      reader, [](const DiamondTextReader& r) { return r.header_raw(); },
      [](const DiamondTextReader& r) { return r.record_raw(); },
      [](const DiamondTextReader& r) { return r.record_line(); });
}

void ExpectSameAsStreaming(const std::string& text) {
  for (bool require_price : {false, true}) {
    for (int64_t first_line : {int64_t{1}, int64_t{41}}) {
      const DiamondCsvOptions options{.require_price = require_price, .first_line = first_line};
      EXPECT_EQ(InMemory(text, options), Streaming(text, options))
          << "text: " << text << "\nrequire_price " << require_price << ", first line "
          << first_line;
    }
  }
}

TEST(DiamondTextReader, ReadsPlainRowsAsTheStreamingReaderDoes) {
  ExpectSameAsStreaming(std::string(kHeader) +
                        "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\n"
                        "1.05,Very Good,D,FL,61.9,56.0,,6.55,6.59,4.07\n"
                        "-0,Poor,Z,I3,0.000000000000001,999999999999999,1,0,0.1,10000\n");
}

TEST(DiamondTextReader, RowsTheFastPassLeavesAreJudgedWordForWord) {
  const char* rows[] = {
      " 0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",               // spaces to trim
      "0.23 ,\tIdeal ,E,SI2,61.5,55,326,3.95,3.98,2.43",            // and tabs
      "+0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",               // a plus sign
      "2.3e-1,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",              // an exponent
      "1.,Ideal,E,SI2,.5,55,326,3.95,3.98,2.43",                    // digits missing on one side
      "0.1234567890123456,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",  // 16 digits
      "nan,Ideal,E,SI2,inf,55,326,3.95,3.98,2.43",
      "0.23,ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",  // wrong case
      "0.23,Ideal,A,XX,61.5,55,326,3.95,3.98,2.43",   // unknown grades
      "0.23,,E,SI2,61.5,55,,3.95,3.98,",              // empty fields
      "0.23,Ideal,E,SI2,61.5,55,326",                 // too few fields
      "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43,extra,fields",
      "0.23,Ideal,E,SI2,61.5,55,32x6,3.95,3.98,2.43",     // a bad price
      "0.23,Ideal,E,SI2,61.5,55,  ,3.95,3.98,2.43",       // a blank price
      "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\r",    // CRLF
      "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\r\r",  // a CR that is data
      "\r",                                               // a blank line
      "",
      "x",
      "1-2,Ideal,E,SI2,6-1,55,326,3.95,3.98,2.43",
      "--1,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43",
      "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\x01",
  };
  for (const char* row : rows) {
    ExpectSameAsStreaming(std::string(kHeader) + row + "\n");
    ExpectSameAsStreaming(std::string(kHeader) + row);  // the last record has no newline
  }
}

TEST(DiamondTextReader, HeadersAndTheirEdgesAreReadAlike) {
  const char* texts[] = {
      "",
      "\n\n",
      "\r\n\r",
      "\xEF\xBB\xBF"
      "carat,cut,color,clarity,depth,table,x,y,z\n0.3,Good,J,VS1,60,58,4.3,4.3,2.7\n",
      "\n\r\ncarat,cut,color,clarity,depth,table,x,y,z\r\n\r\n0.3,Good,J,VS1,60,58,4.3,4.3,2.7\r\n",
      " Z "
      ",y,X,Price,id,clarity,color,cut,table,depth,CARAT\n4.07,6.59,6.55,4650,abc,SI2,H,Ideal,56,"
      "61.9,1.05\n",
      "carat,carat,cut,color,clarity,depth,table,x,y,z,cut\n1,2,Good,J,VS1,60,58,4.3,4.3,2.7,Bad\n",
      "carat,cut,colour,clarity\n1,Good,J,VS1\n",
      "carat,cut,color,clarity,depth,table,x,y,z",
      "\xEF\xBB",
  };
  for (const char* text : texts) ExpectSameAsStreaming(text);
}

TEST(DiamondTextReader, QuotedTextGoesToTheStreamingReader) {
  ExpectSameAsStreaming(std::string(kHeader) +
                        "0.23,\"Very Good\",E,SI2,61.5,55,326,3.95,3.98,2.43\n");
  ExpectSameAsStreaming(
      "\"carat\",cut,color,clarity,depth,table,x,y,z\n0.3,\"Go\nod\",J,VS1,60,58,4.3,4.3,2.7\n");
  ExpectSameAsStreaming(std::string(kHeader) + "0.23,\"Ideal,E,SI2\n");  // never closed
}

// Rows made of tokens picked at random, most of them valid: thousands of texts, each read
// by both readers.
TEST(DiamondTextReader, RandomTextsAreReadAsTheStreamingReaderReadsThem) {
  const std::vector<std::vector<std::string>> tokens = {
      {"0.23", "1.05", "2", "0", "-1", " 0.5", "1e0", "", "0.1234567890123456", "10001", "x"},
      {"Ideal", "Very Good", "Poor", "Fair", "Good", "Premium", "ideal", " Good", "", "Ideall"},
      {"D", "E", "J", "Z", "A", "d", "", " F", "DE"},
      {"I3", "SI2", "VVS1", "IF", "FL", "I1", "VS", "", "SI2 "},
      {"61.5", "60", "-0.0", "1.", "+2", "59.9999"},
      {"55", "57.5", "", "1e400"},
      {"326", "", "  ", "18823", "-5", "nan"},
      {"3.95", "0.1", "0.09", "0", "10000", "10000.01", "4"},
      {"3.98", "4.0", "", "abc"},
      {"2.43", "2.5", "0.1", "20000"},
  };
  std::mt19937 random(20261130);
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  for (int text_number = 0; text_number < 3000; ++text_number) {
    std::string text = kHeader;
    const int rows = 1 + static_cast<int>(random() % 6);
    for (int r = 0; r < rows; ++r) {
      const bool valid = random() % 3 != 0;
      for (size_t column = 0; column < tokens.size(); ++column) {
        if (column > 0) text += ',';
        text += valid ? tokens[column][0 + random() % 2] : pick(tokens[column]);
      }
      if (random() % 10 == 0) text += random() % 2 ? ",extra" : "\r";
      if (random() % 15 == 0) text += "\n";  // a blank line
      if (r + 1 < rows || random() % 2) text += '\n';
    }
    ExpectSameAsStreaming(text);
    if (HasFailure()) return;  // one clear report, not thousands
  }
}

TEST(DiamondColumns, PlainRecordsDecodeAsToStoneDoes) {
  std::vector<std::string_view> header = {"carat", "cut",   "color", "clarity", "depth",
                                          "table", "price", "x",     "y",       "z"};
  auto columns = DiamondColumns::FromHeader(header, false);
  ASSERT_TRUE(columns.ok());
  const std::string record = "0.23,Very Good,E,SI2,61.5,55,326,3.95,3.98,2.43";
  Diamond fast;
  ASSERT_TRUE(columns->ParsePlainRecord(record, &fast));  // the fast pass takes a plain row
  Diamond general;
  std::vector<FieldError> errors;
  ASSERT_TRUE(columns->ToStone(
      {"0.23", "Very Good", "E", "SI2", "61.5", "55", "326", "3.95", "3.98", "2.43"}, 1, 2,
      &general, &errors));
  EXPECT_EQ(DescribeStone(fast), DescribeStone(general));
  EXPECT_FALSE(
      columns->ParsePlainRecord(" 0.23,Very Good,E,SI2,61.5,55,326,3.95,3.98,2.43", &fast));
}

}  // namespace
}  // namespace diamond
