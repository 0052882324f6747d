// diamond batch: runs a batch prediction on the server (docs/api.md, "Batch predictions"),
// shows its progress, and downloads the priced CSV in byte ranges into OUT (written whole
// or not at all, like every output of this command line).
#include <iostream>
#include <thread>

#include "app/api_client.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "app/output_file.h"
#include "app/progress.h"

namespace diamond::app {
namespace {

constexpr std::string_view kCommand = "batch";
constexpr int64_t kRangeBytes = 8 << 20;  // one download request

using nlohmann::json;

Status Refused(const std::string& what, const ApiAnswer& answer) {
  const std::string message = what + ": " + answer.Describe();
  return answer.status >= 500 ? Status::IoError(message) : Status::InvalidArgument(message);
}

}  // namespace

int RunBatch(const BatchArgs& args) {
  auto fail = [](const Status& s) {
    PrintError(kCommand, s.message());
    return ExitCodeFor(s);
  };
  auto key = ApiKeyFromEnvironment();
  if (!key.ok()) return fail(key.status());
  auto output = OutputFile::Open(args.output);
  if (!output.ok()) return fail(output.status());
  ApiClient client(args.server, *key);
  json request = {{"dataset_id", args.dataset}, {"explain", args.explain}};
  if (args.interval > 0) request["interval"] = args.interval;
  auto accepted = client.Request("POST", "/models/" + args.model + "/batch-predictions",
                                 request.dump(), {"Content-Type: application/json"});
  if (!accepted.ok()) return fail(accepted.status());
  if (accepted->status != 202) return fail(Refused("the server refused the batch", *accepted));
  auto created = accepted->Json();
  if (!created.ok()) return fail(created.status());
  const std::string id = created->value("id", "");
  std::cerr << "diamond batch: batch " << id << " prices "
            << created->value("rows_total", int64_t{0}) << " rows" << std::endl;

  // Watch it run (the bar counts rows).
  json batch;
  {
    ProgressBar progress("pricing on the server", created->value("rows_total", int64_t{0}));
    int64_t shown = 0;
    while (true) {
      auto answer = client.Request("GET", "/batch-predictions/" + id);
      if (!answer.ok()) return fail(answer.status());
      if (answer->status != 200) return fail(Refused("cannot follow batch " + id, *answer));
      auto body = answer->Json();
      if (!body.ok()) return fail(body.status());
      batch = *body;
      const int64_t done = batch.value("rows_done", int64_t{0});
      progress.Advance(done - shown);
      shown = done;
      const std::string state = batch.value("state", "");
      if (state == "succeeded") break;
      if (state == "failed" || state == "cancelled") {
        return fail(Status::IoError("batch " + id + " " + state + ": " +
                                    batch.value("error", std::string("no reason given"))));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  // Download in ranges: no response holds more than kRangeBytes. The result ends with a
  // short range, or at a 416 when it ends exactly on a range's boundary.
  for (int64_t offset = 0;; offset += kRangeBytes) {
    auto answer = client.Request("GET", "/batch-predictions/" + id + "/result", {},
                                 {"Range: bytes=" + std::to_string(offset) + "-" +
                                  std::to_string(offset + kRangeBytes - 1)});
    if (!answer.ok()) return fail(answer.status());
    if (answer->status == 416 && offset > 0) break;
    if (answer->status != 206) return fail(Refused("cannot download the result", *answer));
    output->Write(answer->body);
    if (static_cast<int64_t>(answer->body.size()) < kRangeBytes) break;
  }
  if (Status s = output->Commit(); !s.ok()) return fail(s);
  std::cerr << "diamond batch: "
            << batch.value("rows_done", int64_t{0}) - batch.value("rows_skipped", int64_t{0})
            << " rows priced";
  if (batch.value("rows_skipped", int64_t{0}) > 0) {
    std::cerr << ", " << batch.value("rows_skipped", int64_t{0})
              << " left out (they cannot be priced)";
  }
  std::cerr << std::endl;
  return kExitOk;
}

}  // namespace diamond::app
