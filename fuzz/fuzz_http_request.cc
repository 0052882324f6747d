// libFuzzer target: the HTTP request path without sockets — routing, query parsing,
// path-parameter decoding, body parsing and every handler — through Api::Handle, on real
// services (SQLite in memory, blobs in a temporary directory). The input is split as
//   METHOD \n TARGET \n CONTENT-TYPE[|AUTHORIZATION] \n BODY
// Requests carry the admin's key (on an unlimited plan, so handlers stay reachable)
// unless the third line has a '|': what follows it is sent as the Authorization header,
// which fuzzes the gate's key parsing. Every response must be a well-formed status; no
// input may crash the process.
#include <unistd.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "accounts/account_admin.h"
#include "app/api_stack.h"
#include "app/backends.h"
#include "base/logger.h"

namespace {

using namespace diamond;

std::string& AdminKey() {
  static std::string key;
  return key;
}

// The services under test, built once per fuzzing process.
std::unique_ptr<app::ApiStack> MakeStack() {
  SetLogLevel(LogLevel::kError);
  app::StackOptions options;
  const std::filesystem::path blob_dir =
      std::filesystem::temp_directory_path() / ("diamond-fuzz-" + std::to_string(::getpid()));
  options.api.access_log = false;
  options.api.default_wait_seconds = 0;  // never block the fuzzer on training
  options.app.admin_key_file = blob_dir.string() + "-admin.key";
  std::filesystem::remove(options.app.admin_key_file);
  auto stores =
      std::move(app::OpenBackends({"sqlite::memory:", "file:" + blob_dir.string()})).value();
  auto stack = std::move(app::ApiStack::Open(options, std::move(stores))).value();
  std::ifstream key_file(options.app.admin_key_file);
  std::getline(key_file, AdminKey());
  std::filesystem::remove(options.app.admin_key_file);
  auto& accounts = stack->accounts();
  if (!accounts.store().PutPlan(accounts::UnlimitedPlan("fuzz")).ok() ||
      !accounts.store().UpdateUser("admin", std::nullopt, "fuzz", std::nullopt).ok() ||
      !accounts.Reload().ok()) {
    __builtin_trap();
  }
  return stack;
}

std::string_view NextLine(std::string_view* rest) {
  const size_t end = rest->find('\n');
  std::string_view line = rest->substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<app::ApiStack> stack = MakeStack();
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  http::HttpRequest request;
  request.method = std::string(NextLine(&rest));
  std::string target(NextLine(&rest));
  if (target.empty() || target[0] != '/') target = "/" + target;
  const size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos &&
      !http::ParseQueryString(std::string_view(target).substr(question + 1), &request.query)) {
    return 0;  // the server answers 400 before the Api sees it
  }
  std::string_view type = NextLine(&rest);
  const size_t bar = type.find('|');
  if (bar == std::string_view::npos) {
    request.headers.emplace_back("authorization", "Bearer " + AdminKey());
  } else {
    request.headers.emplace_back("authorization", std::string(type.substr(bar + 1)));
    type = type.substr(0, bar);
  }
  if (!type.empty()) request.headers.emplace_back("content-type", std::string(type));
  request.body = std::string(rest);

  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int status = 0;
  stack->api().Handle(std::move(request), [&](http::HttpResponse response) {
    std::lock_guard lock(mutex);
    status = response.status;
    done = true;
    done_cv.notify_one();
  });
  std::unique_lock lock(mutex);
  done_cv.wait(lock, [&] { return done; });
  if (status < 200 || status > 599 || status == 500) __builtin_trap();  // 500 = a bug
  return 0;
}
