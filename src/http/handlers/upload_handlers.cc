// Multipart uploads into datasets (service/upload_service.h): open, send parts, list them
// to resume, complete, abort. The checksums a client sends with a part are checked here,
// at the boundary; the service stores and validates.
#include <charconv>

#include "base/clock.h"
#include "core/diamond_json.h"
#include "core/sha256.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/handlers/resource_json.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

constexpr int64_t kMaxPartNumber = 10000;

nlohmann::json UploadJson(const UploadRecord& u, const std::vector<UploadPart>& parts,
                          const HttpRequest& request) {
  nlohmann::json out = {{"upload_id", u.id},
                        {"location", request.prefix + "/uploads/" + u.id},
                        {"dataset_id", u.dataset_id},
                        {"format", UploadFormatName(u.format)},
                        {"mode", UploadModeName(u.mode)},
                        {"state", UploadStateName(u.state)},
                        {"created_at", u.created_at},
                        {"expires_at", Rfc3339FromUnixMs(u.expires_ms)}};
  if (u.state == UploadState::kCompleted) out["dataset_version"] = u.dataset_version;
  if (!u.job_id.empty()) {
    out["job_id"] = u.job_id;
    out["job_location"] = request.prefix + "/jobs/" + u.job_id;
  }
  // Why the last completion job failed: the problem a completion in the request would have
  // answered.
  if (auto problem = ParseJson(u.error_json); !u.error_json.empty() && problem.ok())
    out["last_error"] = *problem;
  nlohmann::json list = nlohmann::json::array();
  int64_t bytes = 0;
  for (const auto& p : parts) {
    list.push_back({{"part", p.part}, {"bytes", p.bytes}, {"sha256", p.sha256}});
    bytes += p.bytes;
  }
  out["parts"] = std::move(list);
  out["bytes"] = bytes;
  return out;
}

// The part's SHA-256 the client expects (hex), from x-checksum-sha256 (hex or base64);
// a Content-MD5 that does not match is answered here. nullopt in *expected: none sent.
std::optional<HttpResponse> CheckPartChecksums(const HttpRequest& request,
                                               std::optional<std::string>* expected) {
  auto checksum_problem = [](const std::string& detail) {
    return Problem(400, "checksum-mismatch", "Checksum mismatch",
                   detail + "; the part was not stored");
  };
  if (auto md5 = request.Header("content-md5")) {
    if (Md5Base64(request.body) != *md5) {
      return checksum_problem("Content-MD5 is " + std::string(*md5) + " but the body's MD5 is " +
                              Md5Base64(request.body));
    }
  }
  if (auto sha = request.Header("x-checksum-sha256")) {
    std::string hex(*sha);
    if (hex.size() != 64) {
      auto decoded = Base64ToHex(*sha, 32);
      if (!decoded) {
        return ValidationProblem("invalid x-checksum-sha256",
                                 {FieldError{0, 0, "x-checksum-sha256",
                                             "must be the SHA-256 in hex (64 digits) or base64"}});
      }
      hex = *decoded;
    }
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    *expected = hex;
  }
  return std::nullopt;
}

}  // namespace

HttpResponse CompletionProblem(const Status& status, const InvalidRows& invalid) {
  if (!invalid.errors.empty()) {
    return ValidationProblem(
        std::to_string(invalid.rows_invalid) + " invalid row(s) in the upload; nothing was written",
        invalid.errors);
  }
  if (status.code() == StatusCode::kInvalidArgument) {
    return Problem(400, "malformed-body", "Malformed upload", status.message());
  }
  return ProblemFromStatus(status);
}

void RegisterUploadRoutes(Router& router, ApiContext& ctx) {
  router.Add("POST", "/datasets/{dataset_id}/uploads", [&ctx](HttpRequest& request) {
    const auto& dataset_id = request.Param("dataset_id");
    if (auto error = CheckId(dataset_id, "dataset_id")) return *error;
    nlohmann::json body = nlohmann::json::object();
    if (!request.body.empty()) {
      if (auto error = ParseJsonBody(request, &body)) return *error;
    }
    std::vector<FieldError> errors;
    auto choice = [&](const char* name, const char* fallback,
                      std::initializer_list<const char*> allowed) {
      std::string value = fallback;
      if (!body.is_object()) return value;
      auto it = body.find(name);
      if (it == body.end()) return value;
      if (it->is_string()) {
        value = it->get<std::string>();
        for (const char* a : allowed) {
          if (value == a) return value;
        }
      }
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
      errors.push_back(FieldError{0, 0, name, "must be one of " + list});
      return value;
    };
    if (!body.is_object()) errors.push_back(FieldError{0, 0, "", "the body must be a JSON object"});
    const std::string format = choice("format", "csv", {"csv", "json"});
    const std::string mode = choice("mode", "replace", {"replace", "append"});
    if (!errors.empty()) return ValidationProblem("invalid upload", errors);
    // choice() has kept each to one of its names.
    auto upload = ctx.uploads.Create(Owner(request), dataset_id,
                                     UploadFormatNamed(format).value_or(UploadFormat::kCsv),
                                     UploadModeNamed(mode).value_or(UploadMode::kReplace));
    if (!upload.ok()) return ProblemFromStatus(upload.status());
    nlohmann::json out = UploadJson(*upload, {}, request);
    out["min_part_bytes"] = ctx.uploads.options().min_part_bytes;
    out["max_part_bytes"] = ctx.uploads.options().max_part_bytes;
    out["max_parts"] = ctx.uploads.options().max_parts;
    HttpResponse response = Json(201, out);
    response.headers.emplace_back("Location", out["location"].get<std::string>());
    return response;
  });

  router.Add("PUT", "/uploads/{upload_id}/parts/{part}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("upload_id");
    if (auto error = CheckId(id, "upload_id")) return *error;
    const auto& text = request.Param("part");
    int64_t part = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), part);
    if (ec != std::errc() || end != text.data() + text.size() || part < 1 ||
        part > kMaxPartNumber) {
      return ValidationProblem(
          "invalid part number",
          {FieldError{0, 0, "part",
                      "must be a whole number from 1 to " + std::to_string(kMaxPartNumber)}});
    }
    if (request.body.empty()) {
      return ValidationProblem("empty part",
                               {FieldError{0, 0, "body", "a part holds at least one byte"}});
    }
    if (static_cast<int64_t>(request.body.size()) > ctx.uploads.options().max_part_bytes) {
      return Problem(413, "part-too-large", "Part too large",
                     "a part holds at most " +
                         std::to_string(ctx.uploads.options().max_part_bytes) + " bytes");
    }
    std::optional<std::string> expected_sha256;
    if (auto error = CheckPartChecksums(request, &expected_sha256)) return *error;
    auto stored = ctx.uploads.PutPart(Owner(request), id, part, request.body, expected_sha256,
                                      PlanOf(request).max_stored_bytes);
    if (!stored.ok()) {
      if (stored.status().code() == StatusCode::kInvalidArgument) {
        return Problem(400, "checksum-mismatch", "Checksum mismatch", stored.status().message());
      }
      return ProblemFromStatus(stored.status());
    }
    return Json(200, {{"upload_id", id},
                      {"part", stored->part},
                      {"bytes", stored->bytes},
                      {"sha256", stored->sha256}});
  });

  router.Add("GET", "/uploads/{upload_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("upload_id");
    if (auto error = CheckId(id, "upload_id")) return *error;
    auto upload = ctx.uploads.Get(Owner(request), id);
    if (!upload.ok()) return ProblemFromStatus(upload.status());
    return Json(200, UploadJson(upload->first, upload->second, request));
  });

  router.Add("POST", "/uploads/{upload_id}/complete", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("upload_id");
    if (auto error = CheckId(id, "upload_id")) return *error;
    const PlanRecord& plan = PlanOf(request);
    const service::DatasetService::Limits limits{plan.max_dataset_rows,
                                                 {plan.max_stored_bytes, plan.max_datasets}};
    // A large upload completes in a job: 202, and GET /uploads/{id} (or the job) follows it.
    auto queued = ctx.uploads.QueueIfLarge(Owner(request), id, limits);
    if (!queued.ok()) return ProblemFromStatus(queued.status());
    if (queued->has_value()) {
      const JobRecord& job = **queued;
      ctx.jobs.Notify();
      HttpResponse response = Json(202, {{"upload_id", id},
                                         {"state", "completing"},
                                         {"location", request.prefix + "/uploads/" + id},
                                         {"job_id", job.id},
                                         {"job_location", request.prefix + "/jobs/" + job.id}});
      response.headers.emplace_back("Location", request.prefix + "/uploads/" + id);
      return response;
    }
    InvalidRows invalid;
    auto committed = ctx.uploads.Complete(Owner(request), id, limits, &invalid);
    if (!committed.ok()) return CompletionProblem(committed.status(), invalid);
    nlohmann::json out = DatasetVersionFields(committed->current);
    out["upload_id"] = id;
    out["state"] = "completed";
    out["dataset_id"] = committed->id;
    out["location"] = request.prefix + "/datasets/" + committed->id;
    return Json(200, out);
  });

  router.Add("DELETE", "/uploads/{upload_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("upload_id");
    if (auto error = CheckId(id, "upload_id")) return *error;
    if (Status s = ctx.uploads.Abort(Owner(request), id); !s.ok()) return ProblemFromStatus(s);
    return Json(200, {{"upload_id", id}, {"deleted", true}});
  });
}

}  // namespace diamond::http
