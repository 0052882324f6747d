// Route registration, one function per resource (each in its own file).
#pragma once

#include "core/diamond_csv.h"
#include "http/api.h"
#include "http/router.h"

namespace diamond::http {

void RegisterOpsRoutes(Router& router, ApiContext& context);
void RegisterDatasetRoutes(Router& router, ApiContext& context);
void RegisterUploadRoutes(Router& router, ApiContext& context);
void RegisterBatchRoutes(Router& router, ApiContext& context);
void RegisterModelRoutes(Router& router, ApiContext& context);
void RegisterJobRoutes(Router& router, ApiContext& context);
void RegisterPriceRoutes(Router& router, ApiContext& context);
void RegisterAccountRoutes(Router& router, ApiContext& context);
void RegisterOipRoutes(Router& router, ApiContext& context);      // Open Inference Protocol V2
void RegisterConsoleRoutes(Router& router, ApiContext& context);  // the staff console's files

// The answer to an upload completion that failed with `status` (invalid rows: 422 listing
// them; a malformed stream: 400; else the status's problem). Also what a completion job
// records on the upload when it fails (upload_handlers.cc).
HttpResponse CompletionProblem(const Status& status, const InvalidRows& invalid);

}  // namespace diamond::http
