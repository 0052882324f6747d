// Where `diamond serve` finds the files it serves at /docs (swagger-ui-dist's) and
// /console (the staff console's), when --web-dir and --console-dir do not say.
//
// An installed binary (`cmake --install`, `make install PREFIX=…`) finds them beside
// itself, in ../share/diamond/{docs,console} relative to its own path, wherever the tree
// was installed; a binary run from its build tree finds them where the build put them.
#pragma once

#include <string>

namespace diamond::app {

// <the running binary's directory>/../share/diamond/<installed> if it holds `marker`,
// else `build_tree_dir`.
std::string DefaultAssetDir(const std::string& installed, const std::string& marker,
                            const std::string& build_tree_dir);

// Warns (one log line each) when --web-dir or --console-dir lacks the files the routes
// serve: the API works, but /docs or /console would answer 503.
void WarnIfAssetsMissing(const std::string& web_dir, const std::string& console_dir);

}  // namespace diamond::app
