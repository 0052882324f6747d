#include "http/handlers/resource_json.h"

#include <algorithm>
#include <iterator>

#include "core/diamond_json.h"

namespace diamond::http {

nlohmann::json DatasetVersionFields(const DatasetVersion& v) {
  return {{"version", v.version},
          {"rows", v.rows},
          {"bytes", v.bytes},
          {"sha256", v.sha256},
          {"segments", v.segments.size()}};
}

nlohmann::json DatasetJson(const DatasetRecord& d, const std::string& prefix) {
  nlohmann::json out = DatasetVersionFields(d.current);
  out["id_"] = d.id;
  out["id"] = d.id;
  out["location"] = prefix + "/datasets/" + d.id;
  out["created_at"] = d.created_at;
  out["updated_at"] = d.updated_at;
  if (auto stats = ParseJson(d.current.stats_json); stats.ok()) {
    nlohmann::json s = *stats;
    for (auto& [name, column] : s["columns"].items()) column.erase("sum");  // internal
    out["columns"] = s["columns"];
    out["grades"] = s["grades"];
  }
  return out;
}

nlohmann::json ModelJson(const ModelRecord& m, const std::string& prefix,
                         const std::string& viewer) {
  nlohmann::json out = {{"id_", m.id},
                        {"id", m.id},
                        {"location", prefix + "/models/" + m.id},
                        {"owner", m.owner},
                        {"shared", m.shared},
                        {"status", ModelStatusName(m.status)},
                        {"version", m.version},
                        {"created_at", m.created_at},
                        {"updated_at", m.updated_at}};
  // The training side (jobs, requests, errors) is the owner's business only.
  if (viewer == m.owner) {
    out["job_id"] = m.job_id;
    out["job_location"] = prefix + "/jobs/" + m.job_id;
    if (!m.error.empty()) out["error"] = m.error;
    if (auto request = ParseJson(m.request_json); request.ok()) out["latest_request"] = *request;
  }
  // What the current (servable) version is: lineage, metrics, coefficients, timings.
  // Another user pricing with a shared model sees only what pricing needs — the
  // algorithm, its features and hyperparameters, its accuracy, how sure its intervals
  // can be — and nothing of the owner's data (dataset ids, hashes, row counts).
  if (auto summary = ParseJson(m.summary_json); summary.ok() && summary->is_object()) {
    static const char* const kForViewers[] = {
        "algorithm",           "hyperparameters",      "metrics",
        "feature_importances", "interval_calibration", "rounds",
        "trained_at",          "monotone_constraints", "monotonicity"};
    for (auto& [key, value] : summary->items()) {
      if (viewer == m.owner) {
        out[key] = value;
        continue;
      }
      if (std::find(std::begin(kForViewers), std::end(kForViewers), key) == std::end(kForViewers))
        continue;
      out[key] = value;
    }
    if (viewer != m.owner) {
      for (const char* set : {"train", "validation"}) {
        if (out.contains("metrics") && out["metrics"].contains(set))
          out["metrics"][set].erase("rows");
      }
      if (out.contains("interval_calibration") && out["interval_calibration"].is_object()) {
        out["interval_calibration"].erase("rows");
      }
    }
  }
  return out;
}

nlohmann::json JobJson(const JobRecord& j, const std::string& prefix) {
  nlohmann::json out = {
      {"id", j.id},
      {"location", prefix + "/jobs/" + j.id},
      {"kind", j.kind},
      {"state", JobStateName(j.state)},
      {"progress", j.progress},
      {"progress_detail", j.progress_detail},
      {"attempts", j.attempts},
      {"cancel_requested", j.cancel_requested},
      {"created_at", j.created_at},
      {"started_at", j.started_at.empty() ? nlohmann::json() : nlohmann::json(j.started_at)},
      {"finished_at", j.finished_at.empty() ? nlohmann::json() : nlohmann::json(j.finished_at)}};
  if (!j.model_id.empty()) {  // an upload's completion has no model
    out["model_id"] = j.model_id;
    out["model_location"] = prefix + "/models/" + j.model_id;
  }
  if (!j.error.empty()) out["error"] = j.error;
  return out;
}

nlohmann::json ModelVersionJson(const ModelVersionRecord& v, const std::string& prefix) {
  nlohmann::json out = {
      {"version", v.version},
      {"champion", v.champion},
      {"aliases", v.aliases},
      {"location", prefix + "/models/" + v.model_id + "/versions/" + std::to_string(v.version)},
      {"created_at", v.created_at},
      {"job_id", v.job_id},
      {"dataset", {{"id", v.dataset_id}, {"version", v.dataset_version}}}};
  if (auto request = ParseJson(v.request_json); request.ok()) out["request"] = *request;
  if (auto summary = ParseJson(v.summary_json); summary.ok()) out["summary"] = *summary;
  out["reproduction"] = nullptr;  // never reproduced
  if (auto reproduction = ParseJson(v.reproduction_json); reproduction.ok()) {
    out["reproduction"] = *reproduction;
  }
  return out;
}

nlohmann::json AliasMoveJson(const AliasMove& move) {
  return {{"alias", move.alias},
          {"from_version",
           move.from_version == 0 ? nlohmann::json(nullptr) : nlohmann::json(move.from_version)},
          {"to_version", move.to_version},
          {"by", move.actor},
          {"reason", move.reason},
          {"at", move.at}};
}

}  // namespace diamond::http
