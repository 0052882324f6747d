#include "core/json_scratch.h"

namespace diamond {
namespace {

JsonScratch& ThisThreadsScratch() {
  thread_local JsonScratch scratch;
  return scratch;
}

}  // namespace

simdjson::simdjson_result<simdjson::ondemand::document> JsonScratch::Iterate(
    std::string_view text) {
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  return parser.iterate(padded.data(), text.size(), padded.size());
}

TrimmedScratch::TrimmedScratch() : scratch_(ThisThreadsScratch()) {}

TrimmedScratch::~TrimmedScratch() {
  if (scratch_.padded.capacity() > JsonScratch::kKeepBytes) std::string().swap(scratch_.padded);
  // The parser's buffers are sized to the largest document it has parsed.
  if (scratch_.parser.capacity() > JsonScratch::kKeepBytes)
    scratch_.parser = simdjson::ondemand::parser{};
}

}  // namespace diamond
