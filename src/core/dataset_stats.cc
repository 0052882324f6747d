#include "core/dataset_stats.h"

#include <algorithm>

#include "core/grades.h"

namespace diamond {
namespace {

constexpr std::array<const char*, 7> kNumericNames = {"carat", "depth", "table", "price",
                                                      "x",     "y",     "z"};

}  // namespace

void DatasetStats::Column::Add(double value) {
  if (count == 0) {
    min = max = value;
  } else {
    min = std::min(min, value);
    max = std::max(max, value);
  }
  sum += value;
  ++count;
}

void DatasetStats::Column::Merge(const Column& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  sum += other.sum;
  count += other.count;
}

void DatasetStats::Add(const Diamond& s) {
  ++rows_;
  columns_[0].Add(s.carat);
  columns_[1].Add(s.depth);
  columns_[2].Add(s.table);
  if (s.price) columns_[3].Add(*s.price);
  columns_[4].Add(s.x);
  columns_[5].Add(s.y);
  columns_[6].Add(s.z);
  ++cuts_[static_cast<size_t>(s.cut)];
  ++colors_[static_cast<size_t>(s.color)];
  ++clarities_[static_cast<size_t>(s.clarity)];
}

void DatasetStats::AddAll(std::span<const Diamond> stones) {
  for (const auto& s : stones) Add(s);
}

void DatasetStats::Merge(const DatasetStats& other) {
  rows_ += other.rows_;
  for (size_t i = 0; i < kNumericColumns; ++i) columns_[i].Merge(other.columns_[i]);
  for (size_t i = 0; i < cuts_.size(); ++i) cuts_[i] += other.cuts_[i];
  for (size_t i = 0; i < colors_.size(); ++i) colors_[i] += other.colors_[i];
  for (size_t i = 0; i < clarities_.size(); ++i) clarities_[i] += other.clarities_[i];
}

nlohmann::json DatasetStats::ToJson() const {
  nlohmann::json columns = nlohmann::json::object();
  for (size_t i = 0; i < kNumericColumns; ++i) {
    const Column& c = columns_[i];
    nlohmann::json column = {{"count", c.count}, {"sum", c.sum}};
    if (c.count > 0) {
      column["min"] = c.min;
      column["mean"] = c.sum / static_cast<double>(c.count);
      column["max"] = c.max;
    } else {
      column["min"] = column["mean"] = column["max"] = nullptr;
    }
    columns[kNumericNames[i]] = column;
  }
  auto grade_counts = [](GradeScale scale, std::span<const int64_t> counts) {
    nlohmann::json out = nlohmann::json::object();
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > 0) out[std::string(GradeName(scale, static_cast<int>(i)))] = counts[i];
    }
    return out;
  };
  return {{"rows", rows_},
          {"columns", columns},
          {"grades",
           {{"cut", grade_counts(GradeScale::kCut, cuts_)},
            {"color", grade_counts(GradeScale::kColor, colors_)},
            {"clarity", grade_counts(GradeScale::kClarity, clarities_)}}}};
}

Result<DatasetStats> DatasetStats::FromJson(const nlohmann::json& json) {
  DatasetStats stats;
  try {
    stats.rows_ = json.at("rows").get<int64_t>();
    for (size_t i = 0; i < kNumericColumns; ++i) {
      const auto& c = json.at("columns").at(kNumericNames[i]);
      Column& column = stats.columns_[i];
      column.count = c.at("count").get<int64_t>();
      column.sum = c.at("sum").get<double>();
      if (column.count > 0) {
        column.min = c.at("min").get<double>();
        column.max = c.at("max").get<double>();
      }
    }
    auto read_grades = [&](const char* name, GradeScale scale, std::span<int64_t> counts) {
      for (const auto& [grade, count] : json.at("grades").at(name).items()) {
        auto code = GradeCode(scale, grade);
        if (!code) throw std::runtime_error("unknown grade " + grade);
        counts[static_cast<size_t>(*code)] = count.get<int64_t>();
      }
    };
    read_grades("cut", GradeScale::kCut, stats.cuts_);
    read_grades("color", GradeScale::kColor, stats.colors_);
    read_grades("clarity", GradeScale::kClarity, stats.clarities_);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("invalid dataset statistics: ") + e.what());
  }
  return stats;
}

}  // namespace diamond
