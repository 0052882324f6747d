// Multipart uploads over the public API, against the real binary: parts in any order,
// resume after kill -9, completion all-or-nothing, and every hostile request we could
// think of answered precisely.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/sha256.h"
#include "integration/cluster.h"
#include "integration/server_process.h"
#include "store/s3_blob_store.h"

namespace diamond::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int64_t kMinPart = 1000;  // --upload-min-part: small parts keep the tests quick

// The reference data with a leading free-text column whose quoted values hold commas,
// doubled quotes and line breaks (the dataset keeps only the stone columns).
std::string NotedCsv(size_t copies) {
  const std::string reference = ReadFile(*ReferenceCsv());
  std::string out = "note," + reference.substr(0, reference.find('\n') + 1);
  size_t row = 0;
  for (size_t c = 0; c < copies; ++c) {
    size_t at = reference.find('\n') + 1;
    while (at < reference.size()) {
      const size_t end = reference.find('\n', at);
      out += (row++ % 2 ? "\"a, \"\"quoted\"\"\nnote\"," : "plain,");
      out.append(reference, at, end - at + 1);
      at = end + 1;
    }
  }
  return out;
}

// Cuts `text` into parts of about `size` bytes, each cut inside a quoted field if one is
// near (so records, and quoted fields, span parts).
std::vector<std::string> Parts(const std::string& text, size_t size) {
  std::vector<std::string> parts;
  for (size_t at = 0; at < text.size();) {
    size_t cut = std::min(text.size(), at + size);
    if (cut < text.size()) {
      const size_t quote = text.find("\"\"quoted", cut);
      if (quote != std::string::npos && quote < cut + 200) cut = quote + 3;
    }
    parts.push_back(text.substr(at, cut - at));
    at = cut;
  }
  return parts;
}

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: NOT checked";
    server_ = std::make_unique<ServerProcess>(
        dir_ / "data",
        std::vector<std::string>{"--quiet", "--upload-min-part", std::to_string(kMinPart)});
  }

  std::string Open(const std::string& dataset, const std::string& body = R"({"format": "csv"})") {
    HttpResult r = server_->PostJson("/datasets/" + dataset + "/uploads", body);
    EXPECT_EQ(r.status, 201) << r.body;
    const json created = json::parse(r.body);
    EXPECT_EQ(r.Header("location"), created["location"]);
    EXPECT_TRUE(
        r.Header("location").ends_with("/uploads/" + created["upload_id"].get<std::string>()));
    EXPECT_EQ(created["min_part_bytes"], kMinPart);
    return created["upload_id"];
  }
  HttpResult Part(const std::string& upload, int n, const std::string& bytes,
                  const std::vector<std::string>& headers = {}) {
    return server_->Request("PUT", "/uploads/" + upload + "/parts/" + std::to_string(n), bytes,
                            "application/octet-stream", headers);
  }
  HttpResult Complete(const std::string& upload) {
    return server_->Request("POST", "/uploads/" + upload + "/complete");
  }
  // Blobs under uploads/ in the store the server writes (its data directory, or the
  // cluster's S3 bucket). An upload's parts are the store's parts (S3 multipart parts,
  // part files), not blobs: only a completion makes one, and removes it when done.
  std::vector<std::string> UploadBlobs() {
    std::vector<std::string> keys;
    if (server_->cluster() != nullptr) {
      auto s3 = store::S3BlobStore::Open(server_->cluster()->blobs_url());
      EXPECT_TRUE(s3.ok()) << s3.status().message();
      if (!s3.ok()) return {"(no S3)"};
      auto listed = (*s3)->List("uploads/");
      EXPECT_TRUE(listed.ok()) << listed.status().message();
      for (const auto& blob : listed.value()) keys.push_back(blob.key);
      return keys;
    }
    const fs::path root = dir_ / "data" / "blobs" / "uploads";
    if (!fs::exists(root)) return keys;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) keys.push_back(fs::relative(entry.path(), root).string());
    }
    return keys;
  }
  // Sets of parts the file store holds open (a directory of part files each).
  size_t OpenPartSets() {
    const fs::path root = dir_ / "data" / "blobs" / ".tmp-parts";
    if (!fs::exists(root)) return 0;
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(root), fs::directory_iterator()));
  }
  // The dataset as PUT in one body would store it: the reference for every upload.
  std::string OneShotRows(const std::string& csv) {
    EXPECT_EQ(server_->Request("PUT", "/datasets/one-shot", csv, "text/csv").status, 200);
    return server_->Get("/datasets/one-shot/rows").body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(UploadTest, PartsInAnyOrderWithQuotedFieldsAcrossThemMakeTheSameDatasetAsOneBody) {
  const std::string csv = NotedCsv(2);
  const auto parts = Parts(csv, 20000);
  ASSERT_GE(parts.size(), 10u);
  const std::string upload = Open("parted");
  // Backwards, and part 2 first sent wrong and then again: the second send replaces it.
  ASSERT_EQ(Part(upload, 2, std::string(parts[1].size(), 'x')).status, 200);
  for (size_t i = parts.size(); i-- > 0;) {
    HttpResult r =
        Part(upload, static_cast<int>(i + 1), parts[i],
             {"x-checksum-sha256: " + Sha256Hex(parts[i]), "Content-MD5: " + Md5Base64(parts[i])});
    ASSERT_EQ(r.status, 200) << r.body;
    const json stored = json::parse(r.body);
    EXPECT_EQ(stored["part"], i + 1);
    EXPECT_EQ(stored["bytes"], parts[i].size());
    EXPECT_EQ(stored["sha256"], Sha256Hex(parts[i]));
  }
  const json listed = json::parse(server_->Get("/uploads/" + upload).body);
  EXPECT_EQ(listed["state"], "open");
  EXPECT_EQ(listed["parts"].size(), parts.size());
  EXPECT_EQ(UploadBlobs(), std::vector<std::string>{}) << "parts are the store's parts, not blobs";
  EXPECT_EQ(listed["bytes"], csv.size());
  EXPECT_EQ(listed["parts"][1]["sha256"], Sha256Hex(parts[1]));

  HttpResult done = Complete(upload);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["rows"], 10000);
  EXPECT_EQ(server_->Get("/datasets/parted/rows").body, OneShotRows(csv));
  const json one_shot = json::parse(server_->Get("/datasets/one-shot").body);
  EXPECT_EQ(json::parse(done.body)["sha256"], one_shot["sha256"]);
  EXPECT_EQ(json::parse(done.body)["bytes"], one_shot["bytes"]);
  EXPECT_EQ(json::parse(server_->Get("/uploads/" + upload).body)["state"], "completed");

  HttpResult again = Complete(upload);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("already completed"), std::string::npos) << again.body;
  EXPECT_EQ(Part(upload, 1, parts[0]).status, 409) << "a completed upload takes no more parts";
  // The parts, and the blob they made, are gone once their rows are in the dataset.
  EXPECT_EQ(UploadBlobs(), std::vector<std::string>{});
  if (!server_->cluster()) {
    EXPECT_EQ(OpenPartSets(), 0u);
  }
}

TEST_F(UploadTest, AppendAddsRowsToTheCurrentVersion) {
  const std::string reference = ReadFile(*ReferenceCsv());
  ASSERT_EQ(server_->Request("PUT", "/datasets/grow", reference, "text/csv").status, 200);
  const std::string once = OneShotRows(reference);
  auto stored = [&] {
    return json::parse(server_->Get("/me").body)["usage"]["stored_bytes"].get<int64_t>();
  };
  const int64_t stored_before = stored();
  const std::string upload = Open("grow", R"({"format": "csv", "mode": "append"})");
  ASSERT_EQ(Part(upload, 1, reference).status, 200);
  HttpResult done = Complete(upload);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["version"], 2);
  EXPECT_EQ(json::parse(done.body)["rows"], 10000);
  const std::string grown = server_->Get("/datasets/grow/rows").body;
  EXPECT_EQ(grown, once + once.substr(once.find('\n') + 1));
  EXPECT_EQ(json::parse(done.body)["sha256"], Sha256Hex(grown))
      << "the hash covers the first version's rows too";
  EXPECT_EQ(json::parse(done.body)["bytes"], grown.size());
  // The first version's rows are not copied: the new version is that segment and one more,
  // which is all the space it takes.
  EXPECT_EQ(json::parse(done.body)["segments"], 2);
  EXPECT_EQ(stored() - stored_before, static_cast<int64_t>(grown.size() - once.size()));
  // An append through the dataset route adds a third.
  HttpResult more = server_->Request(
      "POST", "/datasets/grow", reference.substr(0, reference.find('\n', 200) + 1), "text/csv");
  ASSERT_EQ(more.status, 200) << more.body;
  EXPECT_EQ(json::parse(more.body)["segments"], 3);
  const std::string third = server_->Get("/datasets/grow/rows").body;
  EXPECT_EQ(third.substr(0, grown.size()), grown);
  EXPECT_EQ(json::parse(more.body)["sha256"], Sha256Hex(third));
  EXPECT_EQ(
      json::parse(
          server_->PostJson("/datasets/nope/uploads", R"({"mode": "append"})").body)["status"],
      404);
}

TEST_F(UploadTest, JsonUploadsJoinTheirParts) {
  const std::string upload = Open("stones", R"({"format": "json"})");
  const std::string body =
      R"([{"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2", "depth": 61.5,
      "table": 55, "x": 4.3, "y": 4.31, "z": 2.65, "price": 500},
      {"carat": 1.5, "cut": "Premium", "color": "G", "clarity": "SI1", "depth": 62, "table": 58,
      "x": 7.3, "y": 7.31, "z": 4.5, "price": 9000}])";
  // Part 1 must reach the minimum; pad with JSON whitespace.
  const std::string part1 = std::string(kMinPart, ' ') + body.substr(0, 50);
  ASSERT_EQ(Part(upload, 1, part1).status, 200);
  ASSERT_EQ(Part(upload, 2, body.substr(50)).status, 200);
  HttpResult done = Complete(upload);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["rows"], 2);
}

TEST_F(UploadTest, HostileRequestsGetPreciseAnswers) {
  const std::string upload = Open("hostile");
  for (const char* bad : {"0", "10001", "-1", "abc", "1.5", "99999999999999999999"}) {
    HttpResult r = server_->Request("PUT", "/uploads/" + upload + "/parts/" + bad, "x", "text/csv");
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_NE(r.body.find("from 1 to 10000"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Part(upload, 1, "").status, 422);
  HttpResult md5 = Part(upload, 1, "carat\n", {"Content-MD5: " + Md5Base64("other")});
  EXPECT_EQ(md5.status, 400) << md5.body;
  EXPECT_NE(md5.body.find("checksum-mismatch"), std::string::npos);
  HttpResult sha = Part(upload, 1, "carat\n", {"x-checksum-sha256: " + Sha256Hex("other")});
  EXPECT_EQ(sha.status, 400) << sha.body;
  EXPECT_EQ(Part(upload, 1, "carat\n", {"x-checksum-sha256: nonsense"}).status, 422);
  EXPECT_TRUE(json::parse(server_->Get("/uploads/" + upload).body)["parts"].empty())
      << "mismatched parts are not stored";

  EXPECT_EQ(Complete(upload).status, 409) << "no parts yet";
  const std::string csv = NotedCsv(1);
  ASSERT_EQ(Part(upload, 1, csv.substr(0, 5000)).status, 200);
  ASSERT_EQ(Part(upload, 3, csv.substr(10000)).status, 200);
  HttpResult gap = Complete(upload);
  EXPECT_EQ(gap.status, 409) << gap.body;
  EXPECT_NE(gap.body.find("parts are missing: 2"), std::string::npos) << gap.body;
  ASSERT_EQ(Part(upload, 2, csv.substr(5000, 10)).status, 200);  // under the minimum, and not last
  HttpResult small = Complete(upload);
  EXPECT_EQ(small.status, 409) << small.body;
  EXPECT_NE(small.body.find("part 2 has 10 bytes"), std::string::npos) << small.body;

  // Another tenant's upload is not there at all.
  const std::string mallory = server_->CreateUserWithKey("mallory");
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/uploads/" + upload},
           {"PUT", "/uploads/" + upload + "/parts/4"},
           {"POST", "/uploads/" + upload + "/complete"},
           {"DELETE", "/uploads/" + upload}}) {
    HttpResult r =
        server_->RequestAs(mallory, method, path, method == "PUT" ? "x" : "", "text/csv");
    EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
  }
  EXPECT_EQ(server_->Get("/uploads/" + upload).status, 200);

  // A bad row anywhere: nothing is written, and the problem names it.
  const std::string broken = Open("broken");
  std::string rows = "carat,cut,color,clarity,depth,table,x,y,z\n";
  for (int i = 0; i < 30; ++i) rows += "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n";
  const std::string bad_row = "0.3,Fine,E,VS2,61.5,55,4.3,4.31,2.65\n",
                    good_row = "0.3,Good,E,VS2,61.5,55,4.3,4.31,2.65\n";
  ASSERT_EQ(Part(broken, 1, rows + bad_row).status, 200);
  ASSERT_EQ(Part(broken, 2, good_row).status, 200);
  HttpResult invalid = Complete(broken);
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(json::parse(invalid.body)["errors"][0]["row"], 31);
  EXPECT_EQ(json::parse(invalid.body)["errors"][0]["column"], "cut");
  EXPECT_EQ(server_->Get("/datasets/broken").status, 404);
  // The refused upload is open again with its parts as they were (copied out of the blob
  // the completion assembled): replacing one part keeps the other byte for byte, and
  // replacing the bad one makes it complete.
  const json after = json::parse(server_->Get("/uploads/" + broken).body);
  EXPECT_EQ(after["state"], "open");
  ASSERT_EQ(after["parts"].size(), 2u);
  EXPECT_EQ(after["parts"][0]["sha256"], Sha256Hex(rows + bad_row));
  ASSERT_EQ(Part(broken, 2, good_row + good_row).status, 200);
  HttpResult still = Complete(broken);
  EXPECT_EQ(still.status, 422) << still.body;
  EXPECT_EQ(json::parse(still.body)["errors"][0]["row"], 31) << "part 1 is the one sent";
  ASSERT_EQ(Part(broken, 1, rows + good_row).status, 200);
  HttpResult fixed = Complete(broken);
  ASSERT_EQ(fixed.status, 200) << fixed.body;
  EXPECT_EQ(json::parse(fixed.body)["rows"], 33);
  const std::string malformed = Open("malformed");
  ASSERT_EQ(Part(malformed, 1, "carat,cut,color,clarity,depth,table,x,y,z\n\"0.3,Ideal\n").status,
            200);
  EXPECT_EQ(Complete(malformed).status, 400);

  // Aborted: gone, parts and all.
  const size_t open_before = OpenPartSets();
  ASSERT_EQ(server_->Request("DELETE", "/uploads/" + upload).status, 200);
  EXPECT_EQ(server_->Get("/uploads/" + upload).status, 404);
  EXPECT_EQ(Part(upload, 1, "x").status, 404);
  if (!server_->cluster()) {
    EXPECT_EQ(OpenPartSets(), open_before - 1);
  }
  EXPECT_EQ(UploadBlobs(), std::vector<std::string>{}) << "no assembled blob is left behind";
}

TEST_F(UploadTest, UploadsPastThePlansLimitsCommitNothing) {
  server_->PutPlan("small",
                   R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 1000,
      "max_dataset_rows": 1000, "max_models": 2, "max_training_jobs": 1, "price_per_1k_rows": 1,
      "price_per_training_minute": 1, "max_stored_bytes": 150000, "max_datasets": 5})");
  const std::string carol = server_->CreateUserWithKey("carol", "small");
  server_->UseKey(carol);
  const std::string csv = ReadFile(*ReferenceCsv());
  // More bytes in parts than the plan stores: refused at the part.
  const std::string big = Open("big");
  HttpResult too_big = Part(big, 1, csv.substr(0, 160000));
  EXPECT_EQ(too_big.status, 403) << too_big.body;
  EXPECT_NE(too_big.body.find("max_stored_bytes"), std::string::npos) << too_big.body;
  // More rows than the plan's dataset holds: refused at completion, nothing written.
  const std::string rows = Open("rows");
  size_t end = 0;
  for (int line = 0; line <= 2000; ++line) end = csv.find('\n', end) + 1;  // header + 2000 rows
  ASSERT_EQ(Part(rows, 1, csv.substr(0, end)).status, 200);
  HttpResult limited = Complete(rows);
  EXPECT_EQ(limited.status, 403) << limited.body;
  EXPECT_NE(limited.body.find("max_dataset_rows"), std::string::npos) << limited.body;
  EXPECT_EQ(server_->Get("/datasets/rows").status, 404);
}

TEST_F(UploadTest, AnUploadExpires) {
  server_ = nullptr;
  server_ = std::make_unique<ServerProcess>(
      dir_ / "data", std::vector<std::string>{"--quiet", "--upload-expiry", "1", "--blob-grace",
                                              "0", "--upload-min-part", std::to_string(kMinPart)});
  const std::string upload = Open("late");
  ASSERT_EQ(Part(upload, 1, "carat,cut\n").status, 200);
  ASSERT_EQ(OpenPartSets(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(server_->Get("/uploads/" + upload).status, 404);
  EXPECT_EQ(Complete(upload).status, 404);
  server_->Restart();  // a blob GC round at start deletes expired uploads and their parts
  EXPECT_EQ(OpenPartSets(), 0u);
  EXPECT_EQ(UploadBlobs(), std::vector<std::string>{});
}

// kill -9 between parts, and during a completion: the upload resumes where it stopped and
// the dataset is byte for byte what an uninterrupted upload makes.
TEST_F(UploadTest, KillNineMidUploadAndMidCompletionThenResume) {
  const std::string csv = NotedCsv(40);  // 200,000 rows: a completion takes a while
  const auto parts = Parts(csv, 2 << 20);
  ASSERT_GE(parts.size(), 4u);
  const std::string upload = Open("resumed");
  for (size_t i = 0; i < parts.size() / 2; ++i)
    ASSERT_EQ(Part(upload, static_cast<int>(i + 1), parts[i]).status, 200);
  server_->Stop(SIGKILL);
  server_->Start();
  // Resume: ask what arrived, send the rest.
  const json listed = json::parse(server_->Get("/uploads/" + upload).body);
  ASSERT_EQ(listed["parts"].size(), parts.size() / 2);
  for (size_t i = listed["parts"].size(); i < parts.size(); ++i) {
    ASSERT_EQ(Part(upload, static_cast<int>(i + 1), parts[i]).status, 200);
  }
  // Complete, and kill the server while it works on it.
  std::thread completing([&] { Complete(upload); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server_->Stop(SIGKILL);
  completing.join();
  server_->Start();
  HttpResult again = Complete(upload);
  ASSERT_TRUE(again.status == 200 ||
              (again.status == 409 && again.body.find("already completed") != std::string::npos))
      << again.status << " " << again.body;
  RecordProperty("completion_cut_short", again.status == 200 ? "yes" : "no (it had committed)");
  const std::string stored = server_->Get("/datasets/resumed/rows").body;
  EXPECT_EQ(json::parse(server_->Get("/datasets/resumed").body)["version"], 1)
      << "one version, not two";
  EXPECT_TRUE(stored == OneShotRows(csv)) << "the resumed upload differs from one made in one go";
}

// Uploads over 100,000 bytes complete in a job (--upload-background-bytes).
class LargeUploadTest : public UploadTest {
 protected:
  void SetUp() override {
    if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: NOT checked";
    server_ = std::make_unique<ServerProcess>(
        dir_ / "data",
        std::vector<std::string>{"--quiet", "--upload-min-part", std::to_string(kMinPart),
                                 "--upload-background-bytes", "100000"});
  }

  // Sends every part, asks for the completion: 202, a job.
  std::string Queue(const std::string& upload, const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i)
      EXPECT_EQ(Part(upload, static_cast<int>(i + 1), parts[i]).status, 200);
    HttpResult accepted = Complete(upload);
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    const json queued = json::parse(accepted.body);
    EXPECT_EQ(queued["state"], "completing");
    EXPECT_TRUE(accepted.Header("location").ends_with("/uploads/" + upload));
    return queued.value("job_id", "");
  }
  json WaitForState(const std::string& upload, const std::string& state) {
    json seen;
    EXPECT_TRUE(Eventually(
        [&] {
          seen = json::parse(server_->Get("/uploads/" + upload).body);
          return seen["state"] == state;
        },
        std::chrono::seconds(120)))
        << seen.dump();
    return seen;
  }
  void WaitForJob(const std::string& job, const std::string& state) {
    json seen;  // the job ends just after what it did is committed
    EXPECT_TRUE(Eventually([&] {
      seen = json::parse(server_->Get("/jobs/" + job).body);
      return seen["state"] == state;
    })) << seen.dump();
  }
};

// A large upload completes in a job: 202 at once; meanwhile the upload is "completing" (no
// parts taken, a second completion names the same job); then completed, byte for byte what
// one body makes. A job that finds invalid rows leaves the upload open, with the 422 a
// request would have answered; a corrected part and a new completion then commit it.
// `diamond upload` follows such a job to its end.
TEST_F(LargeUploadTest, CompletesInAJobAndReportsFailuresOnTheUpload) {
  const std::string csv = NotedCsv(4);
  const std::string upload = Open("background");
  const std::string job = Queue(upload, Parts(csv, 100000));
  HttpResult again = Complete(upload);
  if (again.status == 202) {
    EXPECT_EQ(json::parse(again.body)["job_id"], job) << "one job completes an upload";
  } else {
    EXPECT_EQ(again.status, 409) << again.body;  // it finished already
  }
  EXPECT_EQ(Part(upload, 1, "carat\n").status, 409) << "a completing upload takes no parts";
  EXPECT_EQ(WaitForState(upload, "completed")["dataset_version"], 1);
  WaitForJob(job, "succeeded");
  EXPECT_EQ(json::parse(server_->Get("/jobs/" + job).body)["kind"], "upload-complete");
  EXPECT_TRUE(server_->Get("/datasets/background/rows").body == OneShotRows(csv))
      << "the dataset differs from one made in one go";

  // Invalid rows, found by the job.
  const std::string good = ReadFile(*ReferenceCsv());
  std::string bad = good;
  const size_t row = bad.find('\n', 1000) + 1;
  bad.replace(row, bad.find(',', row) - row, "heavy");  // a carat that is no number
  const std::string fixable = Open("background");
  const auto bad_parts = Parts(bad, 50000);
  const std::string failed_job = Queue(fixable, bad_parts);
  const json reopened = WaitForState(fixable, "open");
  EXPECT_EQ(reopened["last_error"]["status"], 422) << reopened.dump();
  ASSERT_EQ(reopened["last_error"]["errors"].size(), 1u) << reopened.dump();
  EXPECT_EQ(reopened["last_error"]["errors"][0]["column"], "carat");
  EXPECT_EQ(reopened["job_id"], failed_job);
  WaitForJob(failed_job, "failed");
  ASSERT_EQ(Part(fixable, 1, good.substr(0, bad_parts[0].size() + good.size() - bad.size())).status,
            200)
      << "an upload the job refused takes parts again";
  HttpResult retried = Complete(fixable);
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_NE(json::parse(retried.body)["job_id"], failed_job);
  EXPECT_EQ(WaitForState(fixable, "completed")["dataset_version"], 2);
  EXPECT_EQ(server_->Get("/datasets/background/rows").body, OneShotRows(good));

  const fs::path file = dir_ / "large.csv";
  WriteFile(file, csv);
  ::setenv("DIAMOND_API_KEY", server_->admin_key().c_str(), 1);
  CommandResult uploaded = RunCommand({DIAMOND_BINARY, "upload", "--server", server_->base_url(),
                                       "by-command", file.string(), "--part-bytes", "100000"});
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.err;
  EXPECT_NE(uploaded.err.find("completes the upload in a job"), std::string::npos) << uploaded.err;
  const json by_command = json::parse(server_->Get("/datasets/by-command").body);
  EXPECT_NE(uploaded.out.find("dataset by-command version 1: 20000 rows"), std::string::npos)
      << uploaded.out;
  EXPECT_NE(uploaded.out.find(by_command["sha256"].get<std::string>()), std::string::npos)
      << uploaded.out;
}

// kill -9 of the server while its worker completes an upload: the restarted server's
// worker runs the job again, and the upload commits once, byte for byte.
TEST_F(LargeUploadTest, ACompletionJobCutShortByKillNineIsFinishedByTheNextAttempt) {
  const std::string csv = NotedCsv(40);  // 200,000 rows: a completion takes a while
  const std::string upload = Open("background");
  const std::string job = Queue(upload, Parts(csv, 2 << 20));
  server_->Stop(SIGKILL);
  server_->Start();
  EXPECT_EQ(WaitForState(upload, "completed")["dataset_version"], 1);
  WaitForJob(job, "succeeded");
  RecordProperty("completion_attempts",
                 json::parse(server_->Get("/jobs/" + job).body)["attempts"].dump());
  EXPECT_EQ(json::parse(server_->Get("/datasets/background").body)["version"], 1)
      << "one version, not two";
  EXPECT_TRUE(server_->Get("/datasets/background/rows").body == OneShotRows(csv))
      << "the dataset differs from one made in one go";
}

// `diamond upload`: parts in parallel; killed mid-way (the server, here, with kill -9), the
// same command resumes and sends only what is missing; the dataset is the file's rows.
TEST_F(UploadTest, TheUploadCommandResumesAnInterruptedUpload) {
  const std::string csv = NotedCsv(20);
  const fs::path file = dir_ / "stones.csv";
  WriteFile(file, csv);
  ::setenv("DIAMOND_API_KEY", server_->admin_key().c_str(), 1);
  const std::vector<std::string> command = {DIAMOND_BINARY,      "upload", "--server",
                                            server_->base_url(), "sent",   file.string(),
                                            "--part-bytes",      "20000"};
  const fs::path state = file.string() + ".diamond-upload";

  CommandResult first;
  std::vector<std::string> serial = command;
  serial.insert(serial.end(), {"--parallel", "1"});
  std::thread client([&] { first = RunCommand(serial); });
  // Once some parts are on the server, take the server away.
  const bool started = Eventually(
      [&] {
        if (!fs::exists(state)) return false;
        const json upload = json::parse(ReadFile(state))["upload_id"];
        const HttpResult r = server_->Get("/uploads/" + upload.get<std::string>());
        return r.status == 200 && json::parse(r.body)["parts"].size() >= 5;
      },
      std::chrono::seconds(30));
  server_->Stop(SIGKILL);
  client.join();
  ASSERT_TRUE(started) << first.err;
  EXPECT_NE(first.exit_code, 0);
  EXPECT_NE(first.err.find("run the same command again to resume"), std::string::npos) << first.err;
  ASSERT_TRUE(fs::exists(state));

  server_->Start();
  CommandResult second = RunCommand(command);  // --parallel 4, the default
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("resuming upload"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("(0 part(s) already"), std::string::npos) << second.err;
  EXPECT_NE(second.out.find("dataset sent version 1: 100000 rows"), std::string::npos)
      << second.out;
  EXPECT_FALSE(fs::exists(state)) << "a finished upload leaves no resume file";
  EXPECT_TRUE(server_->Get("/datasets/sent/rows").body == OneShotRows(csv));

  // Without a key, or with a file that is not there: one clear line, exit 2.
  ::unsetenv("DIAMOND_API_KEY");
  CommandResult keyless = RunCommand(command);
  EXPECT_EQ(keyless.exit_code, 2);
  EXPECT_NE(keyless.err.find("DIAMOND_API_KEY"), std::string::npos) << keyless.err;
  ::setenv("DIAMOND_API_KEY", server_->admin_key().c_str(), 1);
  CommandResult missing = RunCommand({DIAMOND_BINARY, "upload", "--server", server_->base_url(),
                                      "x", (dir_ / "nope.csv").string()});
  EXPECT_EQ(missing.exit_code, 2);
  ::unsetenv("DIAMOND_API_KEY");
}

}  // namespace
}  // namespace diamond::testing
