#include "app/progress.h"

#include <unistd.h>

#include <cstdio>

namespace diamond::app {

ProgressBar::ProgressBar(std::string label, int64_t total_bytes)
    : enabled_(::isatty(STDERR_FILENO) == 1),
      label_(std::move(label)),
      total_(total_bytes),
      last_draw_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::Advance(int64_t bytes) {
  if (!enabled_) return;
  done_ += bytes;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void ProgressBar::Draw() {
  drawn_ = true;
  const double mib = static_cast<double>(done_) / (1 << 20);
  if (total_ <= 0) {
    std::fprintf(stderr, "\r%s %.1f MiB", label_.c_str(), mib);
  } else {
    constexpr int kWidth = 30;
    const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %3.0f%% %.1f MiB", label_.c_str(), bar.c_str(), fraction * 100,
                 mib);
  }
  std::fflush(stderr);
}

}  // namespace diamond::app
