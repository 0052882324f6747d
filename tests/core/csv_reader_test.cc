#include "core/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace diamond {
namespace {

// Hands out at most `chunk` bytes per read, to exercise every buffer boundary.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t count = std::min({n, chunk_, data_.size() - pos_});
    data_.copy(buf, count, pos_);
    pos_ += count;
    return count;
  }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
};

struct Parsed {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> raws;
  std::vector<int64_t> lines;
  Status status;
};

Parsed ParseAll(ByteSource& source, size_t buffer = 1 << 20) {
  CsvReader reader(source, buffer);
  Parsed parsed;
  CsvRecord record;
  while (reader.Next(&record)) {
    parsed.rows.emplace_back(record.fields.begin(), record.fields.end());
    parsed.raws.emplace_back(record.raw);
    parsed.lines.push_back(record.line);
  }
  parsed.status = reader.status();
  return parsed;
}

Parsed ParseString(const std::string& text) {
  StringSource source(text);
  return ParseAll(source);
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReader, SplitsPlainFieldsAndLines) {
  auto p = ParseString("a,b,c\n1,2,3\n");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.rows, (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(p.lines, (std::vector<int64_t>{1, 2}));
}

TEST(CsvReader, LastLineWithoutNewline) {
  auto p = ParseString("a,b\n1,2");
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReader, EmptyFieldsAreKept) {
  auto p = ParseString(",x,\n");
  EXPECT_EQ(p.rows, (Rows{{"", "x", ""}}));
}

TEST(CsvReader, QuotedFieldsWithDelimitersEscapesAndNewlines) {
  auto p =
      ParseString("name,note\n\"Very Good\",\"a, b\"\n\"say \"\"hi\"\"\",\"two\nlines\"\nz,1\n");
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  EXPECT_EQ(
      p.rows,
      (Rows{{"name", "note"}, {"Very Good", "a, b"}, {"say \"hi\"", "two\nlines"}, {"z", "1"}}));
  // The record with an embedded newline starts on line 3; the next one on line 5.
  EXPECT_EQ(p.lines, (std::vector<int64_t>{1, 2, 3, 5}));
}

TEST(CsvReader, CrLfLineEndsAreStripped) {
  auto p = ParseString("a,b\r\n1,\"2\"\r\n3,4\r\n");
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(p.raws, (std::vector<std::string>{"a,b", "1,\"2\"", "3,4"}));
}

TEST(CsvReader, Utf8ByteOrderMarkIsSkipped) {
  auto p = ParseString(
      "\xEF\xBB\xBF"
      "carat,cut\n1,Ideal\n");
  EXPECT_EQ(p.rows, (Rows{{"carat", "cut"}, {"1", "Ideal"}}));
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  auto p = ParseString("a\n\n\r\n1\n\n");
  EXPECT_EQ(p.rows, (Rows{{"a"}, {"1"}}));
  EXPECT_EQ(p.lines, (std::vector<int64_t>{1, 4}));
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  auto p = ParseString("");
  EXPECT_TRUE(p.status.ok());
  EXPECT_TRUE(p.rows.empty());
}

TEST(CsvReader, UnterminatedQuoteIsAnErrorWithItsLine) {
  auto p = ParseString("a\n\"open\n");
  EXPECT_FALSE(p.status.ok());
  EXPECT_NE(p.status.message().find("line 2"), std::string::npos) << p.status.message();
  EXPECT_NE(p.status.message().find("never closed"), std::string::npos);
}

// A line of commas is a million fields, each a span and a view: the reader refuses a record
// past kMaxFields before holding them (issue 30); exactly the limit is still a record.
TEST(CsvReader, ARecordWithMoreFieldsThanTheLimitIsAnError) {
  auto at_limit = ParseString(std::string(CsvReader::kMaxFields - 1, ',') + "\n");
  ASSERT_TRUE(at_limit.status.ok()) << at_limit.status.message();
  EXPECT_EQ(at_limit.rows.at(0).size(), CsvReader::kMaxFields);
  auto over = ParseString("a\n" + std::string(1u << 20, ',') + "\n");
  EXPECT_FALSE(over.status.ok());
  EXPECT_NE(over.status.message().find("line 2: a record has more than 1024 fields"),
            std::string::npos)
      << over.status.message();
  auto quoted = ParseString(std::string(CsvReader::kMaxFields, ',') + "\"x\"\n");
  EXPECT_FALSE(quoted.status.ok());
}

TEST(CsvReader, GarbageAfterClosingQuoteIsAnError) {
  auto p = ParseString("a,b\n\"x\"y,1\n");
  EXPECT_FALSE(p.status.ok());
  EXPECT_NE(p.status.message().find("line 2"), std::string::npos) << p.status.message();
}

TEST(CsvReader, SameResultWhateverTheChunkAndBufferSize) {
  const std::string text =
      "\xEF\xBB\xBF"
      "carat,cut,note\r\n0.3,\"Very Good\",\"multi\r\nline, \"\"quoted\"\"\"\r\n\r\n"
      "1.5,Ideal,plain\n2,Fair,\"\"\n";
  auto expected = ParseString(text);
  ASSERT_TRUE(expected.status.ok()) << expected.status.message();
  ASSERT_EQ(expected.rows.size(), 4u);
  for (size_t chunk : {1, 2, 3, 7, 64}) {
    for (size_t buffer : {64, 128, 4096}) {
      TrickleSource source(text, chunk);
      auto got = ParseAll(source, buffer);
      ASSERT_TRUE(got.status.ok()) << "chunk " << chunk << " buffer " << buffer;
      EXPECT_EQ(got.rows, expected.rows) << "chunk " << chunk << " buffer " << buffer;
      EXPECT_EQ(got.raws, expected.raws) << "chunk " << chunk << " buffer " << buffer;
      EXPECT_EQ(got.lines, expected.lines) << "chunk " << chunk << " buffer " << buffer;
    }
  }
}

TEST(CsvReader, RecordsLongerThanTheBufferGrowIt) {
  const std::string long_field(10000, 'x');
  const std::string text = "a,b\n" + long_field + ",1\n";  // outlives the source's view
  StringSource source(text);
  auto p = ParseAll(source, 64);
  ASSERT_TRUE(p.status.ok());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1][0], long_field);
}

TEST(CsvReader, IoErrorsAreReportedAsSuch) {
  class FailingSource final : public ByteSource {
   public:
    Result<size_t> Read(char*, size_t) override { return Status::IoError("disk on fire"); }
  } source;
  auto p = ParseAll(source);
  EXPECT_EQ(p.status.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace diamond
