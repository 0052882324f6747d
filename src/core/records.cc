#include "core/records.h"

#include <array>

namespace diamond {

std::string_view ModelStatusName(ModelStatus status) {
  switch (status) {
    case ModelStatus::kTraining:
      return "training";
    case ModelStatus::kReady:
      return "ready";
    case ModelStatus::kFailed:
      return "failed";
  }
  return "";
}

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "";
}

std::optional<JobState> JobStateNamed(std::string_view name) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded,
                         JobState::kFailed, JobState::kCancelled}) {
    if (JobStateName(state) == name) return state;
  }
  return std::nullopt;
}

bool IsFinished(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

namespace {

constexpr std::array<std::string_view, 2> kUploadFormatNames{"csv", "json"};
constexpr std::array<std::string_view, 2> kUploadModeNames{"replace", "append"};
constexpr std::array<std::string_view, 3> kUploadStateNames{"open", "completing", "completed"};

template <typename Enum, size_t N>
std::optional<Enum> Named(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view UploadFormatName(UploadFormat format) {
  return kUploadFormatNames[static_cast<size_t>(format)];
}
std::string_view UploadModeName(UploadMode mode) {
  return kUploadModeNames[static_cast<size_t>(mode)];
}
std::string_view UploadStateName(UploadState state) {
  return kUploadStateNames[static_cast<size_t>(state)];
}
std::optional<UploadFormat> UploadFormatNamed(std::string_view name) {
  return Named<UploadFormat>(kUploadFormatNames, name);
}
std::optional<UploadMode> UploadModeNamed(std::string_view name) {
  return Named<UploadMode>(kUploadModeNames, name);
}
std::optional<UploadState> UploadStateNamed(std::string_view name) {
  return Named<UploadState>(kUploadStateNames, name);
}

}  // namespace diamond
