#include "core/csv_chunker.h"

#include <gtest/gtest.h>

#include <random>

#include "core/csv_reader.h"

namespace diamond {
namespace {

// Every record of a source with its line, then how reading ended ("" = at the end).
using Lines = std::vector<std::pair<int64_t, std::string>>;
Lines Records(ByteSource& source, int64_t first_line = 1, bool skip_header = false) {
  CsvReader reader(source, 64, first_line);
  Lines out;
  CsvRecord record;
  bool header = skip_header;
  while (reader.Next(&record)) {
    if (header) {
      header = false;
      continue;
    }
    std::string joined;
    for (auto f : record.fields) joined += std::string(f) + "|";
    out.emplace_back(record.line, joined);
  }
  if (!reader.status().ok()) out.emplace_back(-1, reader.status().message());
  return out;
}

// Reading the chunks one after the other gives the same records on the same lines as
// reading the whole input, for any target size, up to the same error if the input has one.
void ExpectChunksReadAsTheWhole(const std::string& csv) {
  StringSource whole(csv);
  auto expected = Records(whole);
  ASSERT_FALSE(expected.empty());
  if (expected.front().first == -1) return;  // the header itself is malformed
  expected.erase(expected.begin());          // the header, which every chunk repeats
  for (size_t target : {1, 2, 3, 7, 16, 64, 1000, 1 << 20}) {
    StringSource source(csv);
    CsvChunker chunker(source, target);
    CsvChunk chunk;
    Lines got;
    int64_t index = 0;
    while (true) {
      auto more = chunker.Next(&chunk);
      ASSERT_TRUE(more.ok());
      if (!*more) break;
      EXPECT_EQ(chunk.index, index++);
      StringSource text(chunk.text);
      auto records = Records(text, chunk.first_line_of_text, /*skip_header=*/true);
      got.insert(got.end(), records.begin(), records.end());
      if (!got.empty() && got.back().first == -1) break;  // a malformed record ends the input
    }
    EXPECT_EQ(got, expected) << "target " << target;
  }
}

TEST(CsvChunker, CutsOnlyBetweenRecords) {
  ExpectChunksReadAsTheWhole("a,b\n1,2\n3,4\n5,6\n");
  ExpectChunksReadAsTheWhole("a,b\r\n1,2\r\n\r\n3,4");  // CRLF, a blank line, no final newline
  ExpectChunksReadAsTheWhole("\xEF\xBB\xBF\n\n\"a\nA\",b\n\"x\ny\",\"\"\"\"\n\"q,\"\"\n\",2\n");
  ExpectChunksReadAsTheWhole(
      "a,b\nx\"y,\"z\"\n\"\",\"\"\"\n,\"\n");  // a quote inside an unquoted field is text
}

TEST(CsvChunker, RandomQuotedInputsReadTheSame) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab,\"\n\r ";
  for (int round = 0; round < 200; ++round) {
    std::string csv = "h1,h2\n";
    const int records = 1 + static_cast<int>(rng() % 20);
    for (int r = 0; r < records; ++r) {
      const int fields = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < fields; ++f) {
        if (f > 0) csv += ',';
        if (rng() % 2) {
          csv += '"';
          for (int i = static_cast<int>(rng() % 6); i > 0; --i) {
            char c = alphabet[rng() % alphabet.size()];
            csv += c == '"' ? std::string("\"\"") : std::string(1, c);
          }
          csv += '"';
        } else {
          for (int i = static_cast<int>(rng() % 6); i > 0; --i) csv += "ab x\""[rng() % 5];
        }
      }
      csv += rng() % 2 ? "\n" : "\r\n";
    }
    ExpectChunksReadAsTheWhole(csv);
  }
}

TEST(CsvChunker, EmptyAndHeaderOnlyInputsGiveOneChunk) {
  for (std::string csv : {"", "a,b", "a,b\n", "\n\n"}) {
    StringSource source(csv);
    CsvChunker chunker(source, 4);
    CsvChunk chunk;
    ASSERT_TRUE(*chunker.Next(&chunk));
    EXPECT_EQ(chunk.text, csv);
    EXPECT_FALSE(*chunker.Next(&chunk));
  }
}

TEST(CsvChunker, EndOfLastRecordFollowsTheReadersQuoting) {
  EXPECT_EQ(EndOfLastCsvRecord(""), 0u);
  EXPECT_EQ(EndOfLastCsvRecord("1,2"), 0u);
  EXPECT_EQ(EndOfLastCsvRecord("1,2\n3"), 4u);
  EXPECT_EQ(EndOfLastCsvRecord("\"1\n2\",3\n\"4\n"), 8u);  // the last record is still open
  EXPECT_EQ(EndOfLastCsvRecord("a\"b\n"), 4u);             // not a quoted field
  EXPECT_EQ(EndOfLastCsvRecord("\"a\"\"\n\"\n"), 7u);      // "" is a quote inside one
}

}  // namespace
}  // namespace diamond
