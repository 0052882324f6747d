// Route registration, one function per resource (each in its own file).
#pragma once

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

}  // namespace diamond::http
