// What `diamond serve` and `diamond lambda` share: the stores the storage flags name, the
// data-dir lock when they live under --data-dir (data_dir_lock.h), and the service stack
// over them, configured from the same flags. Only how requests arrive differs (a socket,
// or the Lambda Runtime API).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "app/api_stack.h"
#include "app/commands.h"
#include "app/data_dir_lock.h"
#include "core/status.h"

namespace diamond::app {

struct ServingStack {
  std::unique_ptr<DataDirLock> lock;  // declared first: released after the stack is gone
  std::unique_ptr<ApiStack> stack;
  std::string storage;  // what the stores are, for the start-up line
};

// Opens the stores and the stack; the message says what went wrong and which flag to fix.
// Logs the blobs a crash left behind, and prints where a first admin's key was written.
Result<ServingStack> OpenServingStack(const ServeArgs& args);

}  // namespace diamond::app
