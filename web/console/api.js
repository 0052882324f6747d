// The console's only way to the server: the public API under /v1, with the key signed in
// with. The key lives in this tab's sessionStorage only — never in a URL, a cookie or a
// log — and signing out removes it.
const KEY = "diamond.apiKey";

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function key() { return sessionStorage.getItem(KEY); }
export function signIn(value) { sessionStorage.setItem(KEY, value); }
export function signOut() { sessionStorage.removeItem(KEY); }

// JSON in, JSON out; a problem document becomes an ApiError. `body` may be a string
// (sent as is with `contentType`) or a value (sent as JSON).
export async function call(method, path, { body, contentType, query, accept } = {}) {
  const headers = { Authorization: `Bearer ${key()}` };
  if (accept) headers.Accept = accept;
  let payload;
  if (body !== undefined) {
    payload = typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body);
    headers["Content-Type"] = contentType || "application/json";
  }
  const url = "/v1" + path + (query ? "?" + new URLSearchParams(query).toString() : "");
  const response = await fetch(url, { method, headers, body: payload });
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : { detail: data });
  return data;
}

// A listing, every page (pages are 0-based, as the original service's).
export async function listAll(path) {
  const items = [];
  for (let page = 0; ; page += 1) {
    const answer = await call("GET", path, { query: { page, page_size: 1000 } });
    items.push(...answer.results);
    if (!answer.next_page_location) return items;
  }
}

// A part upload with progress (fetch has no upload progress; XMLHttpRequest does).
export function putWithProgress(path, blob, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", "/v1" + path);
    request.setRequestHeader("Authorization", `Bearer ${key()}`);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.addEventListener("progress", (e) => onProgress(e.loaded));
    request.addEventListener("load", () => {
      const data = request.responseText ? JSON.parse(request.responseText) : {};
      if (request.status >= 200 && request.status < 300) resolve(data);
      else reject(new ApiError(request.status, data));
    });
    request.addEventListener("error", () => reject(new ApiError(0, { title: "Network error", detail: "the upload was interrupted" })));
    request.send(blob);
  });
}

// The stone schema of the OpenAPI document: the grade lists come from the server.
let schemaPromise;
export function stoneSchema() {
  schemaPromise ||= fetch("/openapi.json").then((r) => r.json()).then((d) => d.components.schemas.DataSample);
  return schemaPromise;
}

// Each grade scale worst to best (Fair → Ideal, J → D, I1 → IF), as the schema lists them:
// charts and selects show grades in this order, never alphabetically.
export async function gradeScales() {
  const schema = await stoneSchema();
  return Object.fromEntries(["cut", "color", "clarity"].map((g) => [g, schema.properties[g].enum]));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
