// Charts: small SVG drawings for the shapes the API's answers have (an interval, a
// waterfall of factors, labelled bars), and uPlot (npm, ~22 KB gzipped) for histograms.
// Each chart has a text alternative (role="img" with a label, or a table beside it).
import { el, formatNumber, money } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// The price on a line, its interval drawn as a band around it.
export function intervalBand(price, interval) {
  const low = interval ? interval.low : price;
  const high = interval ? interval.high : price;
  const from = low * 0.85, to = high * 1.15;
  const x = (v) => 10 + ((v - from) / (to - from)) * 580;
  const label = interval
    ? `${money(price)}, ${Math.round(interval.level * 100)}% interval ${money(low)} to ${money(high)}`
    : money(price);
  return svg("svg", { viewBox: "0 0 600 70", class: "band", role: "img", "aria-label": label },
    svg("line", { x1: 10, x2: 590, y1: 35, y2: 35, class: "axis" }),
    interval ? svg("rect", { x: x(low), y: 22, width: Math.max(2, x(high) - x(low)), height: 26, class: "band-range" }) : "",
    svg("line", { x1: x(price), x2: x(price), y1: 14, y2: 56, class: "band-price" }),
    interval ? svg("text", { x: x(low), y: 66, "text-anchor": "middle" }, money(low)) : "",
    interval ? svg("text", { x: x(high), y: 66, "text-anchor": "middle" }, money(high)) : "",
    svg("text", { x: x(price), y: 11, "text-anchor": "middle", class: "strong" }, money(price)));
}

// From the base price through each factor (multiplied in turn) to the price: one row per
// step, the bar spanning the value before and after it on a shared scale.
export function waterfall(explanation, price) {
  const steps = [];
  let value = explanation.base_price;
  for (const f of explanation.factors) {
    steps.push({ label: `${f.feature} = ${typeof f.value === "number" ? formatNumber(f.value) : f.value}`,
                 from: value, to: value * f.factor, factor: f.factor });
    value *= f.factor;
  }
  const all = [explanation.base_price, price, ...steps.map((s) => s.to)];
  const max = Math.max(...all) * 1.05;
  const rowHeight = 24, left = 190, width = 300;
  const x = (v) => left + (v / max) * width;
  const rows = [{ label: "base price", from: 0, to: explanation.base_price, kind: "total" }, ...steps,
                { label: "price", from: 0, to: price, kind: "total" }];
  const height = rows.length * rowHeight + 8;
  const drawing = svg("svg", { viewBox: `0 0 600 ${height}`, class: "waterfall", role: "img",
    "aria-label": `Base price ${money(explanation.base_price)}, ${steps.length} factors, price ${money(price)}` });
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const kind = row.kind || (row.to >= row.from ? "up" : "down");
    const a = x(Math.min(row.from, row.to)), b = x(Math.max(row.from, row.to));
    drawing.append(
      svg("text", { x: left - 8, y: y + 16, "text-anchor": "end" }, row.label),
      svg("rect", { x: a, y: y + 3, width: Math.max(1.5, b - a), height: rowHeight - 8, class: `step-${kind}` }),
      svg("text", { x: b + 6, y: y + 16 }, row.kind ? money(row.to) : `×${row.factor.toFixed(3)}`));
  });
  return drawing;
}

// Labelled horizontal bars (counts per grade, feature importances).
// `max` fixes the scale (1 for shares of a quota); by default the largest item fills it.
export function bars(items, { format = (v) => formatNumber(v), label, max: fixed } = {}) {
  const max = fixed || Math.max(...items.map((i) => i.value), 1e-12);
  const rowHeight = 22, left = 130, width = 360;
  const drawing = svg("svg", { viewBox: `0 0 600 ${items.length * rowHeight + 6}`, class: "bars", role: "img",
    "aria-label": label || items.map((i) => `${i.label} ${format(i.value)}`).join(", ") });
  items.forEach((item, i) => {
    const y = 3 + i * rowHeight;
    const w = Math.max(1, (item.value / max) * width);
    drawing.append(svg("text", { x: left - 8, y: y + 15, "text-anchor": "end" }, item.label),
                   svg("rect", { x: left, y: y + 3, width: w, height: rowHeight - 7, class: "bar" }),
                   svg("text", { x: left + w + 6, y: y + 15 }, format(item.value)));
  });
  return drawing;
}

// A uPlot chart that follows its figure's width (a phone turned, a window resized).
function fitted(holder, options, data) {
  const width = () => Math.max(200, Math.min(options.maxWidth || 560, holder.clientWidth || 560));
  const plot = new uPlot({ ...options, width: width() }, data, holder);
  new ResizeObserver(() => plot.setSize({ width: width(), height: options.height })).observe(holder);
  return plot;
}

// A histogram with uPlot: `values` binned into `binCount` equal bins.
export function histogram(values, { title, binCount = 30, width = 560 } = {}) {
  const holder = el("figure", { class: "chart" }, el("figcaption", {}, title));
  if (!values.length || typeof uPlot === "undefined") return holder;
  const min = Math.min(...values), max = Math.max(...values);
  const step = (max - min) / binCount || 1;
  const counts = new Array(binCount).fill(0);
  for (const v of values) counts[Math.min(binCount - 1, Math.floor((v - min) / step))] += 1;
  const starts = counts.map((_, i) => min + i * step);
  holder.setAttribute("aria-label", `${title}: ${values.length} values from ${formatNumber(min)} to ${formatNumber(max)}`);
  holder.setAttribute("role", "img");
  // uPlot draws once the element is in the document and sized.
  requestAnimationFrame(() => {
    holder.plot = fitted(holder, {
      maxWidth: width, height: 200, legend: { show: false },
      scales: { x: { time: false } },
      axes: [{ stroke: "#334155" }, { stroke: "#334155" }],
      series: [{}, { label: "rows", fill: "rgba(29, 78, 216, 0.55)", stroke: "#1d4ed8", width: 1,
                     paths: uPlot.paths.bars({ size: [0.95, 100], align: 1 }), points: { show: false } }],
    }, [starts, counts]);
  });
  return holder;
}

// Predicted against actual prices as points, with the line where they would be equal.
export function scatter(actual, predicted, { title } = {}) {
  const holder = el("figure", { class: "chart", role: "img",
    "aria-label": `${title}: ${actual.length} validation rows; points on the diagonal are priced exactly` },
    el("figcaption", {}, title));
  if (!actual.length || typeof uPlot === "undefined") return holder;
  // uPlot wants x ascending: the pairs sorted by actual price.
  const order = actual.map((_, i) => i).sort((a, b) => actual[a] - actual[b]);
  const xs = order.map((i) => actual[i]);
  const ys = order.map((i) => predicted[i]);
  requestAnimationFrame(() => {
    holder.plot = fitted(holder, {
      height: 320, legend: { show: false },
      scales: { x: { time: false } },
      axes: [{ stroke: "#334155", label: "actual price" }, { stroke: "#334155", label: "predicted price" }],
      series: [{}, { label: "predicted", stroke: "#1d4ed8", paths: () => null, points: { show: true, size: 4, fill: "#1d4ed8" } },
               { label: "actual", stroke: "#94a3b8", width: 1, points: { show: false } }],
    }, [xs, ys, xs]);
  });
  return holder;
}
