#include "http/handlers/handlers.h"

namespace diamond::http {

void RegisterRoutes(Router& router, ApiContext& context) {
  RegisterOpsRoutes(router, context);
  RegisterDatasetRoutes(router, context);
  RegisterUploadRoutes(router, context);
  RegisterBatchRoutes(router, context);
  RegisterModelRoutes(router, context);
  RegisterJobRoutes(router, context);
  RegisterPriceRoutes(router, context);
  RegisterAccountRoutes(router, context);
  RegisterOipRoutes(router, context);
  RegisterConsoleRoutes(router, context);
}

}  // namespace diamond::http
