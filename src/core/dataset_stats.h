// Summary statistics of a dataset: per numeric column min/mean/max and how many rows have
// it, and per grade column the count of each grade. Mergeable, so appending rows to a
// dataset updates its statistics without rereading the old rows.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "core/diamond.h"
#include "core/status.h"

namespace diamond {

class DatasetStats {
 public:
  void Add(const Diamond& stone);
  void AddAll(std::span<const Diamond> stones);
  void Merge(const DatasetStats& other);

  int64_t rows() const { return rows_; }

  // {"rows": n, "columns": {"carat": {"count", "min", "mean", "max"}, ...},
  //  "grades": {"cut": {"Ideal": 12, ...}, ...}} plus the sums needed to merge.
  nlohmann::json ToJson() const;
  static Result<DatasetStats> FromJson(const nlohmann::json& json);

 private:
  struct Column {
    int64_t count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    void Add(double value);
    void Merge(const Column& other);
  };
  static constexpr size_t kNumericColumns = 7;  // carat, depth, table, price, x, y, z

  int64_t rows_ = 0;
  std::array<Column, kNumericColumns> columns_{};
  std::array<int64_t, 6> cuts_{};
  std::array<int64_t, 23> colors_{};
  std::array<int64_t, 11> clarities_{};
};

}  // namespace diamond
