# Turns INPUT into a C++ source at OUTPUT defining diamond::http::OpenApiDocument().
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by embed_file.cmake; do not edit.\n"
  "#include \"http/openapi_document.h\"\n"
  "namespace diamond::http {\n"
  "namespace { const char kBytes[] = {${bytes} 0}; }\n"
  "std::string_view OpenApiDocument() { return {kBytes, ${size}}; }\n"
  "}  // namespace diamond::http\n")
