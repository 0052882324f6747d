// /me for everyone; /admin/... for admins: users, keys, plans, usage. The checks live in
// accounts/account_admin.h, shared with `diamond admin`.
#include "accounts/account_admin.h"
#include "accounts/principal.h"
#include "base/clock.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

using nlohmann::json;

json PlanJson(const PlanRecord& p) {
  return {{"name", p.name},
          {"requests_per_second", p.requests_per_second},
          {"burst", p.burst},
          {"monthly_predicted_rows", p.monthly_predicted_rows},
          {"max_dataset_rows", p.max_dataset_rows},
          {"max_models", p.max_models},
          {"max_training_jobs", p.max_training_jobs},
          {"price_per_1k_rows", p.price_per_1k_rows},
          {"price_per_training_minute", p.price_per_training_minute},
          {"max_stored_bytes", p.max_stored_bytes},
          {"max_datasets", p.max_datasets},
          {"model_versions_kept", p.model_versions_kept}};
}

json UserJson(const UserRecord& u) {
  return {{"id", u.id},
          {"role", u.role},
          {"plan", u.plan},
          {"disabled", u.disabled},
          {"created_at", u.created_at}};
}

json KeyJson(const ApiKeyRecord& k) {
  return {{"id", k.id},
          {"user_id", k.user_id},
          {"prefix", k.prefix},
          {"name", k.name},
          {"created_at", k.created_at},
          {"revoked", !k.revoked_at.empty()},
          {"revoked_at", k.revoked_at.empty() ? json(nullptr) : json(k.revoked_at)},
          {"last_used_at", k.last_used_at.empty() ? json(nullptr) : json(k.last_used_at)}};
}

// 422 unless `body` is an object whose members are all in `allowed`.
std::optional<HttpResponse> CheckMembers(const json& body,
                                         std::initializer_list<const char*> allowed) {
  if (!body.is_object()) {
    return ValidationProblem("the body must be a JSON object",
                             {FieldError{0, 0, "", "not an object"}});
  }
  std::vector<FieldError> errors;
  for (const auto& [name, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || name == a;
    if (!known) errors.push_back(FieldError{0, 0, name, "unknown field"});
  }
  if (!errors.empty()) return ValidationProblem("unknown fields in the body", errors);
  return std::nullopt;
}

// A string member, or 422. `required` false: absent is fine (nullopt).
std::optional<HttpResponse> StringMember(const json& body, const char* name, bool required,
                                         std::optional<std::string>* out) {
  if (!body.contains(name)) {
    if (!required) return std::nullopt;
    return ValidationProblem("missing field", {FieldError{0, 0, name, "required"}});
  }
  if (!body[name].is_string()) {
    return ValidationProblem("invalid field", {FieldError{0, 0, name, "must be a string"}});
  }
  *out = body[name].get<std::string>();
  return std::nullopt;
}

// After a change through the API the directory is reloaded at once, so a revoked key
// stops working with this response, not a second later.
HttpResponse ReloadThen(ApiContext& ctx, HttpResponse response) {
  if (Status s = ctx.gate.accounts().Reload(); !s.ok()) return ProblemFromStatus(s);
  return response;
}

// `existing` gives the optional fields' values when the body leaves them out.
Result<PlanRecord> ParsePlan(const std::string& name, const json& body,
                             const std::optional<PlanRecord>& existing,
                             std::vector<FieldError>* errors) {
  PlanRecord plan;
  plan.name = name;
  plan.max_stored_bytes = existing ? existing->max_stored_bytes : accounts::kDefaultMaxStoredBytes;
  plan.max_datasets = existing ? existing->max_datasets : accounts::kDefaultMaxDatasets;
  plan.model_versions_kept =
      existing ? existing->model_versions_kept : accounts::kDefaultModelVersionsKept;
  auto number = [&](const char* field, double* out) {
    if (!body.contains(field) || !body[field].is_number()) {
      errors->push_back(FieldError{0, 0, field, "required, a number >= 0"});
      return;
    }
    *out = body[field].get<double>();
    if (*out < 0) errors->push_back(FieldError{0, 0, field, "must be >= 0"});
  };
  auto integer = [&](const char* field, int64_t* out) {
    if (!body.contains(field) || !body[field].is_number_integer() ||
        (body[field].is_number_integer() && body[field].get<int64_t>() < 0)) {
      errors->push_back(FieldError{0, 0, field, "required, a whole number >= 0"});
      return;
    }
    *out = body[field].get<int64_t>();
  };
  number("requests_per_second", &plan.requests_per_second);
  integer("burst", &plan.burst);
  integer("monthly_predicted_rows", &plan.monthly_predicted_rows);
  integer("max_dataset_rows", &plan.max_dataset_rows);
  integer("max_models", &plan.max_models);
  integer("max_training_jobs", &plan.max_training_jobs);
  number("price_per_1k_rows", &plan.price_per_1k_rows);
  number("price_per_training_minute", &plan.price_per_training_minute);
  // Added after the others: optional, so that older clients' plans stay valid.
  auto optional_integer = [&](const char* field, int64_t* out) {
    if (body.contains(field)) integer(field, out);
  };
  optional_integer("max_stored_bytes", &plan.max_stored_bytes);
  optional_integer("max_datasets", &plan.max_datasets);
  optional_integer("model_versions_kept", &plan.model_versions_kept);
  if (!errors->empty()) return Status::InvalidArgument("invalid plan");
  if (Status s = accounts::ValidatePlan(plan); !s.ok()) {
    errors->push_back(FieldError{0, 0, "", s.message()});
    return s;
  }
  return plan;
}

}  // namespace

void RegisterAccountRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/me", [&ctx](HttpRequest& request) {
    const accounts::Principal& me = *request.principal;
    const accounts::MonthTotals month = ctx.gate.accounts().meter().ThisMonth(me.user_id);
    auto stored = ctx.datasets.StoredBytes(me.user_id);
    if (!stored.ok()) return ProblemFromStatus(stored.status());
    const PlanRecord& plan = me.plan;
    return Json(200,
                {{"user", me.user_id},
                 {"role", me.is_admin() ? "admin" : "member"},
                 {"key", {{"id", me.key_id}, {"prefix", me.key_prefix}}},
                 {"plan", PlanJson(plan)},
                 {"month", NowRfc3339().substr(0, 7)},
                 {"usage",
                  {{"predicted_rows", month.predicted_rows},
                   {"training_seconds", month.training_seconds},
                   {"stored_bytes", *stored}}},
                 {"remaining",
                  {{"monthly_predicted_rows",
                    std::max<int64_t>(0, plan.monthly_predicted_rows - month.predicted_rows)}}}});
  });

  router.Add(
      "GET", "/admin/users",
      [&ctx](HttpRequest&) {
        auto users = ctx.gate.accounts().store().ListUsers();
        if (!users.ok()) return ProblemFromStatus(users.status());
        json results = json::array();
        for (const auto& u : *users) results.push_back(UserJson(u));
        return Json(200, {{"results", results}});
      },
      AdminOnly());

  router.Add(
      "POST", "/admin/users",
      [&ctx](HttpRequest& request) {
        json body;
        if (auto error = ParseJsonBody(request, &body)) return *error;
        if (auto error = CheckMembers(body, {"id", "role", "plan"})) return *error;
        std::optional<std::string> id, role, plan;
        if (auto error = StringMember(body, "id", true, &id)) return *error;
        if (auto error = StringMember(body, "role", false, &role)) return *error;
        if (auto error = StringMember(body, "plan", false, &plan)) return *error;
        auto& store = ctx.gate.accounts().store();
        if (Status s =
                accounts::CreateUser(store, *id, role.value_or("member"), plan.value_or("free"));
            !s.ok()) {
          return ProblemFromStatus(s);
        }
        auto user = store.GetUser(*id);
        if (!user.ok()) return ProblemFromStatus(user.status());
        HttpResponse response = Json(201, UserJson(*user));
        response.headers.emplace_back("Location", request.prefix + "/admin/users/" + *id);
        return ReloadThen(ctx, std::move(response));
      },
      AdminOnly());

  router.Add(
      "GET", "/admin/users/{user_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("user_id");
        if (auto error = CheckId(id, "user_id")) return *error;
        auto user = ctx.gate.accounts().store().GetUser(id);
        if (!user.ok()) return ProblemFromStatus(user.status());
        return Json(200, UserJson(*user));
      },
      AdminOnly());

  router.Add(
      "PATCH", "/admin/users/{user_id}",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("user_id");
        if (auto error = CheckId(id, "user_id")) return *error;
        json body;
        if (auto error = ParseJsonBody(request, &body)) return *error;
        if (auto error = CheckMembers(body, {"role", "plan", "disabled"})) return *error;
        std::optional<std::string> role, plan;
        if (auto error = StringMember(body, "role", false, &role)) return *error;
        if (auto error = StringMember(body, "plan", false, &plan)) return *error;
        std::optional<bool> disabled;
        if (body.contains("disabled")) {
          if (!body["disabled"].is_boolean()) {
            return ValidationProblem("invalid field",
                                     {FieldError{0, 0, "disabled", "must be true or false"}});
          }
          disabled = body["disabled"].get<bool>();
        }
        auto& store = ctx.gate.accounts().store();
        if (Status s = accounts::UpdateUser(store, id, role, plan, disabled); !s.ok()) {
          return ProblemFromStatus(s);
        }
        auto user = store.GetUser(id);
        if (!user.ok()) return ProblemFromStatus(user.status());
        return ReloadThen(ctx, Json(200, UserJson(*user)));
      },
      AdminOnly());

  router.Add(
      "GET", "/admin/users/{user_id}/keys",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("user_id");
        if (auto error = CheckId(id, "user_id")) return *error;
        auto& store = ctx.gate.accounts().store();
        if (auto user = store.GetUser(id); !user.ok()) return ProblemFromStatus(user.status());
        auto keys = store.ListKeys(id);
        if (!keys.ok()) return ProblemFromStatus(keys.status());
        json results = json::array();
        for (const auto& k : *keys) results.push_back(KeyJson(k));
        return Json(200, {{"results", results}});
      },
      AdminOnly());

  router.Add(
      "POST", "/admin/users/{user_id}/keys",
      [&ctx](HttpRequest& request) {
        const auto& id = request.Param("user_id");
        if (auto error = CheckId(id, "user_id")) return *error;
        json body = json::object();
        if (!request.body.empty()) {
          if (auto error = ParseJsonBody(request, &body)) return *error;
        }
        if (auto error = CheckMembers(body, {"name"})) return *error;
        std::optional<std::string> name;
        if (auto error = StringMember(body, "name", false, &name)) return *error;
        auto issued = accounts::IssueKey(ctx.gate.accounts().store(), id, name.value_or(""));
        if (!issued.ok()) return ProblemFromStatus(issued.status());
        json out = KeyJson(issued->record);
        out["key"] = issued->key;  // the only time it is shown
        HttpResponse response = Json(201, out);
        response.headers.emplace_back("Cache-Control", "no-store");
        return ReloadThen(ctx, std::move(response));
      },
      AdminOnly());

  router.Add(
      "DELETE", "/admin/users/{user_id}/keys/{key_id}",
      [&ctx](HttpRequest& request) {
        const auto& user = request.Param("user_id");
        const auto& key = request.Param("key_id");
        if (auto error = CheckId(user, "user_id")) return *error;
        if (auto error = CheckId(key, "key_id")) return *error;
        if (Status s = ctx.gate.accounts().store().RevokeKey(user, key); !s.ok())
          return ProblemFromStatus(s);
        return ReloadThen(ctx, Json(200, {{"id", key}, {"revoked", true}}));
      },
      AdminOnly());

  router.Add(
      "GET", "/admin/plans",
      [&ctx](HttpRequest&) {
        auto plans = ctx.gate.accounts().store().ListPlans();
        if (!plans.ok()) return ProblemFromStatus(plans.status());
        json results = json::array();
        for (const auto& p : *plans) results.push_back(PlanJson(p));
        return Json(200, {{"results", results}});
      },
      AdminOnly());

  router.Add(
      "PUT", "/admin/plans/{plan}",
      [&ctx](HttpRequest& request) {
        const auto& name = request.Param("plan");
        if (auto error = CheckId(name, "plan")) return *error;
        json body;
        if (auto error = ParseJsonBody(request, &body)) return *error;
        if (auto error = CheckMembers(
                body, {"name", "requests_per_second", "burst", "monthly_predicted_rows",
                       "max_dataset_rows", "max_models", "max_training_jobs", "price_per_1k_rows",
                       "price_per_training_minute", "max_stored_bytes", "max_datasets",
                       "model_versions_kept"})) {
          return *error;
        }
        if (body.contains("name") && body["name"] != name) {
          return ValidationProblem("invalid plan",
                                   {FieldError{0, 0, "name", "must match the path"}});
        }
        std::vector<FieldError> errors;
        auto existing = ctx.gate.accounts().directory().Plan(name);
        auto plan =
            ParsePlan(name, body, existing.ok() ? std::optional(*existing) : std::nullopt, &errors);
        if (!plan.ok()) return ValidationProblem("invalid plan", errors);
        if (Status s = ctx.gate.accounts().store().PutPlan(*plan); !s.ok())
          return ProblemFromStatus(s);
        return ReloadThen(ctx, Json(200, PlanJson(*plan)));
      },
      AdminOnly());

  router.Add(
      "GET", "/admin/usage",
      [&ctx](HttpRequest& request) {
        std::string month = NowRfc3339().substr(0, 7);
        if (auto given = request.Query("month")) month = std::string(*given);
        if (!accounts::IsValidMonth(month)) {
          return ValidationProblem("invalid month", {FieldError{0, 0, "month", "must be YYYY-MM"}});
        }
        // Counts still in memory are written first, so the report includes them.
        if (Status s = ctx.gate.accounts().Flush(); !s.ok()) return ProblemFromStatus(s);
        auto report = accounts::UsageReport(ctx.gate.accounts().store(), month);
        if (!report.ok()) return ProblemFromStatus(report.status());
        json results = json::array();
        for (const auto& u : *report) {
          results.push_back({{"user", u.user_id},
                             {"plan", u.plan},
                             {"predicted_rows", u.predicted_rows},
                             {"training_seconds", u.training_seconds},
                             {"stored_bytes", u.stored_bytes},
                             {"cost",
                              {{"predictions", u.cost_predictions},
                               {"training", u.cost_training},
                               {"total", u.cost_total}}}});
        }
        return Json(200, {{"month", month}, {"results", results}});
      },
      AdminOnly({"month"}));
}

}  // namespace diamond::http
