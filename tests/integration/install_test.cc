// An installed tree (issue 28): `cmake --install` puts the binary in PREFIX/bin and the
// files it serves in PREFIX/share/diamond, and the installed binary serves /docs and
// /console from there with no flags — nothing points back into the build tree.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/server_process.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

namespace fs = std::filesystem;

TEST(Install, AnInstalledTreeServesDocsAndConsoleWithoutFlags) {
  TempDir dir;
  const fs::path prefix = dir / "prefix";
  CommandResult installed =
      RunCommand({DIAMOND_CMAKE, "--install", DIAMOND_BUILD_DIR, "--prefix", prefix.string()});
  ASSERT_EQ(installed.exit_code, 0) << installed.out << installed.err;
  ASSERT_TRUE(fs::exists(prefix / "bin" / "diamond"));
  EXPECT_TRUE(fs::exists(prefix / "share" / "diamond" / "docs" / "swagger-ui-bundle.js"));
  EXPECT_TRUE(fs::exists(prefix / "share" / "diamond" / "console" / "index.html"));

  ServerProcess server(dir / "data", {}, (prefix / "bin" / "diamond").string());
  EXPECT_EQ(server.Get("/docs").status, 200);
  HttpResult bundle = server.Get("/docs/swagger-ui-bundle.js");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_GT(bundle.body.size(), 100000u);
  HttpResult console = server.RequestAs("", "GET", "/console");
  EXPECT_EQ(console.status, 200) << console.body.substr(0, 300);
  // Found, so no warning about missing files at start.
  EXPECT_EQ(server.Log().find("files are missing"), std::string::npos) << server.Log();

  // Given a directory without them, serve says so at start.
  ServerProcess bare(dir / "bare", {"--web-dir", (dir / "nowhere").string()});
  EXPECT_NE(bare.Log().find("the API reference page's files are missing"), std::string::npos)
      << bare.Log();
}

}  // namespace
}  // namespace diamond::testing
