// Hostile input, table-driven: every bad request gets the precise problem+json status the
// API promises, and the server stays up (checked after every case).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "integration/server_process.h"
#include "integration/test_data.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

constexpr const char* kCsv = kSmallCsv;

struct Case {
  const char* name;
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;
  long status;
  std::string type;  // problem type without the /problems/ prefix
};

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string WithField(const std::string& field, const std::string& literal) {
  json stone = json::parse(kStone);
  std::string text = stone.dump();
  const std::string key = "\"" + field + "\":";
  const size_t start = text.find(key) + key.size();
  const size_t end = text.find_first_of(",}", start);
  return text.substr(0, start) + literal + text.substr(end);
}

// A CSV with a NUL byte inside a grade.
const std::string kNulCsv =
    std::string("carat,cut,color,clarity,depth,table,price,x,y,z\n0.3,Ideal") +
    std::string(1, '\0') + ",E,VS2,61.5,55,650,4.3,4.31,2.65\n";

std::vector<Case> Cases() {
  std::vector<Case> cases = {
      {"malformed_json", "POST", "/models/m/predict", "{\"carat\": ", "application/json", 400,
       "malformed-body"},
      {"trailing_garbage", "POST", "/models/m/predict", std::string(kStone) + " x",
       "application/json", 400, "malformed-body"},
      // Deep nesting is valid JSON of the wrong shape: 422, without recursing on the stack.
      {"deeply_nested_predict", "POST", "/models/m/predict", Nested(1000000), "application/json",
       422, "validation"},
      {"deeply_nested_dataset", "POST", "/datasets/d", Nested(1000000), "application/json", 422,
       "validation"},
      // Other JSON is parsed into a document: nesting beyond 64 levels is refused as it parses.
      {"deeply_nested_training", "PUT", "/models/m2", Nested(1000000), "application/json", 400,
       "malformed-body"},
      {"deeply_nested_in_a_field", "PUT", "/models/m2", "{\"dataset_id\": " + Nested(100000) + "}",
       "application/json", 400, "malformed-body"},
      {"unclosed_nesting", "POST", "/models/m/predict", std::string(100000, '['),
       "application/json", 400, "malformed-body"},
      {"number_overflow", "POST", "/models/m/predict", WithField("carat", "1e999"),
       "application/json", 400, "malformed-body"},
      {"nan_literal", "POST", "/models/m/predict", WithField("carat", "NaN"), "application/json",
       400, "malformed-body"},
      {"infinity_literal", "POST", "/models/m/predict", WithField("x", "Infinity"),
       "application/json", 400, "malformed-body"},
      {"huge_carat_unpriceable", "POST", "/models/m/predict",
       WithField("carat", "123456789012345678901234567890"), "application/json", 422, "validation"},
      {"huge_integer_in_query_page", "GET", "/datasets?page=99999999999999999999&page_size=10", "",
       "", 422, "validation"},
      {"page_overflow", "GET", "/datasets?page=9223372036854775807&page_size=1000", "", "", 422,
       "validation"},
      {"negative_wait", "PUT", "/models/m2?wait=-1", "{\"dataset_id\": \"d\"}", "application/json",
       422, "validation"},
      {"invalid_utf8_in_string", "POST", "/models/m/predict", WithField("cut", "\"Ide\xff\xfe\""),
       "application/json", 400, "malformed-body"},
      {"invalid_utf8_in_csv", "POST", "/datasets/d",
       "carat,cut,color,clarity,depth,table,price,x,y,z\n0.3,Ide\xff,E,VS2,61.5,55,650,4.3,4.31,2."
       "65\n",
       "text/csv", 422, "validation"},
      {"nul_in_csv", "POST", "/datasets/d", kNulCsv, "text/csv", 422, "validation"},
      {"binary_garbage_csv", "POST", "/datasets/d",
       std::string("\x00\x01\x02\xff,\"\"\"\n\r\n", 10), "text/csv", 400, "malformed-body"},
      {"empty_json_body", "POST", "/models/m/predict", "", "application/json", 400,
       "malformed-body"},
      {"wrong_shape", "POST", "/models/m/predict", "\"a stone\"", "application/json", 422,
       "validation"},
      {"array_of_numbers", "POST", "/models/m/predict", "[1, 2, 3]", "application/json", 422,
       "validation"},
      {"training_body_array", "PUT", "/models/m2", "[]", "application/json", 422, "validation"},
      {"training_unknown_field", "PUT", "/models/m2", "{\"dataset_id\": \"d\", \"evil\": 1}",
       "application/json", 422, "validation"},
      {"unknown_query_parameter", "GET", "/models?page=0&debug=true", "", "", 422, "validation"},
      {"query_on_a_route_without_any", "GET", "/healthz?x=1", "", "", 422, "validation"},
      {"bad_percent_escape_in_query", "GET", "/datasets?page=%zz", "", "", 400, "bad-request"},
      {"wrong_method_root", "DELETE", "/", "", "", 405, "method-not-allowed"},
      {"wrong_method_predict", "GET", "/models/m/predict", "", "", 405, "method-not-allowed"},
      {"wrong_method_jobs", "POST", "/jobs", "", "", 405, "method-not-allowed"},
      {"wrong_content_type", "PUT", "/models/m2", "dataset_id=d",
       "application/x-www-form-urlencoded", 415, "unsupported-media-type"},
  };
  // Path traversal and junk in every id of every route that takes one.
  const std::vector<std::string> bad_ids = {
      "..",     "%2e%2e",        "..%2Fetc%2Fpasswd", "a%2Fb",
      "%00",    "-leading-dash", ".hidden",           std::string(65, 'x'),
      "%C3%A9", "a%20b"};
  const std::vector<std::pair<std::string, std::string>> templates = {
      {"GET", "/datasets/{}"},
      {"PUT", "/datasets/{}"},
      {"POST", "/datasets/{}"},
      {"DELETE", "/datasets/{}"},
      {"DELETE", "/dataset/{}"},
      {"GET", "/datasets/{}/rows"},
      {"GET", "/models/{}"},
      {"PUT", "/models/{}"},
      {"DELETE", "/models/{}"},
      {"POST", "/models/{}/predict"},
      {"POST", "/models/{}/prices"},
      {"GET", "/models/m/prices/{}"},
      {"POST", "/models/m/prices/{}"},
      {"DELETE", "/models/m/prices/{}"},
      {"GET", "/jobs/{}"},
      {"DELETE", "/jobs/{}"}};
  static std::vector<std::string> names;  // Case holds const char*; keep the strings alive
  names.reserve(templates.size() * bad_ids.size());
  for (const auto& [method, pattern] : templates) {
    for (const auto& id : bad_ids) {
      std::string path = pattern;
      path.replace(path.find("{}"), 2, id);
      names.push_back("id " + method + " " + path);
      const bool has_body = method == "PUT" || method == "POST";
      cases.push_back({names.back().c_str(), method, path, has_body ? std::string(kStone) : "",
                       has_body ? "application/json" : "", 422, "validation"});
    }
  }
  return cases;
}

class HostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // 4 s: short enough for the slow-loris checks, long enough for a ThreadSanitizer
    // build under parallel load to read the 2 MB nesting bodies (2 s was not).
    server_ = new ServerProcess(
        dir_->path() / "data",
        {"--quiet", "--idle-timeout", "4", "--header-timeout", "4", "--body-grace", "4"});
    ASSERT_EQ(server_->Request("PUT", "/datasets/d", kCsv, "text/csv").status, 200);
    ASSERT_EQ(server_->PutJson("/models/m", R"({"dataset_id": "d", "validation": {"holdout": 0}})")
                  .status,
              201);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* HostileInput::dir_ = nullptr;
ServerProcess* HostileInput::server_ = nullptr;

TEST_F(HostileInput, EveryCaseGetsItsProblemAndTheServerStaysUp) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    HttpResult r = server_->Request(c.method, c.path, c.body, c.content_type);
    EXPECT_EQ(r.status, c.status) << r.body.substr(0, 300);
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    json body = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r.body.substr(0, 300);
    EXPECT_EQ(body["type"], "/problems/" + c.type);
    ASSERT_EQ(server_->Get("/healthz").status, 200) << "the server went down";
  }
  // Nothing was written by any of them.
  EXPECT_EQ(json::parse(server_->Get("/datasets/d").body)["rows"], 6);
  EXPECT_EQ(json::parse(server_->Get("/datasets").body)["total_pages"], 1);
}

TEST_F(HostileInput, HugeHeadersAre431) {
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + std::string(20000, 'a') + "\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string response = ReadAll(fd);
  ::close(fd);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 431")) << response.substr(0, 200);
  EXPECT_NE(response.find("/problems/headers-too-large"), std::string::npos);
  EXPECT_EQ(server_->Get("/healthz").status, 200);
}

TEST_F(HostileInput, GarbageRequestLineIs400) {
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  const std::string request = "\x01\x02 NOT HTTP\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string response = ReadAll(fd);
  ::close(fd);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400")) << response.substr(0, 200);
}

TEST_F(HostileInput, SlowLorisConnectionsAreClosedByTheReadTimeout) {
  // Several connections each send half a request and then nothing: each is closed after
  // --header-timeout (4 s here) without an answer, while others are served meanwhile.
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    const std::string partial =
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";
    ::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  EXPECT_EQ(server_->Get("/healthz").status, 200);
  const auto started = std::chrono::steady_clock::now();
  for (int fd : fds) {
    EXPECT_EQ(ReadAll(fd), "");  // closed by the server: recv returns 0, not a timeout
    ::close(fd);
  }
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(waited, 12.0);
  // A body that stops halfway is cut off by its rate rule (--body-grace, 4 s here).
  int fd = Connect(server_->port());
  const std::string half =
      "POST /datasets/d HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: "
      "1000\r\n\r\ncarat,";
  ::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
  EXPECT_EQ(ReadAll(fd), "");
  ::close(fd);
  EXPECT_EQ(json::parse(server_->Get("/datasets/d").body)["rows"], 6);
}

}  // namespace
}  // namespace diamond::testing
