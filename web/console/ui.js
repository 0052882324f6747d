// DOM helpers: elements are built, never parsed from strings, so text from the API (ids,
// messages) can never become markup.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A page: what each render function returns, mounted by the router (console.js) only if
// the user has not moved on meanwhile, so that a slow page never replaces a later one.
export function makePage(title, ...content) {
  return { title, content };
}

// Shows a page in the main region and moves focus to its heading (screen readers
// announce the new page; keyboard users start from its top).
export function mount(page) {
  const main = document.getElementById("main");
  const heading = el("h1", { tabindex: "-1" }, page.title);
  main.replaceChildren(heading, ...page.content.flat().filter((c) => c !== null && c !== undefined && c !== false));
  document.title = `${page.title} · diamond console`;
  heading.focus();
}

export function announce(text) {
  document.getElementById("status").textContent = text;
}

// A problem document (RFC 9457) as a message, with its field errors listed.
export function problemBox(error) {
  const problem = error.problem || {};
  const items = (problem.errors || []).slice(0, 10).map((e) =>
    el("li", {}, [e.row ? `row ${e.row}` : null, e.column || e.field].filter(Boolean).join(", ") +
      (e.column || e.field || e.row ? ": " : "") + e.message));
  return el("div", { class: "problem", role: "alert" },
    el("strong", {}, problem.title || "Request failed"), " ",
    problem.detail || error.message || "",
    items.length ? el("ul", {}, items) : null);
}

export function money(value) {
  return "$" + Math.round(value).toLocaleString("en-US");
}

export function formatNumber(value, digits = 3) {
  if (typeof value !== "number") return String(value);
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString("en-US") : Number(value.toPrecision(digits)).toString();
}

export function table(headers, rows, caption) {
  return el("table", {},
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))));
}
