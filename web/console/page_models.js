// Models: the list, training with a form (algorithm, hyperparameters, an optional search
// grid) whose job is watched live, and one model's metrics, feature importances,
// interval calibration, and its versions with a rollback of the champion.
import { call, listAll, sleep } from "./api.js";
import { bars, scatter } from "./charts.js";
import { announce, el, formatNumber, problemBox, makePage, table } from "./ui.js";

const LINEAR_FEATURES = ["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z", "volume",
                         "eccentricity", "table_distance", "depth_distance", "volume_per_carat"];

// "max_depth=2,3,4" lines into {"max_depth": [2, 3, 4]}.
function parseGrid(text) {
  const grid = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const [name, values] = line.split("=");
    if (!values) throw new Error(`grid line '${line}': write name=value,value`);
    grid[name.trim()] = values.split(",").map((v) => (Number.isFinite(Number(v)) ? Number(v) : v.trim()));
  }
  return grid;
}

function trainForm(datasets, onTrained) {
  const algorithm = el("select", { id: "train-algorithm", name: "algorithm" },
    el("option", { value: "linear" }, "linear (the seed's)"), el("option", { value: "gbdt" }, "gradient-boosted trees"));
  const linear = el("fieldset", { id: "linear-params" }, el("legend", {}, "Linear features"),
    LINEAR_FEATURES.map((f) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "selector", value: f, checked: ["carat", "cut", "color", "clarity"].includes(f) }), f)),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "positive", checked: true }), "non-negative coefficients"));
  const number = (name, label, value, step) => el("div", { class: "field" }, el("label", { for: `train-${name}` }, label),
    el("input", { id: `train-${name}`, name, type: "number", value, step }));
  const gbdt = el("fieldset", { id: "gbdt-params", hidden: true }, el("legend", {}, "Trees"),
    number("max_depth", "max_depth", 3, "1"), number("learning_rate", "learning_rate", 0.1, "0.01"),
    number("n_estimators", "n_estimators", 400, "1"),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "monotone", checked: true }),
      "monotone: a better grade or a bigger stone never costs less"));
  algorithm.addEventListener("change", () => { linear.hidden = algorithm.value !== "linear"; gbdt.hidden = algorithm.value !== "gbdt"; });
  const progress = el("progress", { max: 1, value: 0, hidden: true, "aria-label": "Training progress" });
  const message = el("div", { "aria-live": "polite" });
  const form = el("form", { "aria-label": "Train a model" }, el("h2", {}, "Train"),
    el("div", { class: "field" }, el("label", { for: "train-id" }, "Model id"),
      el("input", { id: "train-id", name: "model", required: true, placeholder: "e.g. trees" })),
    el("div", { class: "field" }, el("label", { for: "train-dataset" }, "Dataset"),
      el("select", { id: "train-dataset", name: "dataset" }, datasets.map((d) => el("option", { value: d }, d)))),
    el("div", { class: "field" }, el("label", { for: "train-algorithm" }, "Algorithm"), algorithm),
    linear, gbdt,
    el("div", { class: "field" }, el("label", { for: "train-grid" }, "Search grid (optional, one name=values per line)"),
      el("textarea", { id: "train-grid", name: "grid", rows: 2, placeholder: "max_depth=2,3,4" })),
    el("button", { type: "submit", class: "primary" }, "Train"), progress, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const id = String(data.get("model"));
    const body = { dataset_id: String(data.get("dataset")), algorithm: algorithm.value };
    try {
      if (algorithm.value === "linear") {
        body.hyperparameters = { selector: data.getAll("selector"), positive: data.get("positive") === "on" };
      } else {
        body.hyperparameters = Object.fromEntries(["max_depth", "learning_rate", "n_estimators"].map((n) => [n, Number(data.get(n))]));
        body.hyperparameters.monotone = data.get("monotone") === "on";
      }
      const grid = String(data.get("grid") || "").trim();
      if (grid) body.search = { grid: parseGrid(grid) };
      // No wait: the job is followed here, so the page shows its progress.
      let job = await call("PUT", `/models/${encodeURIComponent(id)}`, { body, query: { wait: 0 } });
      progress.hidden = false;
      while (job.state === "queued" || job.state === "running") {
        progress.value = job.progress || 0;
        message.textContent = `Job ${job.state}, ${Math.round((job.progress || 0) * 100)}%`;
        await sleep(400);
        job = await call("GET", `/jobs/${job.job_id || job.id}`);
      }
      progress.value = 1;
      if (job.state !== "succeeded") throw Object.assign(new Error(job.error || `training ${job.state}`), { problem: { title: `Training ${job.state}`, detail: job.error } });
      message.replaceChildren("Trained: ", el("a", { href: `#/models/${encodeURIComponent(id)}` }, id));
      announce(`Model ${id} trained`);
      onTrained();
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
  });
  return form;
}

export async function renderModels() {
  const [models, datasets] = await Promise.all([listAll("/models"), listAll("/datasets")]);
  const list = el("div", {});
  const show = (items) => list.replaceChildren(items.length
    ? table(["model"], items.map((m) => [el("a", { href: `#/models/${encodeURIComponent(m.id_)}` }, m.id_)]), "Your models and shared ones")
    : el("p", {}, "No models yet."));
  show(models);
  return makePage("Models", list, datasets.length
    ? trainForm(datasets.map((d) => d.id_), async () => show(await listAll("/models")))
    : el("p", {}, "Upload a dataset first: ", el("a", { href: "#/datasets" }, "Datasets"), "."));
}

// The owner's view of the versions kept (the newest the plan keeps and those an alias
// names): which is the champion (what every price uses), what else names each one, whether
// a reproduction found it identical, a version's model card, and a rollback of the
// champion to the one before, asked to be confirmed first. Another user's shared model
// shows none of this: its versions are its owner's.
async function versionsSection(id, m) {
  if (!m.job_id) return null;
  const path = `/models/${encodeURIComponent(id)}`;
  const { versions } = await call("GET", `${path}/versions`);
  const status = el("div", { "aria-live": "polite" });
  const mae = (v) => {
    const validation = v.summary && v.summary.metrics && v.summary.metrics.validation;
    return validation ? formatNumber(validation.mae) : "—";
  };
  const reproduced = (v) => !v.reproduction ? "—"
    : v.reproduction.identical ? "identical" : `differs: ${v.reproduction.differences.join(" ")}`;
  const rows = versions.map((v) => [String(v.version),
    [v.champion ? "champion" : null, ...v.aliases].filter(Boolean).join(", ") || "—",
    v.created_at.replace("T", " ").slice(0, 16), `${v.dataset.id} version ${v.dataset.version}`,
    (v.request && v.request.algorithm) || "—", mae(v), reproduced(v)]);
  // A version's model card, as the API writes it in Markdown (shown as text, never HTML).
  const card = el("pre", { class: "model-card", "aria-live": "polite" });
  const which = el("select", { id: "card-version", "aria-label": "Version whose card to show" },
    ...versions.map((v) => el("option", { value: String(v.version) }, `version ${v.version}`)));
  const showCard = el("button", { type: "button", id: "show-card", onclick: async () => {
    try {
      card.textContent = await call("GET", `${path}/versions/${which.value}/card`, { accept: "text/markdown" });
    } catch (error) {
      card.replaceChildren(problemBox(error));
    }
  } }, "Show the model card");
  const rollback = versions.length > 1 ? el("button", { type: "button", id: "rollback", onclick: async () => {
    if (!window.confirm(`Serve the champion before version ${m.version} of ${id} again? Every price of this model changes.`)) return;
    try {
      const moved = await call("POST", `${path}/rollback`, { body: { reason: "rolled back in the console" } });
      status.replaceChildren(el("p", {}, `Rolled back: version ${moved.version} is the champion.`));
      announce(`Version ${moved.version} of ${id} is the champion`);
    } catch (error) {
      status.replaceChildren(problemBox(error));
    }
  } }, "Roll back the champion") : null;
  return el("section", { "aria-label": "Versions" },
    table(["version", "aliases", "trained (UTC)", "dataset", "algorithm", "validation MAE ($)", "reproduced"],
      rows, "Versions (the newest your plan keeps and any an alias names are kept)"),
    rollback, status, el("p", {}, which, " ", showCard), card);
}

export async function renderModel(id) {
  const m = await call("GET", `/models/${encodeURIComponent(id)}`);
  const metrics = m.metrics ? table(["set", "rows", "MAE ($)", "RMSE ($)", "MAPE", "R²"],
    Object.entries(m.metrics).map(([set, s]) => [set, formatNumber(s.rows), formatNumber(s.mae), formatNumber(s.rmse),
      `${(s.mape * 100).toFixed(1)}%`, s.r2.toFixed(4)]), "Errors") : null;
  const importances = (m.feature_importances || []).map((f) => ({ label: f.feature, value: f.importance }));
  const calibration = m.interval_calibration
    ? table(["level", "half-width factor"], Object.entries(m.interval_calibration.factor_by_level).map(([level, factor]) =>
        [level, `×${Number(factor).toFixed(3)} either side`]), `Intervals (${m.interval_calibration.method}, ${m.interval_calibration.rows} held-out rows)`)
    : el("p", {}, "No interval calibration (trained without held-out rows).");
  // A grid search's candidates, best first, scored by cross-validation on the training rows.
  const search = m.search ? table(["rank", "hyperparameters tried", `${m.search.metric} (mean ± std over ${m.search.folds} folds)`],
    [...m.search.candidates].sort((a, b) => a.rank - b.rank).map((c) => {
      const varied = Object.keys((m.latest_request && m.latest_request.search && m.latest_request.search.grid) || c.hyperparameters);
      const shown = varied.map((k) => `${k}=${JSON.stringify(c.hyperparameters[k])}`).join(", ");
      const score = c[m.search.metric] || c.mae;
      return [String(c.rank), shown, `${formatNumber(score.mean)} ± ${formatNumber(score.std)}`];
    }), "Grid search") : null;
  // The probe training ran: one-step grade upgrades and +5 … +50 % sizes of up to 400 stones.
  const probe = m.monotonicity ? table(["upgrade", "steps", "price drops", "worst drop"],
    Object.entries(m.monotonicity.checks).map(([kind, c]) => [kind, formatNumber(c.steps), formatNumber(c.inversions),
      c.inversions ? `${(c.worst_drop * 100).toFixed(2)}%` : "—"]),
    `Monotonicity (${m.monotonicity.stones} stones` + (m.monotone_constraints
      ? `; constrained: ${Object.keys(m.monotone_constraints).join(", ") || "none"})` : ")")) : null;
  return makePage(`Model ${id}`,
    el("p", {}, `${m.algorithm}, trained on `, el("a", { href: `#/datasets/${encodeURIComponent(m.dataset.id)}` }, m.dataset.id),
      ` version ${m.dataset.version}. `, el("a", { href: "#/price" }, "Price a stone with it")),
    metrics, search,
    m.validation_sample ? scatter(m.validation_sample.actual, m.validation_sample.predicted,
                                  { title: "Predicted against actual price (validation rows)" }) : null,
    importances.length ? el("figure", { class: "chart" }, el("figcaption", {}, "Feature importances"),
      bars(importances, { format: (v) => `${(v * 100).toFixed(1)}%` })) : null,
    probe, calibration, await versionsSection(id, m));
}
