// Helpers shared by the tests: temporary directories, files, running the binary, and
// where the reference data is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/diamond.h"

namespace diamond::testing {

// ../shared/data/diamonds.csv (or $DIAMOND_DATA_DIR/diamonds.csv), if it exists.
std::optional<std::filesystem::path> ReferenceCsv();

// All stones of the reference data; the file must exist.
std::vector<Diamond> LoadReferenceStones();

// `n` made-up stones (no rows of the reference data) whose log price depends on carat and
// clarity plus noise; the same (n, seed) gives the same stones.
std::vector<Diamond> SyntheticStones(size_t n, uint64_t seed);

// A fresh directory removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, const std::string& contents);
std::string ReadFile(const std::filesystem::path& path);

// Writes stones as CSV (header carat,cut,color,clarity,depth,table,price,x,y,z) with
// every double at full precision, so a reader gets back exactly the same values.
std::string StonesToCsv(const std::vector<Diamond>& stones);

// One column's values, row by row, from CSV whose fields hold no commas or quotes (what
// GET /datasets/{id}/rows returns for stones); empty when the header has no such column.
std::vector<std::string> CsvColumn(const std::string& csv, const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) with optional stdin text, capturing stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text = "");

}  // namespace diamond::testing
