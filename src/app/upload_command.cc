// diamond upload: a file of any size into a dataset through the multipart upload API
// (docs/api.md, "Uploads in parts"): parts read from the file and sent `--parallel` at a
// time with their SHA-256 (the server refuses a part that arrived different, and the
// SHA-256 it answers is checked too), then one completion. What was sent is remembered in
// FILE.diamond-upload, so a run that was interrupted resumes: the parts the server already
// holds with the right hash are not sent again.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "app/api_client.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/progress.h"
#include "core/sha256.h"

namespace diamond::app {
namespace {

constexpr std::string_view kCommand = "upload";
constexpr int64_t kDefaultPartBytes = 16 << 20;
constexpr int64_t kMaxParts = 10000;
constexpr int kTries = 3;  // per part, for connection failures and 5xx answers

using nlohmann::json;

// What a later run needs to resume: which upload, of which file, cut how.
struct ResumeState {
  std::string server, dataset, mode, format, upload_id;
  int64_t file_size = 0, file_mtime = 0, part_bytes = 0;

  json ToJson() const {
    return {{"server", server},         {"dataset", dataset},      {"mode", mode},
            {"format", format},         {"upload_id", upload_id},  {"file_size", file_size},
            {"file_mtime", file_mtime}, {"part_bytes", part_bytes}};
  }
  bool SameRun(const ResumeState& other) const {
    return server == other.server && dataset == other.dataset && mode == other.mode &&
           format == other.format && file_size == other.file_size && file_mtime == other.file_mtime;
  }
};

std::optional<ResumeState> ReadState(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  json j = json::parse(in, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    return ResumeState{j.at("server"),     j.at("dataset"),   j.at("mode"),
                       j.at("format"),     j.at("upload_id"), j.at("file_size"),
                       j.at("file_mtime"), j.at("part_bytes")};
  } catch (const json::exception&) {
    return std::nullopt;  // not ours, or damaged: start a new upload
  }
}

Status WriteState(const std::string& path, const ResumeState& state) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << state.ToJson().dump() << "\n";
    if (!out.flush()) return Status::IoError("cannot write " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::IoError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

Status Refused(const std::string& what, const ApiAnswer& answer) {
  const std::string message = what + ": " + answer.Describe();
  return answer.status >= 500 ? Status::IoError(message) : Status::InvalidArgument(message);
}

// A large upload completes in a job on the server (202): follows the upload until it is
// completed, or open again with the reason the job failed. Answers as the completion in
// the request would have: 200 with the version, or the problem.
Result<ApiAnswer> FollowCompletion(ApiClient& client, const std::string& upload_id) {
  std::cerr << "diamond upload: the server completes the upload in a job; waiting" << std::endl;
  while (true) {
    auto answer = client.Request("GET", "/uploads/" + upload_id);
    if (!answer.ok()) return answer.status();
    if (answer->status != 200) return *answer;
    auto upload = answer->Json();
    if (!upload.ok()) return upload.status();
    const std::string state = upload->value("state", "");
    if (state == "open") {
      const json problem = upload->value("last_error", json::object());
      return ApiAnswer{problem.value("status", 500L), problem.dump()};
    }
    if (state == "completed") {
      const std::string dataset = upload->value("dataset_id", "");
      const int64_t version = upload->value("dataset_version", int64_t{0});
      auto described = client.Request("GET", "/datasets/" + dataset);
      if (!described.ok()) return described.status();
      auto body = described->Json();
      if (!body.ok()) return body.status();
      for (const auto& v : body->value("versions", json::array())) {
        if (v.value("version", int64_t{0}) != version) continue;
        json out = v;
        out["dataset_id"] = dataset;
        return ApiAnswer{200, out.dump()};
      }
      return ApiAnswer{200, json{{"dataset_id", dataset}, {"version", version}}.dump()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// Reads part n (1-based) of the file.
Result<std::string> ReadPart(std::ifstream& in, int64_t n, int64_t part_bytes, int64_t file_size) {
  const int64_t offset = (n - 1) * part_bytes;
  std::string bytes(static_cast<size_t>(std::min(part_bytes, file_size - offset)), '\0');
  in.seekg(offset);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
    return Status::IoError("cannot read part " + std::to_string(n));
  return bytes;
}

// Sends one part (retrying connection failures and 5xx) and checks the hash it answers.
Status SendPart(ApiClient& client, const std::string& upload_id, int64_t n,
                const std::string& bytes, const std::string& sha256) {
  Status last;
  for (int attempt = 1; attempt <= kTries; ++attempt) {
    auto answer =
        client.Request("PUT", "/uploads/" + upload_id + "/parts/" + std::to_string(n), bytes,
                       {"Content-Type: application/octet-stream", "x-checksum-sha256: " + sha256});
    if (answer.ok() && answer->status == 200) {
      auto body = answer->Json();
      if (!body.ok() || body->value("sha256", std::string()) != sha256) {
        return Status::IoError("part " + std::to_string(n) +
                               ": the server stored different bytes than were sent");
      }
      return Status::Ok();
    }
    last = answer.ok() ? Refused("part " + std::to_string(n), *answer) : answer.status();
    if (last.code() != StatusCode::kIoError) return last;  // a 4xx: sending again will not help
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
  return last;
}

}  // namespace

int RunUpload(const UploadArgs& args) {
  auto fail = [](const Status& s) {
    PrintError(kCommand, s.message());
    return ExitCodeFor(s);
  };
  auto key = ApiKeyFromEnvironment();
  if (!key.ok()) return fail(key.status());
  struct stat info {};
  if (::stat(args.file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return fail(Status::InvalidArgument("cannot read " + args.file + ": not a regular file"));
  }
  if (info.st_size == 0) return fail(Status::InvalidArgument(args.file + " is empty"));
  ResumeState state;
  state.server = args.server;
  state.dataset = args.dataset;
  state.mode = args.mode;
  state.format =
      !args.format.empty() ? args.format : (args.file.ends_with(".json") ? "json" : "csv");
  state.file_size = info.st_size;
  state.file_mtime = info.st_mtime;
  const std::string state_path = args.file + ".diamond-upload";

  ApiClient client(args.server, *key);
  // The parts the server holds already (number → SHA-256), when resuming.
  std::map<int64_t, std::string> received;
  if (auto previous = ReadState(state_path); previous && previous->SameRun(state)) {
    auto answer = client.Request("GET", "/uploads/" + previous->upload_id);
    if (!answer.ok()) return fail(answer.status());
    auto body = answer->Json();
    // "completing": every part is there; completing again follows the job already at it.
    if (answer->status == 200 && body.ok() &&
        (body->value("state", "") == "open" || body->value("state", "") == "completing")) {
      state = *previous;
      for (const auto& p : (*body)["parts"])
        received[p.value("part", int64_t{0})] = p.value("sha256", "");
      std::cerr << "diamond upload: resuming upload " << state.upload_id << " (" << received.size()
                << " part(s) already on the server)" << std::endl;
    } else if (answer->status == 200 && body.ok() && body->value("state", "") == "completed") {
      std::cerr << "diamond upload: " << args.file << " was already uploaded as version "
                << body->value("dataset_version", int64_t{0}) << " of dataset " << args.dataset
                << std::endl;
      std::filesystem::remove(state_path);
      return kExitOk;
    } else {
      std::cerr << "diamond upload: the earlier upload is gone (" << answer->Describe()
                << "); starting again" << std::endl;
    }
  }
  if (state.upload_id.empty()) {
    auto answer = client.Request("POST", "/datasets/" + args.dataset + "/uploads",
                                 json{{"format", state.format}, {"mode", state.mode}}.dump(),
                                 {"Content-Type: application/json"});
    if (!answer.ok()) return fail(answer.status());
    if (answer->status != 201) return fail(Refused("cannot open an upload", *answer));
    auto body = answer->Json();
    if (!body.ok()) return fail(body.status());
    state.upload_id = body->value("upload_id", "");
    const int64_t min_part = body->value("min_part_bytes", int64_t{1});
    const int64_t max_part = body->value("max_part_bytes", kDefaultPartBytes);
    int64_t part = args.part_bytes > 0
                       ? args.part_bytes
                       : std::max(kDefaultPartBytes, (state.file_size + kMaxParts - 1) / kMaxParts);
    part = std::clamp(part, std::min(min_part, max_part), max_part);
    if ((state.file_size + part - 1) / part > kMaxParts) {
      return fail(Status::InvalidArgument(args.file + " needs more than 10,000 parts of at most " +
                                          std::to_string(max_part) +
                                          " bytes: it is larger than one upload can hold"));
    }
    state.part_bytes = part;
    if (Status s = WriteState(state_path, state); !s.ok()) return fail(s);
  }

  const int64_t parts = (state.file_size + state.part_bytes - 1) / state.part_bytes;
  ProgressBar progress("uploading " + args.file, state.file_size);
  std::mutex progress_mutex;
  std::atomic<int64_t> next{1};
  std::mutex error_mutex;
  Status first_error;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    ApiClient own(args.server, *key);
    std::ifstream in(args.file, std::ios::binary);
    for (int64_t n = next++; n <= parts && !failed; n = next++) {
      auto bytes = ReadPart(in, n, state.part_bytes, state.file_size);
      Status s = bytes.status();
      if (bytes.ok()) {
        const std::string sha = Sha256Hex(*bytes);
        auto held = received.find(n);
        if (held == received.end() || held->second != sha)
          s = SendPart(own, state.upload_id, n, *bytes, sha);
      }
      if (!s.ok()) {
        std::lock_guard lock(error_mutex);
        if (first_error.ok()) first_error = s;
        failed = true;
        return;
      }
      std::lock_guard lock(progress_mutex);
      progress.Advance(static_cast<int64_t>(bytes->size()));
    }
  };
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < std::max(1, args.parallel); ++i) threads.emplace_back(worker);
  }
  if (!first_error.ok()) {
    PrintError(kCommand, first_error.message() + " (run the same command again to resume)");
    return ExitCodeFor(first_error);
  }

  auto done = client.Request("POST", "/uploads/" + state.upload_id + "/complete");
  if (done.ok() && done->status == 202) done = FollowCompletion(client, state.upload_id);
  if (!done.ok())
    return fail(
        Status::IoError(done.status().message() + " (run the same command again to resume)"));
  if (done->status != 200) {
    Status refused = Refused("the server refused the upload", *done);
    // Bad rows: the upload is useless as it is; a new run starts a new one.
    if (done->status == 422 || done->status == 400) std::filesystem::remove(state_path);
    return fail(refused);
  }
  std::filesystem::remove(state_path);
  auto body = done->Json();
  if (!body.ok()) return fail(body.status());
  std::cout << "dataset " << body->value("dataset_id", "") << " version "
            << body->value("version", int64_t{0}) << ": " << body->value("rows", int64_t{0})
            << " rows, " << body->value("bytes", int64_t{0}) << " bytes, sha256 "
            << body->value("sha256", "") << std::endl;
  return kExitOk;
}

}  // namespace diamond::app
