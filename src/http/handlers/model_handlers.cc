// /models: training (as jobs), metadata, deletion.
#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/diamond_json.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/handlers/resource_json.h"
#include "http/problem.h"
#include "service/batch_prediction_service.h"
#include "service/model_card.h"
#include "service/training_request.h"
#include "service/upload_service.h"

namespace diamond::http {

namespace {

// What PUT /models/{id} answers once its job ended or the wait is over: 201 with the
// model, 422 if training failed, 409 if it was cancelled, else 202 with the job.
HttpResponse TrainingAnswer(ApiContext& ctx, const std::string& owner, const std::string& id,
                            const std::string& prefix, const Result<JobRecord>& job) {
  if (!job.ok()) return ProblemFromStatus(job.status());
  if (job->state == JobState::kSucceeded) {
    auto model = ctx.models.Get(owner, id);
    if (!model.ok()) return ProblemFromStatus(model.status());
    HttpResponse response = Json(201, ModelJson(*model, prefix, owner));
    response.headers.emplace_back("Location", prefix + "/models/" + id);
    return response;
  }
  if (job->state == JobState::kFailed) {
    HttpResponse response = Problem(422, "training-failed", "Training failed", job->error);
    response.headers.emplace_back("Location", prefix + "/jobs/" + job->id);
    return response;
  }
  if (job->state == JobState::kCancelled) {
    return Problem(409, "conflict", "Training was cancelled", "job " + job->id + " was cancelled");
  }
  HttpResponse response = Json(202, JobJson(*job, prefix));
  response.headers.emplace_back("Location", prefix + "/jobs/" + job->id);
  return response;
}

// An alias name: lower-case letters, digits, '-' and '_', starting with a letter, at most
// 32 characters.
std::optional<HttpResponse> CheckAliasName(const std::string& alias) {
  const bool valid =
      !alias.empty() && alias.size() <= 32 && alias[0] >= 'a' && alias[0] <= 'z' &&
      std::all_of(alias.begin(), alias.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
  if (valid) return std::nullopt;
  return ValidationProblem(
      "invalid alias",
      {FieldError{0, 0, "alias",
                  "1 to 32 of a-z, 0-9, '-' and '_', starting with a letter (e.g. challenger)"}});
}

// {"version": n, "reason": "..."}: what moves an alias, and why.
void ReadAliasBody(const nlohmann::json& body, bool version_required, int64_t* version,
                   std::string* reason, std::vector<FieldError>* errors) {
  if (!body.is_object()) {
    errors->push_back({0, 0, "", "the body must be a JSON object"});
    return;
  }
  for (const auto& [key, value] : body.items()) {
    if (key == "version" && value.is_number_integer() && value.get<int64_t>() > 0) {
      *version = value.get<int64_t>();
    } else if (key == "version") {
      errors->push_back({0, 0, "version", "must be a positive whole number"});
    } else if (key == "reason" && value.is_string() && !value.get<std::string>().empty() &&
               value.get<std::string>().size() <= 500) {
      *reason = value.get<std::string>();
    } else if (key == "reason") {
      errors->push_back({0, 0, "reason", "must be text of 1 to 500 characters"});
    } else {
      errors->push_back({0, 0, key, "unknown field (allowed: version, reason)"});
    }
  }
  if (version_required && !body.contains("version")) {
    errors->push_back({0, 0, "version", "required: the kept version the alias names"});
  }
}

}  // namespace

void RegisterModelRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/models",
      [&ctx](HttpRequest& request) {
        PageRequest page;
        if (auto error = ParsePage(request, ctx.config, &page)) return *error;
        auto listed = ctx.models.List(Owner(request), page.ToStorePage());
        if (!listed.ok()) return ProblemFromStatus(listed.status());
        nlohmann::json results = nlohmann::json::array();
        for (const auto& m : listed->first) {
          results.push_back({{"id_", m.id},
                             {"status", ModelStatusName(m.status)},
                             {"version", m.version},
                             {"shared", m.shared}});
        }
        return Json(200, PageEnvelope(std::move(results), request, page, listed->second));
      },
      WithQuery({"page", "page_size"}));

  router.Add("GET", "/models/{model_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto model = ctx.models.Get(Owner(request), id);
    if (!model.ok()) return ProblemFromStatus(model.status());
    return Json(200, ModelJson(*model, request.prefix, Owner(request)));
  });

  // Queue a training job, then wait up to `wait` seconds for it: 201 with the model when
  // it is done in time, else 202 with the job's location.
  router.Add(
      "PUT", "/models/{model_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("model_id");
        if (auto error = CheckId(id, "model_id")) return *error;
        int wait = ctx.config.default_wait_seconds;
        if (auto text = request.Query("wait")) {
          auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), wait);
          if (ec != std::errc() || ptr != text->data() + text->size() || wait < 0 ||
              wait > ctx.config.max_wait_seconds) {
            return ValidationProblem("invalid wait",
                                     {FieldError{0, 0, "wait",
                                                 "must be whole seconds from 0 to " +
                                                     std::to_string(ctx.config.max_wait_seconds)}});
          }
        }
        nlohmann::json body;
        if (auto error = ParseJsonBody(request, &body)) return *error;
        std::vector<FieldError> errors;
        auto training = service::ParseTrainingRequest(body, &errors);
        if (!training.ok()) return ValidationProblem("invalid training request", errors);
        const PlanRecord& plan = PlanOf(request);
        auto job_id = ctx.models.StartTraining(
            Owner(request), id, *training,
            {plan.max_models, plan.max_training_jobs, plan.model_versions_kept});
        if (!job_id.ok()) return ProblemFromStatus(job_id.status());
        ctx.jobs.Notify();
        // The wait holds no thread: the job runner answers when the job ends or time is up,
        // which is earlier when the caller must have its answer sooner (a Lambda's deadline).
        std::chrono::milliseconds timeout = std::chrono::seconds(wait);
        if (request.answer_by) {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              *request.answer_by - std::chrono::steady_clock::now());
          timeout = std::clamp(left, std::chrono::milliseconds(0), timeout);
        }
        return Later([&ctx, owner = Owner(request), id, prefix = request.prefix, job_id = *job_id,
                      timeout](HttpResponse::Respond respond) {
          ctx.jobs.WhenFinished(owner, job_id, timeout,
                                [&ctx, owner, id, prefix, respond](Result<JobRecord> job) {
                                  respond(TrainingAnswer(ctx, owner, id, prefix, job));
                                });
        });
      },
      WithQuery({"wait"}));

  // An admin shares their model with every user (who may then list it and predict with
  // it, but not change it), or stops sharing it.
  router.Add(
      "PUT", "/models/{model_id}/sharing",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("model_id");
        if (auto error = CheckId(id, "model_id")) return *error;
        nlohmann::json body;
        if (auto error = ParseJsonBody(request, &body)) return *error;
        if (!body.is_object() || !body.contains("shared") || !body["shared"].is_boolean() ||
            body.size() != 1) {
          return ValidationProblem(
              "invalid sharing request",
              {FieldError{0, 0, "shared", "the body must be {\"shared\": true|false}"}});
        }
        const bool shared = body["shared"].get<bool>();
        if (Status s = ctx.models.SetShared(Owner(request), id, shared); !s.ok())
          return ProblemFromStatus(s);
        return Json(200, {{"id_", id}, {"shared", shared}});
      },
      AdminOnly());

  // Versions (issue 25): every training's result, the champion marked; the owner's only.
  router.Add("GET", "/models/{model_id}/versions", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto versions = ctx.models.Versions(Owner(request), id);
    if (!versions.ok()) return ProblemFromStatus(versions.status());
    nlohmann::json results = nlohmann::json::array();
    for (const auto& v : *versions) results.push_back(ModelVersionJson(v, request.prefix));
    return Json(200, {{"id_", id}, {"versions", std::move(results)}});
  });

  router.Add("GET", "/models/{model_id}/versions/{version}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    int64_t version = 0;
    if (auto error = ParseVersionParam(request.Param("version"), &version)) return *error;
    auto found = ctx.models.Version(Owner(request), id, version);
    if (!found.ok()) return ProblemFromStatus(found.status());
    return Json(200, ModelVersionJson(*found, request.prefix));
  });

  // Deletes a kept version no alias names (not the champion), with its model file.
  router.Add("DELETE", "/models/{model_id}/versions/{version}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    int64_t version = 0;
    if (auto error = ParseVersionParam(request.Param("version"), &version)) return *error;
    if (Status s = ctx.models.DeleteVersion(Owner(request), id, version); !s.ok()) {
      return ProblemFromStatus(s);
    }
    return Json(200, {{"id_", id}, {"version", version}, {"deleted", true}});
  });

  // Trains a kept version again from the data it was trained on, in a job: 202 with the
  // job; when it succeeds the version's `reproduction` says whether the model is identical.
  router.Add(
      "POST", "/models/{model_id}/versions/{version}/reproduce", [&ctx](HttpRequest& request) {
        const auto& id = request.Param("model_id");
        if (auto error = CheckId(id, "model_id")) return *error;
        int64_t version = 0;
        if (auto error = ParseVersionParam(request.Param("version"), &version)) return *error;
        if (!request.body.empty()) {  // nothing to choose: the version's request is replayed
          nlohmann::json body;
          if (auto error = ParseJsonBody(request, &body)) return *error;
          std::vector<FieldError> errors;
          if (!body.is_object()) errors.push_back({0, 0, "", "the body must be a JSON object"});
          for (const auto& item : body.items()) {
            if (body.is_object()) {
              errors.push_back({0, 0, item.key(),
                                "unknown field: a reproduction trains the version's own request"});
            }
          }
          if (!errors.empty()) return ValidationProblem("invalid reproduce request", errors);
        }
        const PlanRecord& plan = PlanOf(request);
        auto job_id = ctx.models.Reproduce(
            Owner(request), id, version,
            {plan.max_models, plan.max_training_jobs, plan.model_versions_kept});
        if (!job_id.ok()) return ProblemFromStatus(job_id.status());
        ctx.jobs.Notify();
        auto job = ctx.job_records.Get(Owner(request), *job_id);
        if (!job.ok()) return ProblemFromStatus(job.status());
        HttpResponse response = Json(202, JobJson(*job, request.prefix));
        response.headers.emplace_back("Location", request.prefix + "/jobs/" + *job_id);
        return response;
      });

  // The model card of a version: JSON, or Markdown for `Accept: text/markdown`.
  router.Add("GET", "/models/{model_id}/versions/{version}/card", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    int64_t version = 0;
    if (auto error = ParseVersionParam(request.Param("version"), &version)) return *error;
    auto card = ctx.models.Card(Owner(request), id, version);
    if (!card.ok()) return ProblemFromStatus(card.status());
    const auto accept = request.Header("accept");
    if (accept && accept->find("text/markdown") != std::string_view::npos) {
      HttpResponse response;
      response.content_type = "text/markdown; charset=utf-8";
      response.body = service::ModelCardMarkdown(*card);
      return response;
    }
    return JsonResponse(200, card->dump());
  });

  // Moves the champion back: to the one before the current (no body), or to a kept
  // version ({"version": n}); {"reason": "..."} is recorded in the history.
  router.Add("POST", "/models/{model_id}/rollback", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    nlohmann::json body = nlohmann::json::object();
    if (!request.body.empty()) {
      if (auto error = ParseJsonBody(request, &body)) return *error;
    }
    std::vector<FieldError> errors;
    int64_t version = 0;
    std::string reason = "rollback";
    ReadAliasBody(body, /*version_required=*/false, &version, &reason, &errors);
    if (!errors.empty()) return ValidationProblem("invalid rollback request", errors);
    auto moved = ctx.models.MoveAlias(Owner(request), id, service::kChampionAlias, version,
                                      Owner(request), reason);
    if (!moved.ok()) return ProblemFromStatus(moved.status());
    return Json(200, ModelJson(*moved, request.prefix, Owner(request)));
  });

  // Points an alias at a kept version ({"version": n, "reason"?}): "champion" promotes it
  // (the model serves it), any other name marks it (and keeps it) for ?alias= pricing.
  router.Add("PUT", "/models/{model_id}/aliases/{alias}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    const auto& alias = request.Param("alias");
    if (auto error = CheckAliasName(alias)) return *error;
    nlohmann::json body;
    if (auto error = ParseJsonBody(request, &body)) return *error;
    std::vector<FieldError> errors;
    int64_t version = 0;
    std::string reason = alias == service::kChampionAlias ? "promoted" : "alias set";
    ReadAliasBody(body, /*version_required=*/true, &version, &reason, &errors);
    if (!errors.empty()) return ValidationProblem("invalid alias request", errors);
    auto moved = ctx.models.MoveAlias(Owner(request), id, alias, version, Owner(request), reason);
    if (!moved.ok()) return ProblemFromStatus(moved.status());
    return Json(200, {{"id_", id}, {"alias", alias}, {"version", version}});
  });

  // Removes an alias other than the champion (its version may then be pruned).
  router.Add("DELETE", "/models/{model_id}/aliases/{alias}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    const auto& alias = request.Param("alias");
    if (auto error = CheckAliasName(alias)) return *error;
    if (alias == service::kChampionAlias) {
      return ValidationProblem("invalid alias", {FieldError{0, 0, "alias",
                                                            "the champion cannot be removed: "
                                                            "move it with PUT or rollback"}});
    }
    auto moved =
        ctx.models.MoveAlias(Owner(request), id, alias, 0, Owner(request), "alias removed");
    if (!moved.ok()) return ProblemFromStatus(moved.status());
    return Json(200, {{"id_", id}, {"alias", alias}, {"deleted", true}});
  });

  router.Add("GET", "/models/{model_id}/aliases/history", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    auto history = ctx.models.AliasHistory(Owner(request), id);
    if (!history.ok()) return ProblemFromStatus(history.status());
    nlohmann::json moves = nlohmann::json::array();
    for (const auto& move : *history) moves.push_back(AliasMoveJson(move));
    return Json(200, {{"id_", id}, {"moves", std::move(moves)}});
  });

  router.Add("DELETE", "/models/{model_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("model_id");
    if (auto error = CheckId(id, "model_id")) return *error;
    if (Status s = ctx.models.Delete(Owner(request), id); !s.ok()) return ProblemFromStatus(s);
    return Json(200, {{"id_", id}, {"deleted", true}});
  });
}

void RegisterJobRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/jobs",
      [&ctx](HttpRequest& request) {
        PageRequest page;
        if (auto error = ParsePage(request, ctx.config, &page)) return *error;
        auto listed = ctx.job_records.List(Owner(request), page.ToStorePage());
        if (!listed.ok()) return ProblemFromStatus(listed.status());
        nlohmann::json results = nlohmann::json::array();
        for (const auto& job : listed->first) results.push_back(JobJson(job, request.prefix));
        return Json(200, PageEnvelope(std::move(results), request, page, listed->second));
      },
      WithQuery({"page", "page_size"}));

  router.Add("GET", "/jobs/{job_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("job_id");
    if (auto error = CheckId(id, "job_id")) return *error;
    auto job = ctx.job_records.Get(Owner(request), id);
    if (!job.ok()) return ProblemFromStatus(job.status());
    return Json(200, JobJson(*job, request.prefix));
  });

  router.Add("DELETE", "/jobs/{job_id}", [&ctx](HttpRequest& request) {
    const auto& id = request.Param("job_id");
    if (auto error = CheckId(id, "job_id")) return *error;
    auto job = ctx.job_records.Cancel(Owner(request), id);
    if (!job.ok()) return ProblemFromStatus(job.status());
    return Json(200, JobJson(*job, request.prefix));
  });

  // Operators: every tenant's jobs, each with its owner.
  auto admin_job_json = [](const JobRecord& job, const std::string& prefix) {
    nlohmann::json out = JobJson(job, prefix);
    out["owner"] = job.owner;
    out["location"] = prefix + "/admin/jobs/" + job.id;
    return out;
  };
  router.Add(
      "GET", "/admin/jobs",
      [&ctx, admin_job_json](HttpRequest& request) {
        PageRequest page;
        if (auto error = ParsePage(request, ctx.config, &page)) return *error;
        JobFilter filter;
        if (auto owner = request.Query("owner")) filter.owner = std::string(*owner);
        if (auto kind = request.Query("kind")) {
          filter.kind = std::string(*kind);
          if (!service::IsJobKind(filter.kind)) {
            return ValidationProblem(
                "invalid query parameter",
                {FieldError{0, 0, "kind", "must be train, batch-predict or upload-complete"}});
          }
        }
        if (auto state = request.Query("state")) {
          filter.state = std::string(*state);
          if (!JobStateNamed(filter.state)) {
            return ValidationProblem(
                "invalid query parameter",
                {FieldError{0, 0, "state",
                            "must be queued, running, succeeded, failed or cancelled"}});
          }
        }
        auto listed = ctx.job_records.ListAll(filter, page.ToStorePage());
        if (!listed.ok()) return ProblemFromStatus(listed.status());
        nlohmann::json results = nlohmann::json::array();
        for (const auto& job : listed->first)
          results.push_back(admin_job_json(job, request.prefix));
        return Json(200, PageEnvelope(std::move(results), request, page, listed->second));
      },
      AdminOnly({"page", "page_size", "state", "kind", "owner"}));

  // GET looks at any tenant's job, DELETE cancels it.
  for (const bool cancel : {false, true}) {
    router.Add(
        cancel ? "DELETE" : "GET", "/admin/jobs/{job_id}",
        [&ctx, admin_job_json, cancel](HttpRequest& request) {
          const auto& id = request.Param("job_id");
          if (auto error = CheckId(id, "job_id")) return *error;
          auto job = cancel ? ctx.job_records.CancelAny(id) : ctx.job_records.GetAny(id);
          if (!job.ok()) return ProblemFromStatus(job.status());
          return Json(200, admin_job_json(*job, request.prefix));
        },
        AdminOnly());
  }
}

}  // namespace diamond::http
