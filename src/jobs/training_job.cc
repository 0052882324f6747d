#include "jobs/training_job.h"

#include <chrono>

#include "base/build_info.h"
#include "base/clock.h"
#include "core/diamond_json.h"
#include "ml/hyperparameters.h"
#include "ml/model_comparison.h"
#include "ml/model_file.h"
#include "service/job_payloads.h"
#include "service/training_request.h"

namespace diamond::jobs {
namespace {

using nlohmann::json;

// Training failed for a reason the user can act on; the message is shown on the job.
struct Failure {
  std::string message;
};

ml::DataLineage Lineage(const service::PinnedDataset& dataset) {
  return {"dataset:" + dataset.id + "@v" + std::to_string(dataset.version), dataset.sha256,
          dataset.rows};
}

json Summary(const ml::TrainingOutcome& outcome, const service::TrainJobPayload& payload,
             double seconds, const std::string& created_at) {
  const ml::Model& model = *outcome.model;
  json metrics = {{"train", ml::MetricsToJson(outcome.train_metrics)}};
  if (outcome.validation_result)
    metrics["validation"] = ml::MetricsToJson(outcome.validation_result->metrics);
  json summary = {
      {"algorithm", model.algorithm()},
      {"hyperparameters", json::parse(ml::HyperparametersToJson(outcome.spec).dump())},
      {"validation", payload.request.value("validation", json())},
      {"dataset", service::PinnedDatasetJson(payload.dataset)},
      {"cleaning", ml::CleaningToJson(outcome.cleaning)},
      {"rows_fit", outcome.rows_fit},
      {"metrics", metrics},
      {"feature_importances", json::parse(ml::ImportancesToJson(model).dump())},
      {"explanation_cost", model.ExplanationCost()},
      {"monotonicity", json::parse(ml::MonotonicityToJson(outcome.monotonicity).dump())}};
  // The algorithm's own facts: coefficients, or rounds and monotone constraints.
  const nlohmann::ordered_json facts = model.Summary();  // kept alive while iterated
  for (const auto& [key, value] : facts.items()) summary[key] = json::parse(value.dump());
  summary["interval_calibration"] =
      outcome.calibration ? json::parse(ml::CalibrationSummaryJson(*outcome.calibration).dump())
                          : json();
  if (outcome.validation_result && !outcome.validation_result->sample_actual.empty()) {
    summary["validation_sample"] = {{"actual", outcome.validation_result->sample_actual},
                                    {"predicted", outcome.validation_result->sample_predicted}};
  }
  if (outcome.search) summary["search"] = json::parse(ml::SearchToJson(*outcome.search).dump());
  summary["training_seconds"] = seconds;
  summary["trained_at"] = created_at;
  summary["binary_version"] = BinaryVersion();
  if (payload.validation_dataset) {
    summary["validation_dataset"] = service::PinnedDatasetJson(*payload.validation_dataset);
  }
  return summary;
}

// Reports progress at most every quarter second, and asks the store whether the job was
// cancelled at the same pace (each check is a query).
ml::ProgressObserver Observer(JobContext& context) {
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [&context, last](const ml::Progress& progress) {
    const auto now = std::chrono::steady_clock::now();
    if (now - *last < std::chrono::milliseconds(250)) return true;
    *last = now;
    context.ReportProgress(0.1 + 0.8 * progress.Fraction(), progress.Describe());
    return !context.CancelRequested();
  };
}

// One training run: the outcome, its model file and when it was made.
struct Fitted {
  ml::TrainingOutcome outcome;
  std::string model_file;
  std::string created_at;
  double seconds = 0;
};

Fitted Fit(const service::TrainJobPayload& payload, const service::TrainingRequest& request,
           JobContext& context, service::DatasetService& datasets) {
  const auto started = std::chrono::steady_clock::now();
  auto rows = datasets.LoadVersion(payload.dataset.segments);
  if (!rows.ok()) {
    throw Failure{rows.status().code() == StatusCode::kNotFound
                      ? "dataset '" + request.dataset_id + "' was deleted before training ran"
                      : rows.status().message()};
  }
  std::vector<Diamond> validation_rows;
  if (payload.validation_dataset) {
    auto loaded = datasets.LoadVersion(payload.validation_dataset->segments);
    if (!loaded.ok()) throw Failure{"validation dataset: " + loaded.status().message()};
    validation_rows = std::move(loaded).value();
  }
  context.ReportProgress(0.1, "data loaded");

  auto outcome = ml::Train(*rows, request.spec, request.validation, validation_rows,
                           request.search ? &*request.search : nullptr, Observer(context));
  if (!outcome.ok()) {
    throw Failure{outcome.status().code() == StatusCode::kCancelled ? "training cancelled"
                                                                    : outcome.status().message()};
  }
  context.ReportProgress(0.9, "writing the model");
  Fitted fitted{std::move(outcome).value(), "", NowRfc3339(), 0};
  fitted.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::optional<ml::DataLineage> validation_lineage;
  if (payload.validation_dataset) validation_lineage = Lineage(*payload.validation_dataset);
  fitted.model_file = ml::ModelToJson(fitted.outcome, Lineage(payload.dataset), validation_lineage,
                                      fitted.created_at)
                          .dump(2);
  if (context.CancelRequested()) throw Failure{"training cancelled"};
  return fitted;
}

service::TrainingRequest ParseRequest(const service::TrainJobPayload& payload) {
  std::vector<FieldError> errors;
  auto request = service::ParseTrainingRequest(payload.request, &errors);
  if (!request.ok()) throw Failure{"the job's training request is invalid"};
  return *std::move(request);
}

void Train(const JobRecord& job, JobContext& context, store::ModelStore& models,
           store::BlobStore& blobs, service::DatasetService& datasets, service::ModelCache& cache) {
  auto parsed = service::TrainJobPayload::Parse(job.payload_json);
  if (!parsed.ok()) throw Failure{parsed.status().message()};
  const service::TrainJobPayload& payload = *parsed;
  const service::TrainingRequest request = ParseRequest(payload);
  const Fitted fitted = Fit(payload, request, context, datasets);

  // One key per attempt: an attempt that lost its lease and writes late cannot overwrite
  // the file a newer attempt recorded (and deletes only its own when the store refuses it).
  std::string key = "models/" + job.owner + "/" + job.model_id + "/" + job.id;
  key += "-a" + std::to_string(job.attempts) + ".json";
  if (Status s = blobs.Put(key, fitted.model_file); !s.ok()) throw Failure{s.message()};
  const json summary = Summary(fitted.outcome, payload, fitted.seconds, fitted.created_at);
  Status finished =
      models.FinishTraining(job.id, job.attempts, key, request.dataset_id, payload.dataset.version,
                            summary.dump(), request.promote, payload.versions_kept);
  if (!finished.ok()) {
    store::DeleteUnreferencedBlobs(blobs, {key});  // cancelled or deleted meanwhile
    throw Failure{finished.message()};
  }
  cache.Invalidate(job.owner, job.model_id);  // the next prediction loads the new version
}

// Retrains a kept version from its pinned data and records whether the model file came out
// the same (apart from when it was written).
void Reproduce(const JobRecord& job, JobContext& context, store::ModelStore& models,
               store::BlobStore& blobs, service::DatasetService& datasets) {
  auto parsed = service::ReproduceJobPayload::Parse(job.payload_json);
  if (!parsed.ok()) throw Failure{parsed.status().message()};
  const service::ReproduceJobPayload& payload = *parsed;
  const service::TrainingRequest request = ParseRequest(payload.training);
  const Fitted fitted = Fit(payload.training, request, context, datasets);

  auto original = blobs.Get(payload.artifact_key);
  if (!original.ok()) {
    throw Failure{"the file of version " + std::to_string(payload.version) +
                  " cannot be read: " + original.status().message()};
  }
  const auto parse = [](const std::string& text) {
    return nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  };
  const nlohmann::ordered_json was = parse(*original);
  if (was.is_discarded()) {
    throw Failure{"the file of version " + std::to_string(payload.version) + " is not JSON"};
  }
  const std::vector<std::string> differences =
      ml::ModelFileDifferences(was, parse(fitted.model_file));
  const json result = {
      {"job_id", job.id},
      {"reproduced_at", fitted.created_at},
      {"identical", differences.empty()},
      {"differences", differences},
      {"binary_version", BinaryVersion()},  // the reproducing build (the summary names the first)
      {"training_seconds", fitted.seconds},
  };
  std::string detail = differences.empty() ? "identical to version " : "differs from version ";
  detail += std::to_string(payload.version);
  if (!differences.empty()) {
    detail += " in";
    for (const std::string& place : differences) detail += " " + place;
  }
  Status finished =
      models.FinishReproduction(job.id, job.attempts, payload.version, result.dump(), detail);
  if (!finished.ok()) throw Failure{finished.message()};
}

// Runs `work`, recording a failure the user can act on as the job's error, and meters the
// attempt's time (whether it produced anything or not: the work was done).
template <typename Work>
void RunMetered(const JobRecord& job, store::JobQueue& job_queue, const TrainingObserver& trained,
                Work work) {
  const auto started = std::chrono::steady_clock::now();
  try {
    work();
  } catch (const Failure& failure) {
    RecordJobFailure(job_queue, job, failure.message);
  } catch (const json::exception& e) {
    RecordJobFailure(job_queue, job, std::string("the job's payload is damaged: ") + e.what());
  }
  if (trained) {
    trained(job.owner,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

}  // namespace

JobRunner::Executor MakeTrainingExecutor(store::ModelStore& models, store::JobQueue& job_queue,
                                         store::BlobStore& blobs, service::DatasetService& datasets,
                                         service::ModelCache& cache, TrainingObserver trained) {
  return [&models, &job_queue, &blobs, &datasets, &cache, trained](const JobRecord& job,
                                                                   JobContext& context) {
    RunMetered(job, job_queue, trained,
               [&] { Train(job, context, models, blobs, datasets, cache); });
  };
}

JobRunner::Executor MakeReproductionExecutor(store::ModelStore& models, store::JobQueue& job_queue,
                                             store::BlobStore& blobs,
                                             service::DatasetService& datasets,
                                             TrainingObserver trained) {
  return [&models, &job_queue, &blobs, &datasets, trained](const JobRecord& job,
                                                           JobContext& context) {
    RunMetered(job, job_queue, trained, [&] { Reproduce(job, context, models, blobs, datasets); });
  };
}

}  // namespace diamond::jobs
