// A client generated from diamond's OpenAPI document, used the way an application would:
// openapi-typescript turns /openapi.json into `paths` (schema.d.ts, written by the test),
// openapi-fetch makes typed calls from it. tsc --strict compiles this file against the
// generated types first, so a route, parameter or field the document gets wrong fails the
// build; then node runs it against a live server (scripts/test_generated_client.sh).
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// Node's globals, declared here rather than from @types/node (one dependency fewer).
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const base = process.env.DIAMOND_URL!;
const client = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${process.env.DIAMOND_API_KEY}` } });

function check(condition: boolean, what: string): void {
  if (!condition) {
    console.error(`generated client: ${what}`);
    process.exit(1);
  }
}

const stones = [
  { carat: 0.3, cut: "Ideal" as const, color: "E" as const, clarity: "VS1" as const, depth: 61.5, table: 55, price: 700, x: 4.3, y: 4.31, z: 2.65 },
  { carat: 1.05, cut: "Premium" as const, color: "H" as const, clarity: "SI2" as const, depth: 61.9, table: 56, price: 4500, x: 6.55, y: 6.59, z: 4.07 },
  { carat: 0.7, cut: "Very Good" as const, color: "G" as const, clarity: "VS2" as const, depth: 62.1, table: 57, price: 2400, x: 5.66, y: 5.7, z: 3.52 },
  { carat: 1.5, cut: "Good" as const, color: "I" as const, clarity: "SI1" as const, depth: 63.0, table: 58, price: 7600, x: 7.2, y: 7.25, z: 4.55 },
  { carat: 0.5, cut: "Ideal" as const, color: "F" as const, clarity: "VVS2" as const, depth: 61.8, table: 56, price: 1900, x: 5.1, y: 5.13, z: 3.16 },
  { carat: 2.01, cut: "Fair" as const, color: "J" as const, clarity: "I1" as const, depth: 65.2, table: 59, price: 8900, x: 7.9, y: 7.84, z: 5.13 },
];

const me = await client.GET("/me");
check(me.response.status === 200 && me.data?.role === "admin", `GET /me: ${me.response.status}`);

const put = await client.PUT("/datasets/{dataset_id}", { params: { path: { dataset_id: "generated" } }, body: stones });
check(put.response.status === 200 && put.data?.rows === stones.length, `PUT /datasets: ${put.response.status}`);

const trained = await client.PUT("/models/{model_id}", {
  params: { path: { model_id: "generated" }, query: { wait: 60 } },
  body: { dataset_id: "generated", validation: { holdout: 0 } },
});
check(trained.response.status === 201, `PUT /models: ${trained.response.status} ${JSON.stringify(trained.error)}`);

const priced = await client.POST("/models/{model_id}/predict", {
  params: { path: { model_id: "generated" }, query: { explain: true } },
  body: { carat: 1.05, cut: "Ideal", color: "H", clarity: "SI2", depth: 61.9, table: 56, x: 6.55, y: 6.59, z: 4.07 },
});
const prediction = priced.data?.predictions?.[0];
check(priced.response.status === 200 && typeof prediction?.price === "number" && prediction.price > 0,
      `POST /predict: ${priced.response.status}`);
let product = prediction!.explanation!.base_price!;
for (const factor of prediction!.explanation!.factors!) product *= factor.factor!;
check(Math.abs(product - prediction!.price!) < 1e-6 * prediction!.price!, "the explanation multiplies back to the price");

// An error arrives as the typed problem document.
const missing = await client.GET("/datasets/{dataset_id}", { params: { path: { dataset_id: "nowhere" } } });
check(missing.response.status === 404 && missing.error?.status === 404, `GET a missing dataset: ${missing.response.status}`);

const listed = await client.GET("/models", { params: { query: { page: 0, page_size: 10 } } });
check(listed.data?.results?.some((m) => m.id_ === "generated") === true, "GET /models lists the model");

console.log(`generated client: ok (price ${prediction!.price})`);
