// A file into a dataset through the multipart upload API: the file cut into parts of the
// server's advertised size, each sent with its progress, then one completion (which a
// large upload runs as a job: followed until it ends). Returns the completion's answer.
import { call, putWithProgress, sleep } from "./api.js";

export async function uploadFile(datasetId, file, onProgress, mode = "replace") {
  const format = file.name.toLowerCase().endsWith(".json") ? "json" : "csv";
  const upload = await call("POST", `/datasets/${encodeURIComponent(datasetId)}/uploads`, { body: { format, mode } });
  // Every part but the last must reach min_part_bytes; none may pass max_part_bytes.
  const partBytes = Math.min(upload.max_part_bytes, Math.max(upload.min_part_bytes, 8 << 20));
  const parts = Math.max(1, Math.ceil(file.size / partBytes));  // an empty file is one empty part
  for (let part = 1; part <= parts; part += 1) {
    const start = (part - 1) * partBytes;
    const blob = file.slice(start, start + partBytes);
    await putWithProgress(`/uploads/${upload.upload_id}/parts/${part}`, blob, (loaded) => onProgress(start + loaded, file.size));
    onProgress(start + blob.size, file.size);
  }
  let done = await call("POST", `/uploads/${upload.upload_id}/complete`);
  while (done.state === "completing") {
    await sleep(500);
    done = await call("GET", `/uploads/${upload.upload_id}`);
    if (done.state === "open" && done.last_error) throw Object.assign(new Error(done.last_error.detail || "the completion failed"), { problem: done.last_error });
  }
  return done;
}
