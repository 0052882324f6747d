// Account: the plan, this month's usage against its quotas as a chart, and what is left;
// admins also see users, plans and the month's usage report.
import { call } from "./api.js";
import { bars } from "./charts.js";
import { el, formatNumber, makePage, table } from "./ui.js";

// Every user's keys, as prefixes (the API never shows a key again after creating it).
async function keysOf(users) {
  const lists = await Promise.all(users.map((u) => call("GET", `/admin/users/${encodeURIComponent(u.id)}/keys`)));
  return lists.flatMap((list, i) => list.results.map((k) => [users[i].id, `${k.prefix}…`, k.name || "",
    k.created_at || "", k.last_used_at || "", k.revoked ? "revoked" : ""]));
}

export async function renderAccount() {
  const me = await call("GET", "/me");
  const plan = me.plan;
  const used = [
    { label: "rows priced", value: me.usage.predicted_rows / plan.monthly_predicted_rows,
      text: `${formatNumber(me.usage.predicted_rows)} of ${formatNumber(plan.monthly_predicted_rows)}` },
    { label: "storage", value: me.usage.stored_bytes / plan.max_stored_bytes,
      text: `${formatNumber(me.usage.stored_bytes)} of ${formatNumber(plan.max_stored_bytes)} bytes` },
  ];
  const content = [
    el("p", {}, `Signed in as ${me.user} (${me.role}), key ${me.key.prefix}…, plan `, el("strong", {}, plan.name), `, ${me.month}.`),
    el("figure", { class: "chart" }, el("figcaption", {}, "This month, as a share of the plan's quotas"),
      bars(used.map((u) => ({ label: u.label, value: u.value })), {
        max: 1, format: (v) => `${(v * 100).toFixed(2)}%`, label: used.map((u) => `${u.label}: ${u.text}`).join("; ") })),
    table(["", "this month"], [["rows left this month", formatNumber(me.remaining.monthly_predicted_rows)],
                     ["training this month", `${formatNumber(me.usage.training_seconds)} s`],
                     ["requests per second", formatNumber(plan.requests_per_second)],
                     ["price per 1,000 rows", `$${plan.price_per_1k_rows}`]], "Plan and usage"),
  ];
  if (me.role === "admin") {
    const [users, plans, usage] = await Promise.all([call("GET", "/admin/users"), call("GET", "/admin/plans"),
                                                      call("GET", "/admin/usage", { query: { month: me.month } })]);
    content.push(el("h2", {}, "Administration"),
      table(["user", "role", "plan", "disabled"], users.results.map((u) => [u.id, u.role, u.plan, u.disabled ? "yes" : ""]), "Users"),
      table(["user", "key", "name", "created", "last used", ""], await keysOf(users.results), "API keys (prefixes; keys are shown once, at creation)"),
      table(["plan", "rows / month", "req/s", "max models"], plans.results.map((p) =>
        [p.name, formatNumber(p.monthly_predicted_rows), formatNumber(p.requests_per_second), formatNumber(p.max_models)]), "Plans"),
      table(["user", "plan", "rows", "training s", "cost"], usage.results.map((u) =>
        [u.user, u.plan, formatNumber(u.predicted_rows), formatNumber(u.training_seconds), `$${u.cost.total.toFixed(2)}`]),
        `Usage, ${usage.month}`));
  }
  return makePage("Account", ...content);
}
