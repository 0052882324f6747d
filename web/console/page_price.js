// Price a stone: the grades as selects (the lists come from the API's own schema), the
// numbers checked as the API checks them, and the answer of one or two models side by
// side — the price with its interval as a band, and the explanation as a waterfall.
import { call, listAll, stoneSchema } from "./api.js";
import { intervalBand, waterfall } from "./charts.js";
import { announce, el, formatNumber, money, problemBox, makePage, table } from "./ui.js";

// The API's limits for a stone it can price (core/diamond.cc, CheckPriceable).
const NUMBERS = [
  { name: "carat", label: "Carat", min: 0, exclusive: true, max: 10000, value: 1.05, step: "0.01" },
  { name: "depth", label: "Depth (%)", value: 61.9, step: "0.1" },
  { name: "table", label: "Table (%)", value: 56, step: "0.1" },
  { name: "x", label: "Length x (mm)", min: 0.1, max: 10000, value: 6.55, step: "0.01" },
  { name: "y", label: "Width y (mm)", min: 0.1, max: 10000, value: 6.59, step: "0.01" },
  { name: "z", label: "Depth z (mm)", min: 0.1, max: 10000, value: 4.07, step: "0.01" },
];
const DEFAULT_GRADES = { cut: "Ideal", color: "H", clarity: "SI2" };

function checkNumber(spec, text) {
  if (text.trim() === "") return `${spec.name} is required`;
  const value = Number(text);
  if (!Number.isFinite(value)) return `${spec.name} must be a number`;
  if (spec.min !== undefined && (spec.exclusive ? value <= spec.min : value < spec.min)) {
    return spec.exclusive ? `${spec.name} must be greater than ${spec.min} to be priced`
                          : `${spec.name} must be at least ${spec.min} mm to be priced`;
  }
  if (spec.max !== undefined && value > spec.max) return `${spec.name} must be at most ${spec.max} to be priced`;
  return null;
}

function field(id, label, control, hint) {
  const error = el("span", { class: "field-error", id: `${id}-error` });
  control.setAttribute("aria-describedby", `${id}-error`);
  return el("div", { class: "field" }, el("label", { for: id }, label), control, hint || null, error);
}

function setFieldError(form, name, message) {
  const input = form.querySelector(`[name="${name}"]`);
  const error = form.querySelector(`#stone-${name}-error`);
  if (!input || !error) return false;
  error.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return true;
}

// A model's details (whether it has an interval calibration), read once per page.
async function priceWith(models, modelId, stone, level) {
  if (!models.has(modelId)) models.set(modelId, call("GET", `/models/${encodeURIComponent(modelId)}`));
  const model = await models.get(modelId).catch((error) => { models.delete(modelId); throw error; });
  const query = { explain: "true" };
  if (model.interval_calibration && level) query.interval = level;
  const answer = await call("POST", `/models/${encodeURIComponent(modelId)}/predict`, { body: stone, query });
  return { model, prediction: answer.predictions[0] };
}

function resultColumn(modelId, { model, prediction }) {
  const e = prediction.explanation;
  return el("section", { class: "result", "aria-label": `Price by ${modelId}`, "data-model": modelId },
    el("h2", {}, modelId, el("span", { class: "muted" }, ` · ${model.algorithm}, version ${model.version ?? ""}`)),
    el("p", { class: "price" }, el("span", { class: "price-value", "data-price": prediction.price }, money(prediction.price)),
      prediction.interval ? el("span", { class: "muted" },
        ` ${Math.round(prediction.interval.level * 100)}% between ${money(prediction.interval.low)} and ${money(prediction.interval.high)}`) : null),
    intervalBand(prediction.price, prediction.interval),
    el("h3", {}, "Why this price"),
    waterfall(e, prediction.price),
    el("details", {}, el("summary", {}, "Factors as a table"),
      table(["feature", "value", "factor"], e.factors.map((f) => [f.feature, typeof f.value === "number" ? formatNumber(f.value, 4) : f.value, f.factor.toFixed(4)]),
            `Base price ${money(e.base_price)} times every factor gives ${money(prediction.price)}`)));
}

export async function renderPrice() {
  const [schema, models] = await Promise.all([stoneSchema(), listAll("/models")]);
  const ids = models.map((m) => m.id_);
  if (!ids.length) {
    return makePage("Price a stone", el("p", {}, "No models yet: ", el("a", { href: "#/models" }, "train one"), " first."));
  }
  const form = el("form", { class: "stone-form", novalidate: true });
  const results = el("div", { class: "results", "aria-live": "polite" });
  const page = makePage("Price a stone", form, results);
  const details = new Map();
  const modelSelect = (id, withNone) => el("select", { id, name: id },
    withNone ? el("option", { value: "" }, "(none)") : null, ids.map((m) => el("option", { value: m }, m)));
  form.append(
    el("fieldset", {}, el("legend", {}, "Models"),
      field("model-a", "Model", modelSelect("model-a", false)),
      field("model-b", "Compare with", modelSelect("model-b", true)),
      field("level", "Interval", el("select", { id: "level", name: "level" },
        ["0.5", "0.8", "0.9", "0.95"].map((l) => el("option", { value: l, selected: l === "0.9" }, `${Math.round(l * 100)}%`))))),
    el("fieldset", {}, el("legend", {}, "Grades"),
      ["cut", "color", "clarity"].map((g) => field(`stone-${g}`, g[0].toUpperCase() + g.slice(1),
        el("select", { id: `stone-${g}`, name: g }, schema.properties[g].enum.map((v) =>
          el("option", { value: v, selected: v === DEFAULT_GRADES[g] }, v)))))),
    el("fieldset", {}, el("legend", {}, "Measurements"),
      NUMBERS.map((n) => field(`stone-${n.name}`, n.label, el("input", {
        id: `stone-${n.name}`, name: n.name, type: "number", inputmode: "decimal", step: n.step,
        min: n.min, max: n.max, value: n.value, required: true })))),
    el("button", { type: "submit", class: "primary" }, "Price"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const stone = {};
    let invalid = false;
    for (const n of NUMBERS) {
      const message = checkNumber(n, String(data.get(n.name)));
      setFieldError(form, n.name, message);
      if (message) invalid = true;
      stone[n.name] = Number(data.get(n.name));
    }
    for (const g of ["cut", "color", "clarity"]) stone[g] = String(data.get(g));
    if (invalid) {
      announce("Some measurements need fixing");
      form.querySelector("[aria-invalid=true]").focus();
      return;
    }
    const chosen = [String(data.get("model-a")), String(data.get("model-b"))].filter((m, i, all) => m && all.indexOf(m) === i);
    results.replaceChildren(el("p", { class: "muted" }, "Pricing…"));
    try {
      const answers = await Promise.all(chosen.map((m) => priceWith(details, m, stone, String(data.get("level")))));
      results.replaceChildren(el("div", { class: "columns" }, answers.map((a, i) => resultColumn(chosen[i], a))));
      announce(`Priced at ${money(answers[0].prediction.price)}`);
    } catch (error) {
      // The API's field errors land next to their inputs; the rest is shown above them.
      for (const e of (error.problem && error.problem.errors) || []) setFieldError(form, e.field || e.column, e.message);
      results.replaceChildren(problemBox(error));
      announce("The API refused the stone");
    }
  });
  return page;
}
