// The console's entry: sign-in, sign-out and the page router (#/price, #/datasets/{id}…).
// Every page is a client of the public API (api.js); nothing here talks to anything else.
import { call, key, signIn, signOut } from "./api.js";
import { renderAccount } from "./page_account.js";
import { renderBatch } from "./page_batch.js";
import { renderDataset, renderDatasets } from "./page_datasets.js";
import { renderModel, renderModels } from "./page_models.js";
import { renderPrice } from "./page_price.js";
import { el, makePage, mount, problemBox } from "./ui.js";

const ROUTES = [
  [/^#\/price$/, renderPrice],
  [/^#\/datasets$/, renderDatasets],
  [/^#\/datasets\/([^/]+)$/, (id) => renderDataset(decodeURIComponent(id))],
  [/^#\/models$/, renderModels],
  [/^#\/models\/([^/]+)$/, (id) => renderModel(decodeURIComponent(id))],
  [/^#\/batch$/, renderBatch],
  [/^#\/account$/, renderAccount],
];

let navigation = 0;  // counts route() and sign-in renders: only the latest may show a page

function renderSignIn(reason) {
  navigation += 1;  // a page still loading for the signed-out key is never shown
  document.getElementById("nav").hidden = true;
  const input = el("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", required: true,
                              spellcheck: "false" });
  const message = el("div", { "aria-live": "polite" }, reason ? problemBox({ message: reason }) : null);
  const form = el("form", { class: "sign-in" },
    el("div", { class: "field" }, el("label", { for: "api-key" }, "API key"), input),
    el("p", { class: "muted" }, "Kept in this tab only (sessionStorage), until you sign out or close it."),
    el("button", { type: "submit", class: "primary" }, "Sign in"), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    signIn(input.value.trim());
    try {
      await call("GET", "/me");
      // The hash change routes; when the hash is already #/price, route here.
      if (location.hash === "#/price") route();
      else location.hash = "#/price";
    } catch (error) {
      signOut();
      message.replaceChildren(problemBox(error));
      input.focus();
    }
  });
  mount(makePage("Sign in", form));
  input.focus();
}

async function route() {
  const current = ++navigation;
  if (!key()) return renderSignIn();
  document.getElementById("nav").hidden = false;
  const hash = location.hash || "#/price";
  for (const link of document.querySelectorAll("#nav a")) {
    if (hash.startsWith(link.getAttribute("href"))) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const show = (page) => { if (current === navigation) mount(page); };
  for (const [pattern, render] of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    try {
      show(await render(...match.slice(1)));
    } catch (error) {
      if (error.status === 401) {
        signOut();
        return renderSignIn("The key was refused; sign in again.");
      }
      show(makePage("Something went wrong", problemBox(error)));
    }
    return;
  }
  show(makePage("Not found", el("p", {}, "No such page. ", el("a", { href: "#/price" }, "Price a stone"))));
}

document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  location.hash = "";
  renderSignIn();
});
window.addEventListener("hashchange", route);
route();
