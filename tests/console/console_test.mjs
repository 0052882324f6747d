// The staff console end to end in Debian's headless Chromium (puppeteer-core pointed at
// /usr/bin/chromium; never a downloaded browser), against a real `diamond serve`
// (scripts/run_with_test_server.sh gives DIAMOND_URL and the admin's DIAMOND_API_KEY):
// sign in, upload a dataset, train two models and watch the jobs, price a stone with its
// explanation and interval (the numbers on the page equal the API's), a field error,
// download a batch result, the account page, sign out (the key gone from storage).
// Any console error or failed request fails the test. Screenshots of every page at
// 1280×800 and 390×844 (a phone's width; the viewport changes without a reload, so each
// page keeps its state) go to $CONSOLE_SCREENSHOTS (default: ./console-screenshots).
//
// Usage: node console_test.mjs REFERENCE_CSV
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import puppeteer from "puppeteer-core";

const base = process.env.DIAMOND_URL;
const adminKey = process.env.DIAMOND_API_KEY;
const csvPath = process.argv[2];
const shots = process.env.CONSOLE_SCREENSHOTS || "console-screenshots";
mkdirSync(shots, { recursive: true });
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

async function api(method, path, body) {
  const response = await fetch(base + "/v1" + path, {
    method, headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

// The console's files are small: every asset the page loads, gzipped, under 300 KB.
async function checkAssets() {
  const page = await fetch(base + "/console");
  assert.equal(page.status, 200);
  const csp = page.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const names = ["index.html", "console.css", "console.js", "ui.js", "api.js", "charts.js", "upload.js", "page_price.js",
                 "page_datasets.js", "page_models.js", "page_batch.js", "page_account.js", "uPlot.iife.min.js", "uPlot.min.css"];
  let gzipped = 0;
  for (const name of names) {
    const response = await fetch(`${base}/console/${name}`);
    assert.equal(response.status, 200, name);
    gzipped += gzipSync(Buffer.from(await response.arrayBuffer())).length;
  }
  assert.ok(gzipped < 300 * 1024, `console assets are ${gzipped} bytes gzipped`);
  assert.equal((await fetch(`${base}/console/..%2Fmetadata.db`)).status, 404);
  console.log(`assets: ${names.length} files, ${gzipped} bytes gzipped; CSP: ${csp}`);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // No sandbox: CI runs as root, where Chromium's sandbox cannot start.
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"],
});
const problems = [];
let failed = false;
try {
  await checkAssets();
  const page = await browser.newPage();
  page.on("console", (message) => { if (message.type() === "error") problems.push(`console: ${message.text()}`); });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    // Only what the test provokes on purpose may fail: the wrong key at sign-in.
    if (response.status() >= 400 && !response.url().endsWith("/v1/me")) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });

  async function screenshot(name) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewport(viewport);
      await new Promise((resolve) => setTimeout(resolve, 150));  // charts redraw at the new width
      await page.screenshot({ path: `${shots}/${name}-${size}.png`, fullPage: true });
      // The page reflows to the width: nothing makes the whole page scroll sideways.
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `${name} at ${size}: ${width} px wide in a ${viewport.width} px viewport`);
    }
    await page.setViewport(SIZES.desktop);
  }
  const text = (selector) => page.$eval(selector, (node) => node.textContent);
  const waitText = (selector, pattern, timeout = 120000) =>
    page.waitForFunction((s, p) => [...document.querySelectorAll(s)].some((n) => new RegExp(p).test(n.textContent)),
                         { timeout }, selector, pattern.source);

  // What a form ends in: the pattern, or a problem shown (which fails the test at once).
  async function waitOutcome(selector, pattern, timeout = 180000) {
    try {
      await page.waitForFunction((s, p) => [...document.querySelectorAll(s)].some((n) =>
        new RegExp(p).test(n.textContent) || n.querySelector(".problem")), { timeout }, selector, pattern.source);
    } catch (error) {
      throw new Error(`${selector} never showed ${pattern}: "${await text(selector)}"`);
    }
    const shown = await text(selector);
    assert.match(shown, pattern, `${selector} shows a problem`);
  }

  // Every form control has a label, every drawing a text alternative (checked on each page).
  async function checkAccessible(name) {
    const unlabelled = await page.$$eval("input, select, textarea", (controls) => controls
      .filter((c) => c.type !== "hidden" && !c.labels?.length && !c.getAttribute("aria-label")).map((c) => c.id || c.name));
    assert.deepEqual(unlabelled, [], `${name}: controls without a label`);
    const unnamed = await page.$$eval("svg", (svgs) => svgs.filter((s) => !s.getAttribute("aria-label")).length);
    assert.equal(unnamed, 0, `${name}: drawings without a text alternative`);
    // Text contrast at least 4.5:1 (WCAG AA) against the nearest background behind it.
    const low = await page.evaluate(() => {
      const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
      const luminance = ([r, g, b]) => {
        const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      };
      const background = (node) => {
        for (let n = node; n; n = n.parentElement) {
          const c = rgb(getComputedStyle(n).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const found = [];
      for (const node of document.querySelectorAll("main *, header *")) {
        const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
        if (!own || node.closest("svg") || !node.getClientRects().length) continue;
        const style = getComputedStyle(node);
        const fg = luminance(rgb(style.color).slice(0, 3)), bg = luminance(background(node));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        if (ratio < 4.5) found.push(`${node.tagName} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
      }
      return found;
    });
    assert.deepEqual(low, [], `${name}: text below 4.5:1 contrast`);
  }

  // A page of the console, rendered afresh (a hash change re-renders; the same hash would not).
  async function open(hash, heading) {
    await page.evaluate(() => { location.hash = "#/elsewhere"; });
    await page.goto(base + "/console" + hash, { waitUntil: "networkidle0" });
    await waitText("main h1", new RegExp(`${heading.source}|Something went wrong`), 30000)
      .catch(async () => { throw new Error(`${hash} never showed ${heading}: "${await text("main")}"`); });
    const title = await text("main h1");
    assert.ok(heading.test(title), `${hash}: ${await text("main")}`);
  }

  await page.setViewport(SIZES.desktop);
  await page.goto(base + "/console", { waitUntil: "networkidle0" });
  const paint = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime);
  console.log(`first contentful paint: ${paint?.toFixed(0)} ms`);
  await page.waitForSelector("#api-key");
  await screenshot("sign-in");

  // A wrong key is refused on the page; the right one signs in.
  await page.type("#api-key", "dmd_wrong_key");
  await page.click("form.sign-in button");
  await page.waitForSelector(".problem");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("diamond.apiKey")), null);
  await page.$eval("#api-key", (input) => { input.value = ""; });
  await page.type("#api-key", adminKey);
  await page.click("form.sign-in button");
  await page.waitForSelector("#nav:not([hidden])");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("diamond.apiKey")), adminKey);
  assert.ok(!(await page.evaluate(() => document.cookie + location.href)).includes(adminKey), "the key is in a cookie or the URL");

  // Datasets: an upload through the multipart API, with its progress bar.
  await open("#/datasets", /^Datasets$/);
  await page.type("#upload-id", "console-reference");
  const fileInput = await page.$("#upload-file");
  await fileInput.uploadFile(csvPath);
  await page.click("form.upload button");
  await waitOutcome("form.upload", /Stored 5,000 rows/);
  assert.equal(await page.$eval("form.upload progress", (p) => p.value), 1);
  // The same by drag and drop: a file (the first 100 stones) dropped on the zone.
  await open("#/datasets", /^Datasets$/);
  await page.type("#upload-id", "console-dropped");
  const head = readFileSync(csvPath, "utf8").split("\n").slice(0, 101).join("\n") + "\n";
  await page.evaluate((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], "dropped.csv", { type: "text/csv" }));
    const zone = document.getElementById("drop-zone");
    for (const type of ["dragover", "drop"]) zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, head);
  await page.click("form.upload button");
  await waitOutcome("form.upload", /Stored 100 rows/);
  // The list is fetched again after the message shows: wait for it rather than race it.
  await waitText("main table", /console-dropped/, 30000)
    .catch(async () => { throw new Error(`the list never showed console-dropped: "${await text("main")}"`); });
  await checkAccessible("datasets");
  await screenshot("datasets");
  await page.click('a[href="#/datasets/console-reference"]');
  await page.waitForSelector("figure.chart canvas");  // uPlot's histograms
  assert.match(await text("main"), /5,000 rows/);
  assert.ok(await page.$$eval("figure.chart canvas", (c) => c.length) >= 2);
  // Grade bars read worst to best, never alphabetically.
  const gradeBars = await page.$$eval("svg.bars", (charts) => charts.map((c) => c.getAttribute("aria-label")));
  const order = (label) => label.split(", ").map((entry) => entry.replace(/ [\d,]+$/, ""));
  assert.deepEqual(order(gradeBars[0]), ["Fair", "Good", "Very Good", "Premium", "Ideal"]);
  assert.deepEqual(order(gradeBars[1]), ["J", "I", "H", "G", "F", "E", "D"]);
  assert.deepEqual(order(gradeBars[2]), ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]);
  await checkAccessible("dataset");
  await screenshot("dataset");

  // Models: two trainings watched to the end (trees; the seed's linear model).
  for (const [id, algorithm] of [["console-trees", "gbdt"], ["console-linear", "linear"]]) {
    await open("#/models", /^Models$/);
    await page.type("#train-id", id);
    await page.select("#train-dataset", "console-reference");
    await page.select("#train-algorithm", algorithm);
    // The trees with a grid search over their depth (each candidate cross-validated).
    if (algorithm === "gbdt") await page.type("#train-grid", "max_depth=2,3");
    await page.click('form[aria-label="Train a model"] button[type=submit]');
    await waitOutcome('form[aria-label="Train a model"]', /Trained/);
  }
  await checkAccessible("models");
  await screenshot("models");
  await page.click('a[href="#/models/console-linear"]');
  await waitText("main h1", /Model console-linear/);
  await open("#/models/console-trees", /Model console-trees/);
  await waitText("main", /Feature importances/);
  assert.match(await text("main"), /validation/);
  await page.waitForSelector("figure.chart canvas");  // the predicted-vs-actual scatter
  assert.match(await text("main"), /Grid search[\s\S]*max_depth=2[\s\S]*max_depth=3|Grid search[\s\S]*max_depth=3[\s\S]*max_depth=2/);
  await checkAccessible("model");
  await screenshot("model");

  // Versions: a retrain is version 2; the model page lists both and rolls the champion back
  // once the confirmation is accepted.
  const retrained = await api("PUT", "/models/console-linear?wait=120",
                              { dataset_id: "console-reference", hyperparameters: { selector: ["carat"] } });
  assert.equal(retrained.status, 201, JSON.stringify(retrained.json));
  await open("#/models/console-linear", /Model console-linear/);
  await waitText("main table caption", /Versions/);
  assert.match(await text("main"), /2\s*champion/);
  page.once("dialog", (dialog) => dialog.accept());
  await page.click("#rollback");
  await waitText("main", /Rolled back: version 1 is the champion/);
  assert.equal((await api("GET", "/models/console-linear")).json.version, 1);
  await page.select("#card-version", "2");
  await page.click("#show-card");
  await waitText("pre.model-card", /# Model card: console-linear, version 2[\s\S]*## Reproduce/);
  await checkAccessible("model versions");

  // Price: the stone by two models side by side; the page's numbers are the API's.
  await open("#/price", /Price a stone/);
  await page.select("#model-a", "console-trees");
  await page.select("#model-b", "console-linear");
  await page.click("form.stone-form button[type=submit]");
  await page.waitForSelector(".result svg.waterfall");
  const stone = { carat: 1.05, cut: "Ideal", color: "H", clarity: "SI2", depth: 61.9, table: 56, x: 6.55, y: 6.59, z: 4.07 };
  for (const model of ["console-trees", "console-linear"]) {
    const shown = await page.$eval(`.result[data-model="${model}"] .price-value`, (n) => Number(n.dataset.price));
    const expected = (await api("POST", `/models/${model}/predict?explain=true&interval=0.9`, stone)).json.predictions[0];
    assert.equal(shown, expected.price, `${model}: the page's price`);
    const band = await page.$eval(`.result[data-model="${model}"] svg.band`, (s) => s.getAttribute("aria-label"));
    assert.ok(band.includes("$" + Math.round(expected.interval.low).toLocaleString("en-US")), band);
  }
  await checkAccessible("price");
  await screenshot("price");
  // A number the API would refuse is caught on the page, next to its field, before any request.
  await page.$eval("#stone-carat", (input) => { input.value = "-1"; });
  await page.click("form.stone-form button[type=submit]");
  await waitText("#stone-carat-error", /greater than 0/);
  assert.equal(await page.$eval("#stone-carat", (i) => i.getAttribute("aria-invalid")), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "stone-carat");

  // Batch: a stored dataset priced as a job; the download is the priced CSV.
  await open("#/batch", /Batch prices/);
  await page.select("#batch-model", "console-linear");
  await page.select("#batch-dataset", "console-reference");
  await page.click('form[aria-label="Price a batch"] button[type=submit]');
  await waitOutcome('form[aria-label="Price a batch"]', /Download the priced CSV/);
  // Downloaded as a user does: a click, the browser writes the file.
  const downloads = `${shots}/downloads`;
  mkdirSync(downloads, { recursive: true });
  const session = await browser.target().createCDPSession();
  await session.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.click("#batch-download");
  const saved = `${downloads}/console-reference-priced.csv`;
  for (let i = 0; i < 200 && !existsSync(saved); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  const priced = readFileSync(saved, "utf8");
  const lines = priced.trim().split("\n");
  assert.ok(lines[0].includes("price_predicted"), lines[0]);
  assert.ok(lines.length > 4900, `${lines.length} lines`);
  await checkAccessible("batch");
  await screenshot("batch");
  // A CSV file priced the same way: stored as a dataset first, through the upload API.
  await open("#/batch", /Batch prices/);
  await page.select("#batch-model", "console-trees");
  await (await page.$("#batch-file")).uploadFile(csvPath);
  await page.click('form[aria-label="Price a batch"] button[type=submit]');
  await waitOutcome('form[aria-label="Price a batch"]', /Priced 5,000 rows/);
  assert.equal((await api("GET", "/datasets/batch-diamonds.csv")).json.rows, 5000);

  // Account: plan, usage, and the admin's tables.
  await open("#/account", /Account/);
  await waitText("main", /Administration/);
  const me = (await api("GET", "/me")).json;
  assert.match(await text("main"), new RegExp(`plan ${me.plan.name}`));
  await checkAccessible("account");
  await screenshot("account");

  // Keyboard: Tab from the top reaches the navigation's links in order.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute("href")), "#/price");

  // Sign out: the key is gone from storage and the sign-in form is back.
  await page.click("#sign-out");
  await page.waitForSelector("#api-key");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("diamond.apiKey")), null);

  // A new user, given only a key: their own empty space, their plan, no admin tables.
  assert.equal((await api("POST", "/admin/users", { id: "console-member", plan: "pro" })).status, 201);
  const memberKey = (await api("POST", "/admin/users/console-member/keys", { name: "console" })).json.key;
  await page.type("#api-key", memberKey);
  await page.click("form.sign-in button");
  await page.waitForSelector("#nav:not([hidden])");
  await open("#/datasets", /^Datasets$/);
  assert.match(await text("main"), /No datasets yet/);
  await open("#/account", /Account/);
  assert.match(await text("main"), /Signed in as console-member \(member\)[\s\S]*plan pro/);
  assert.doesNotMatch(await text("main"), /Administration/);
  await page.click("#sign-out");
  await page.waitForSelector("#api-key");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("diamond.apiKey")), null);

  // The one error provoked on purpose: the wrong key's 401 at sign-in (Chromium logs it).
  const expected = problems.filter((p) => p === "console: Failed to load resource: the server responded with a status of 401 (Unauthorized)");
  assert.ok(expected.length <= 1, "more than the sign-in's 401");
  assert.deepEqual(problems.filter((p) => !expected.includes(p)), [], "the browser reported errors");
  console.log(`console: every step passed; screenshots in ${shots}`);
} catch (error) {
  failed = true;
  console.error(error);
  if (problems.length) console.error("browser problems:\n" + problems.join("\n"));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
