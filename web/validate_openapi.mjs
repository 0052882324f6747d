// Validates an OpenAPI document against the official 3.0/3.1 JSON schemas bundled in
// @seriousme/openapi-schema-validator. Usage: node validate_openapi.mjs FILE
// Exit 0 if valid; otherwise prints the errors and exits 1.
import { Validator } from "@seriousme/openapi-schema-validator";
import { readFileSync } from "node:fs";

const validator = new Validator();
const result = await validator.validate(JSON.parse(readFileSync(process.argv[2], "utf8")));
if (!result.valid) {
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
console.log(`valid OpenAPI ${validator.version}`);
