// The OpenAPI 3.1 document (src/http/openapi.json), compiled into the binary.
#pragma once

#include <string_view>

namespace diamond::http {

std::string_view OpenApiDocument();

}  // namespace diamond::http
