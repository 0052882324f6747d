#include "core/inference_request.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/diamond_json.h"
#include "core/grades.h"
#include "core/json_scratch.h"

namespace diamond {
namespace {

namespace od = simdjson::ondemand;

// The stone columns, in the order the protocol's metadata lists them.
constexpr std::array<std::string_view, 9> kColumns = {"carat", "depth", "table", "x",      "y",
                                                      "z",     "cut",   "color", "clarity"};
constexpr size_t kFirstGrade = 6;

std::optional<size_t> ColumnOf(std::string_view name) {
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (kColumns[i] == name) return i;
  }
  return std::nullopt;
}

// A problem with the request's content (not its syntax), reported as is.
struct Refused {
  std::string message;
};

// More stones than one request may price: found from the shape, or at the first element
// past the limit, before anything more is stored (an 8 MiB body of numbers held +427 MB).
struct TooManyRows {
  std::string message;
};

// One tensor as it arrives: its fields may come in any order, so the data is kept until
// the name and datatype say what it is.
struct RawTensor {
  size_t max_rows = SIZE_MAX;
  std::string name;
  std::string datatype;
  std::vector<int64_t> shape;
  bool has_shape = false;
  bool has_data = false;
  std::vector<double> numbers;
  std::vector<std::string_view> strings;  // into the parser's buffer, valid until the next parse
  const char* bad_element = nullptr;      // the first element that is neither: its JSON type
  size_t bad_index = 0;
  size_t first_number = SIZE_MAX, first_string = SIZE_MAX;  // element indexes, for messages

  // Ready for the next tensor, keeping the buffers' capacity.
  void Reset() {
    name.clear();
    datatype.clear();
    shape.clear();
    has_shape = has_data = false;
    numbers.clear();
    strings.clear();
    bad_element = nullptr;
    bad_index = 0;
    first_number = first_string = SIZE_MAX;
  }
};

simdjson::error_code ReadElements(od::value value, RawTensor* t, int depth) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  if (type == od::json_type::array) {
    if (depth > 2) throw Refused{"input '" + t->name + "': data nested deeper than its shape"};
    od::array array;
    if (auto e = value.get_array().get(array)) return e;
    for (auto element : array) {
      od::value v;
      if (auto e = element.get(v)) return e;
      if (auto e = ReadElements(v, t, depth + 1)) return e;
    }
    return simdjson::SUCCESS;
  }
  const size_t index = t->numbers.size() + t->strings.size() + (t->bad_element ? 1 : 0);
  if (index >= t->max_rows) {
    throw TooManyRows{"input '" + t->name + "' has more than " + std::to_string(t->max_rows) +
                      " elements: at most " + std::to_string(t->max_rows) + " stones per request"};
  }
  if (type == od::json_type::number) {
    double number = 0;
    if (auto e = value.get_double().get(number)) return e;
    t->first_number = std::min(t->first_number, index);
    t->numbers.push_back(number);
  } else if (type == od::json_type::string) {
    std::string_view text;
    if (auto e = value.get_string().get(text)) return e;
    t->first_string = std::min(t->first_string, index);
    t->strings.push_back(text);
  } else if (!t->bad_element) {
    t->bad_element = type == od::json_type::object    ? "an object"
                     : type == od::json_type::boolean ? "a boolean"
                                                      : "null";
    t->bad_index = index;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code ReadTensor(od::object object, RawTensor* t) {
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value value;
    if (auto e = field.value().get(value)) return e;
    if (key == "name" || key == "datatype") {
      std::string_view text;
      if (value.get_string().get(text))
        throw Refused{"every input's '" + std::string(key) + "' must be a string"};
      (key == "name" ? t->name : t->datatype) = std::string(text);
    } else if (key == "shape") {
      od::array dims;
      if (value.get_array().get(dims))
        throw Refused{"every input's 'shape' must be an array of sizes"};
      t->has_shape = true;
      for (auto dim : dims) {
        int64_t size = 0;
        if (dim.get_int64().get(size) || size < 0)
          throw Refused{"every input's 'shape' must be an array of sizes"};
        if (t->shape.empty() && static_cast<uint64_t>(size) > t->max_rows) {
          throw TooManyRows{"input '" + t->name + "' has shape [" + std::to_string(size) +
                            ", …]: at most " + std::to_string(t->max_rows) + " stones per request"};
        }
        t->shape.push_back(size);
      }
    } else if (key == "data") {
      t->has_data = true;
      if (auto e = ReadElements(value, t, 0)) return e;
    }
    // "parameters" and anything else: On-Demand skips what is not read.
  }
  return simdjson::SUCCESS;
}

// Checks one tensor against the column it names and stores its values into the stones.
void StoreTensor(const RawTensor& t, std::vector<Diamond>* stones, std::optional<size_t>* rows,
                 std::array<bool, kColumns.size()>* seen) {
  if (t.name.empty()) throw Refused{"every input needs a 'name'"};
  auto column = ColumnOf(t.name);
  if (!column)
    throw Refused{"unknown input '" + t.name +
                  "' (the inputs are carat, cut, color, clarity, depth, table, x, y, z)"};
  if ((*seen)[*column]) throw Refused{"input '" + t.name + "' is given twice"};
  (*seen)[*column] = true;
  const bool grade = *column >= kFirstGrade;
  const bool number_type = t.datatype == "FP64" || t.datatype == "FP32" || t.datatype == "INT64" ||
                           t.datatype == "INT32";
  if (grade ? t.datatype != "BYTES" : !number_type) {
    throw Refused{"input '" + t.name + "' must have datatype " +
                  (grade ? "BYTES" : "FP64 or FP32") + ", not '" + t.datatype + "'"};
  }
  if (!t.has_shape || t.shape.empty() || t.shape.size() > 2 ||
      (t.shape.size() == 2 && t.shape[1] != 1)) {
    throw Refused{"input '" + t.name + "' must have shape [N] or [N, 1]"};
  }
  const size_t n = static_cast<size_t>(t.shape[0]);
  if (*rows && **rows != n) {
    throw Refused{"input '" + t.name + "' has " + std::to_string(n) + " rows, the others " +
                  std::to_string(**rows)};
  }
  *rows = n;
  if (!t.has_data) throw Refused{"input '" + t.name + "' has no 'data'"};
  const size_t elements = t.numbers.size() + t.strings.size() + (t.bad_element ? 1 : 0);
  if (elements != n) {
    throw Refused{"input '" + t.name + "' has " + std::to_string(elements) +
                  " elements for shape [" + std::to_string(n) + "]"};
  }
  auto where = [&t] { return "input '" + t.name + "' element "; };  // for messages only
  if (t.bad_element)
    throw Refused{where() + std::to_string(t.bad_index) + ": " + t.bad_element + ", not a value"};
  if (grade && !t.numbers.empty())
    throw Refused{where() + std::to_string(t.first_number) + ": a number, not a grade"};
  if (!grade && !t.strings.empty())
    throw Refused{where() + std::to_string(t.first_string) + ": not a finite number"};
  if (stones->empty()) stones->resize(n);
  if (grade) {
    const GradeScale scale = *column == 6   ? GradeScale::kCut
                             : *column == 7 ? GradeScale::kColor
                                            : GradeScale::kClarity;
    for (size_t i = 0; i < n; ++i) {
      auto code = GradeCode(scale, t.strings[i]);
      if (!code) {
        throw Refused{where() + std::to_string(i) + ": unknown grade '" +
                      std::string(t.strings[i]) + "' (allowed: " + AllowedGradesText(scale) + ")"};
      }
      Diamond& s = (*stones)[i];
      (*column == 6 ? s.cut : *column == 7 ? s.color : s.clarity) = *code;
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(t.numbers[i]))
        throw Refused{where() + std::to_string(i) + ": not a finite number"};
      Diamond& s = (*stones)[i];
      double* slot = *column == 0   ? &s.carat
                     : *column == 1 ? &s.depth
                     : *column == 2 ? &s.table
                     : *column == 3 ? &s.x
                     : *column == 4 ? &s.y
                                    : &s.z;
      *slot = t.numbers[i];
    }
  }
}

simdjson::error_code ReadParameters(od::object object, InferenceRequest* out) {
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value value;
    if (auto e = field.value().get(value)) return e;
    if (key == "explain") {
      if (value.get_bool().get(out->explain))
        throw Refused{"parameter 'explain' must be true or false"};
    } else if (key == "interval") {
      double level = 0;
      if (value.get_double().get(level))
        throw Refused{"parameter 'interval' must be a level such as 0.9"};
      out->interval = level;
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code ReadOutputs(od::array array, InferenceRequest* out) {
  for (auto element : array) {
    od::object object;
    std::string_view name;
    if (element.get_object().get(object) ||
        object.find_field_unordered("name").get_string().get(name)) {
      throw Refused{"every requested output needs a 'name'"};
    }
    out->outputs.emplace_back(name);
  }
  return simdjson::SUCCESS;
}

simdjson::error_code Decode(od::document& doc, size_t max_rows, InferenceRequest* out) {
  od::object request;
  if (doc.get_object().get(request)) throw Refused{"the inference request must be a JSON object"};
  std::optional<size_t> rows;
  std::array<bool, kColumns.size()> seen{};
  bool has_inputs = false;
  RawTensor tensor;  // one at a time, its buffers reused
  tensor.max_rows = max_rows;
  for (auto field : request) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    od::value value;
    if (auto e = field.value().get(value)) return e;
    if (key == "inputs") {
      od::array inputs;
      if (value.get_array().get(inputs))
        throw Refused{"'inputs' must be a non-empty array of tensors"};
      for (auto element : inputs) {
        od::object object;
        if (element.get_object().get(object)) throw Refused{"every input must be a tensor object"};
        tensor.Reset();
        tensor.max_rows = max_rows;
        if (auto e = ReadTensor(object, &tensor)) return e;
        StoreTensor(tensor, &out->stones, &rows, &seen);
        has_inputs = true;
      }
    } else if (key == "parameters") {
      od::object parameters;
      if (value.get_object().get(parameters)) throw Refused{"'parameters' must be an object"};
      if (auto e = ReadParameters(parameters, out)) return e;
    } else if (key == "outputs") {
      od::array outputs;
      if (value.get_array().get(outputs)) throw Refused{"'outputs' must be an array"};
      if (auto e = ReadOutputs(outputs, out)) return e;
    } else if (key == "id") {
      std::string_view id;
      if (value.get_string().get(id)) throw Refused{"'id' must be a string"};
      out->id = std::string(id);
    }
  }
  if (!has_inputs) throw Refused{"'inputs' must be a non-empty array of tensors"};
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (!seen[i]) throw Refused{"input '" + std::string(kColumns[i]) + "' is missing"};
  }
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS ? simdjson::SUCCESS
                                                                   : simdjson::TRAILING_CONTENT;
}

}  // namespace

Result<InferenceRequest> DecodeInferenceRequest(std::string_view text, size_t max_rows) {
  TrimmedScratch scratch;  // this thread's parser, reused; before the document it holds
  InferenceRequest out;
  simdjson::error_code error;
  try {
    od::document doc;
    error = scratch->Iterate(text).get(doc);
    if (!error) error = Decode(doc, max_rows, &out);
  } catch (const Refused& refused) {
    return Status::InvalidArgument(refused.message);
  } catch (const TooManyRows& too_many) {
    return Status::LimitExceeded("max_predict_stones", static_cast<int64_t>(max_rows),
                                 too_many.message);
  }
  if (error) {
    // Rare path: ask nlohmann-json where the syntax is broken, for a message that says where.
    auto detailed = ParseJson(text);
    if (!detailed.ok()) return detailed.status();
    return Status::InvalidArgument(std::string("the body is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  return out;
}

}  // namespace diamond
