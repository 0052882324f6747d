// Datasets: the list, an upload by drag and drop (or a file picker) through the multipart
// upload API with a progress bar, and one dataset's statistics — histograms of carat and
// price from its rows, counts per grade, its versions.
import { call, gradeScales, key, listAll } from "./api.js";
import { bars, histogram } from "./charts.js";
import { announce, el, formatNumber, problemBox, makePage, table } from "./ui.js";
import { uploadFile } from "./upload.js";

// Histograms read the rows; past this size the page shows the statistics alone.
const MAX_HISTOGRAM_BYTES = 32 << 20;

function uploadForm(onDone) {
  const idInput = el("input", { id: "upload-id", name: "dataset", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}",
                                placeholder: "e.g. reference" });
  const fileInput = el("input", { id: "upload-file", type: "file", accept: ".csv,.json,text/csv,application/json" });
  const progress = el("progress", { max: 1, value: 0, "aria-label": "Upload progress", hidden: true });
  const message = el("div", { "aria-live": "polite" });
  let chosen = null;
  const dropZone = el("div", { class: "drop", id: "drop-zone" }, "Drop a CSV or JSON file here, or ",
    el("label", { for: "upload-file" }, "choose one"), ": ", fileInput);
  const pick = (file) => { chosen = file; dropZone.dataset.file = file.name; message.textContent = `${file.name} (${formatNumber(file.size)} bytes)`; };
  fileInput.addEventListener("change", () => fileInput.files[0] && pick(fileInput.files[0]));
  dropZone.addEventListener("dragover", (e) => { e.preventDefault(); dropZone.classList.add("over"); });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
  dropZone.addEventListener("drop", (e) => {
    e.preventDefault();
    dropZone.classList.remove("over");
    if (e.dataTransfer.files[0]) pick(e.dataTransfer.files[0]);
  });
  const form = el("form", { class: "upload", "aria-label": "Upload a dataset" },
    el("h2", {}, "Upload"),
    el("div", { class: "field" }, el("label", { for: "upload-id" }, "Dataset id"), idInput),
    dropZone, progress, el("button", { type: "submit", class: "primary" }, "Upload"), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!idInput.value.match(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)) {
      message.replaceChildren(problemBox({ message: "A dataset id is letters, digits, '.', '_' or '-' (up to 64)" }));
      idInput.focus();
      return;
    }
    if (!chosen) { message.replaceChildren(problemBox({ message: "Choose or drop a file first" })); return; }
    progress.hidden = false;
    progress.value = 0;
    try {
      const done = await uploadFile(idInput.value, chosen, (sent, total) => { progress.value = total ? sent / total : 1; });
      progress.value = 1;
      message.replaceChildren(`Stored ${formatNumber(done.rows)} rows as version ${done.version} of `,
        el("a", { href: `#/datasets/${encodeURIComponent(done.dataset_id)}` }, done.dataset_id), ".");
      announce(`Uploaded ${done.rows} rows`);
      onDone();
    } catch (error) {
      message.replaceChildren(problemBox(error));
    }
  });
  return form;
}

export async function renderDatasets() {
  const list = el("div", {});
  const page = makePage("Datasets", list, uploadForm(() => refresh()));
  async function refresh() {
    const items = await listAll("/datasets");
    list.replaceChildren(items.length
      ? table(["dataset"], items.map((d) => [el("a", { href: `#/datasets/${encodeURIComponent(d.id_)}` }, d.id_)]), "Your datasets")
      : el("p", {}, "No datasets yet: upload one below."));
  }
  await refresh();
  return page;
}

async function columnValues(id, bytes) {
  if (bytes > MAX_HISTOGRAM_BYTES) return null;
  const response = await fetch(`/v1/datasets/${encodeURIComponent(id)}/rows`, { headers: { Authorization: `Bearer ${key()}` } });
  if (!response.ok) return null;
  const lines = (await response.text()).split("\n").filter((l) => l.length);
  const header = lines[0].split(",");
  const at = { carat: header.indexOf("carat"), price: header.indexOf("price") };
  const values = { carat: [], price: [] };
  // The canonical CSV the API stores: no quoted fields in numeric columns.
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    for (const name of ["carat", "price"]) {
      const v = Number(cells[at[name]]);
      if (at[name] >= 0 && Number.isFinite(v)) values[name].push(v);
    }
  }
  return values;
}

export async function renderDataset(id) {
  const d = await call("GET", `/datasets/${encodeURIComponent(id)}`);
  const stats = table(["column", "count", "min", "mean", "max"], Object.entries(d.columns).map(([name, c]) =>
    [name, formatNumber(c.count), formatNumber(c.min), formatNumber(c.mean), formatNumber(c.max)]), "Columns");
  const scales = await gradeScales();
  const inGradeOrder = (scale, counts) => (scales[scale] || Object.keys(counts))
    .filter((label) => label in counts).map((label) => ({ label, value: counts[label] }));
  const grades = ["cut", "color", "clarity"].filter((g) => d.grades[g]).map((grade) => [grade, d.grades[grade]])
    .map(([grade, counts]) => el("figure", { class: "chart" },
    el("figcaption", {}, `Rows per ${grade} (worst to best)`),
    bars(inGradeOrder(grade, counts), { format: (v) => formatNumber(v) })));
  const versions = (d.versions || []).map((v) => [String(v.version), formatNumber(v.rows), formatNumber(v.bytes), v.created_at || ""]);
  const charts = el("div", { class: "charts" });
  const page = makePage(`Dataset ${id}`,
    el("p", {}, `${formatNumber(d.rows)} rows, ${formatNumber(d.bytes)} bytes, version ${d.version}, ${d.segments} segment(s). SHA-256 `,
      el("code", {}, d.sha256)),
    charts, stats, el("div", { class: "charts" }, grades),
    versions.length ? table(["version", "rows", "bytes", "created"], versions, "Versions") : null);
  // The histograms come when the rows have been read; the page shows meanwhile.
  columnValues(id, d.bytes).then((values) => {
    if (values) charts.append(histogram(values.carat, { title: "Carat" }), histogram(values.price, { title: "Price" }));
  }, (error) => charts.append(problemBox(error)));
  return page;
}
