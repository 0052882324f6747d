// Batch: price a CSV file (uploaded as a dataset through the multipart API) or a stored
// dataset with the batch-prediction API, follow the job, and download the priced CSV.
import { call, key, listAll, sleep } from "./api.js";
import { announce, el, formatNumber, problemBox, makePage } from "./ui.js";
import { uploadFile } from "./upload.js";

export async function renderBatch() {
  const [models, datasets] = await Promise.all([listAll("/models"), listAll("/datasets")]);
  if (!models.length) {
    return makePage("Batch prices", el("p", {}, "No models yet: ", el("a", { href: "#/models" }, "train one"), " first."));
  }
  const fileInput = el("input", { id: "batch-file", type: "file", accept: ".csv,text/csv" });
  const progress = el("progress", { max: 1, value: 0, hidden: true, "aria-label": "Batch progress" });
  const message = el("div", { "aria-live": "polite" });
  const form = el("form", { "aria-label": "Price a batch" },
    el("div", { class: "field" }, el("label", { for: "batch-model" }, "Model"),
      el("select", { id: "batch-model", name: "model" }, models.map((m) => el("option", { value: m.id_ }, m.id_)))),
    el("div", { class: "field" }, el("label", { for: "batch-dataset" }, "Stored dataset"),
      el("select", { id: "batch-dataset", name: "dataset" }, el("option", { value: "" }, "(the file below)"),
        datasets.map((d) => el("option", { value: d.id_ }, d.id_)))),
    el("div", { class: "field" }, el("label", { for: "batch-file" }, "Or a CSV file (stored as a dataset first)"), fileInput),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "explain" }), "explain each price"),
    el("div", { class: "field" }, el("label", { for: "batch-interval" }, "Interval"),
      el("select", { id: "batch-interval", name: "interval" }, el("option", { value: "" }, "none"),
        ["0.8", "0.9", "0.95"].map((l) => el("option", { value: l }, `${Math.round(l * 100)}%`)))),
    el("button", { type: "submit", class: "primary" }, "Price"), progress, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      let datasetId = String(data.get("dataset"));
      progress.hidden = false;
      if (!datasetId) {
        const file = fileInput.files[0];
        if (!file) throw new Error("choose a stored dataset or a CSV file");
        datasetId = "batch-" + file.name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 50);
        message.textContent = `Uploading ${file.name} as ${datasetId}…`;
        await uploadFile(datasetId, file, (sent, total) => { progress.value = total ? sent / total / 2 : 0; });
      }
      const body = { dataset_id: datasetId, explain: data.get("explain") === "on" };
      if (data.get("interval")) body.interval = Number(data.get("interval"));
      let batch = await call("POST", `/models/${encodeURIComponent(String(data.get("model")))}/batch-predictions`, { body });
      while (!["succeeded", "failed", "cancelled"].includes(batch.state)) {
        await sleep(400);
        batch = await call("GET", `/batch-predictions/${batch.id}`);
        progress.value = 0.5 + (batch.progress || 0) / 2;
        message.textContent = `${batch.state}: ${formatNumber(batch.rows_done || 0)} of ${formatNumber(batch.rows_total || 0)} rows`;
      }
      if (batch.state !== "succeeded") throw Object.assign(new Error(batch.error || batch.state), { problem: { title: `Batch ${batch.state}`, detail: batch.error } });
      progress.value = 1;
      // The result needs the key, so it is fetched here and handed over as a file.
      const response = await fetch(`/v1/batch-predictions/${batch.id}/result`, { headers: { Authorization: `Bearer ${key()}` } });
      const url = URL.createObjectURL(await response.blob());
      message.replaceChildren(`Priced ${formatNumber(batch.rows_done)} rows. `,
        el("a", { href: url, download: `${datasetId}-priced.csv`, id: "batch-download" }, "Download the priced CSV"));
      announce("Batch priced");
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
  });
  return makePage("Batch prices", form);
}
