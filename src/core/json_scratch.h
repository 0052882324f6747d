// The simdjson parser and padded copy of the text that a thread decodes JSON bodies with,
// reused from call to call so that a typical body costs no allocation. Both grow to the
// largest body seen; without a bound they kept it for the thread's life (one refused
// 30 MiB predict: +154 MB, never returned; issue 30). TrimmedScratch gives back what a
// large body made them hold once its caller is done with the document.
// Included only by core's JSON decoders (it brings simdjson's header).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace diamond {

struct JsonScratch {
  // What is kept between calls: bodies up to this size decode without allocating.
  static constexpr size_t kKeepBytes = 1 << 20;

  simdjson::ondemand::parser parser;
  std::string padded;

  // The text copied with the padding simdjson reads ahead into, and iterated.
  simdjson::simdjson_result<simdjson::ondemand::document> Iterate(std::string_view text);
};

// This thread's scratch for as long as it lives; trimmed to kKeepBytes when it goes.
// Declare it before the document it iterates, so the document goes first.
class TrimmedScratch {
 public:
  TrimmedScratch();
  ~TrimmedScratch();
  TrimmedScratch(const TrimmedScratch&) = delete;
  TrimmedScratch& operator=(const TrimmedScratch&) = delete;
  JsonScratch& operator*() { return scratch_; }
  JsonScratch* operator->() { return &scratch_; }

 private:
  JsonScratch& scratch_;
};

}  // namespace diamond
