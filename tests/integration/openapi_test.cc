// /openapi.json is a valid OpenAPI 3.1 document and describes exactly the routes the
// router serves: a route added without documentation (or documented but gone) fails here.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/api_stack.h"
#include "app/backends.h"
#include "http/api.h"
#include "http/openapi_document.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

// "METHOD /path" -> the access the document states (x-access: public, user or admin).
std::map<std::string, std::string> DocumentedRoutes() {
  std::map<std::string, std::string> routes;
  auto doc = nlohmann::json::parse(http::OpenApiDocument());
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes[upper + " " + path] = operation.value("x-access", "");
      // A public operation says so in OpenAPI terms too (no security requirement).
      if (operation.value("x-access", "") == "public") {
        EXPECT_EQ(operation["security"], nlohmann::json::array()) << upper << " " << path;
      } else {
        EXPECT_EQ(operation["responses"].count("401"), 1u) << upper << " " << path;
      }
    }
  }
  return routes;
}

std::string AccessName(http::Access access) {
  switch (access) {
    case http::Access::kPublic:
      return "public";
    case http::Access::kUser:
      return "user";
    case http::Access::kAdmin:
      return "admin";
  }
  return "?";
}

// The routes of a real Api (services on SQLite in memory and a temporary blob directory).
std::map<std::string, std::string> ServedRoutes() {
  TempDir dir;
  app::StackOptions options;
  options.app.jobs.workers = 0;
  auto stores = app::OpenBackends({"sqlite::memory:", "file:" + dir.path().string()});
  EXPECT_TRUE(stores.ok());
  if (!stores.ok()) return {};
  auto stack = app::ApiStack::Open(options, std::move(stores).value());
  EXPECT_TRUE(stack.ok());
  std::map<std::string, std::string> routes;
  for (const auto& route : (*stack)->api().router().routes()) {
    routes[route.method + " " + route.pattern] = AccessName(route.options.access);
  }
  return routes;
}

TEST(OpenApi, DocumentsExactlyTheRoutesServedWithTheirAccess) {
  const auto documented = DocumentedRoutes();
  const auto served = ServedRoutes();
  for (const auto& [route, access] : served) {
    ASSERT_TRUE(documented.count(route)) << "undocumented: " << route;
    // The auth matrix test trusts x-access; this keeps it honest.
    EXPECT_EQ(documented.at(route), access) << route;
  }
  for (const auto& [route, access] : documented)
    EXPECT_TRUE(served.count(route)) << "documented, not served: " << route;
  EXPECT_GE(served.size(), 35u);
}

TEST(OpenApi, ValidatesAgainstTheOpenApi31Schema) {
  const std::string validator = std::string(DIAMOND_SOURCE_DIR) + "/web/validate_openapi.mjs";
  ASSERT_TRUE(std::filesystem::exists(std::string(DIAMOND_SOURCE_DIR) +
                                      "/web/node_modules/@seriousme/openapi-schema-validator"))
      << "run scripts/bootstrap.sh (npm ci in web/)";
  TempDir dir;
  WriteFile(dir / "openapi.json", std::string(http::OpenApiDocument()));
  CommandResult valid =
      RunCommand({"/usr/bin/env", "node", validator, (dir / "openapi.json").string()});
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  EXPECT_NE(valid.out.find("valid OpenAPI 3.1"), std::string::npos);

  // The validator must be able to say no, or the check above means nothing.
  auto broken = nlohmann::json::parse(http::OpenApiDocument());
  broken["paths"]["/healthz"]["get"].erase("responses");
  broken["info"].erase("title");
  WriteFile(dir / "broken.json", broken.dump());
  CommandResult invalid =
      RunCommand({"/usr/bin/env", "node", validator, (dir / "broken.json").string()});
  EXPECT_NE(invalid.exit_code, 0) << invalid.out;
}

}  // namespace
}  // namespace diamond::testing
