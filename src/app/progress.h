// A progress bar on stderr for long inputs, drawn only when stderr is a terminal
// (never in logs or pipes). Updated at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace diamond::app {

class ProgressBar {
 public:
  // total_bytes < 0 means unknown (a pipe): the bar then shows bytes read.
  ProgressBar(std::string label, int64_t total_bytes);
  ~ProgressBar();  // clears the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Advance(int64_t bytes);

 private:
  void Draw();

  bool enabled_;
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace diamond::app
