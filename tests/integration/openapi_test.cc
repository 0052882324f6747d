// /openapi.json is a valid OpenAPI 3.1 document and describes exactly the routes the
// router serves: a route added without documentation (or documented but gone) fails here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "http/api.h"
#include "http/openapi_document.h"
#include "http/service_stack.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

std::set<std::string> DocumentedRoutes() {
  std::set<std::string> routes;
  auto doc = nlohmann::json::parse(http::OpenApiDocument());
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert(upper + " " + path);
    }
  }
  return routes;
}

// The routes of a real Api (services on SQLite in memory and a temporary blob directory).
std::set<std::string> ServedRoutes() {
  TempDir dir;
  http::StackOptions options;
  options.metadata_path = ":memory:";
  options.blob_dir = dir.path();
  options.job_workers = 0;
  auto stack = http::ServiceStack::Open(options);
  EXPECT_TRUE(stack.ok());
  std::set<std::string> routes;
  for (const auto& route : (*stack)->api().router().routes()) routes.insert(route.method + " " + route.pattern);
  return routes;
}

TEST(OpenApi, DocumentsExactlyTheRoutesServed) {
  const auto documented = DocumentedRoutes();
  const auto served = ServedRoutes();
  for (const auto& route : served) EXPECT_TRUE(documented.count(route)) << "undocumented: " << route;
  for (const auto& route : documented) EXPECT_TRUE(served.count(route)) << "documented, not served: " << route;
  EXPECT_GE(served.size(), 25u);
}

TEST(OpenApi, ValidatesAgainstTheOpenApi31Schema) {
  const std::string validator = std::string(DIAMOND_SOURCE_DIR) + "/web/validate_openapi.mjs";
  ASSERT_TRUE(std::filesystem::exists(std::string(DIAMOND_SOURCE_DIR) +
                                      "/web/node_modules/@seriousme/openapi-schema-validator"))
      << "run scripts/bootstrap.sh (npm ci in web/)";
  TempDir dir;
  WriteFile(dir / "openapi.json", std::string(http::OpenApiDocument()));
  CommandResult valid = RunCommand({"/usr/bin/env", "node", validator, (dir / "openapi.json").string()});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  EXPECT_NE(valid.out.find("valid OpenAPI 3.1"), std::string::npos);

  // The validator must be able to say no, or the check above means nothing.
  auto broken = nlohmann::json::parse(http::OpenApiDocument());
  broken["paths"]["/healthz"]["get"].erase("responses");
  broken["info"].erase("title");
  WriteFile(dir / "broken.json", broken.dump());
  CommandResult invalid = RunCommand({"/usr/bin/env", "node", validator, (dir / "broken.json").string()});
  EXPECT_NE(invalid.exit_code, 0) << invalid.out;
}

}  // namespace
}  // namespace diamond::testing
