// CI pipelines and Argo CD apps, rendered from builds.ts rows.

import { readBuildSection } from "./builds";
import { byId, h, safeHref } from "./dom";
import { since } from "./mode-view";

export function renderBuilds(elementId: string, section: unknown, notConfigured: string): void {
  const s = readBuildSection(section);
  const el = byId(elementId);
  if (!s.configured || (s.rows.length === 0 && s.problem === null)) {
    el.replaceChildren(h("p", { class: "empty" }, notConfigured));
    return;
  }
  const rows = s.rows.map((r) => {
    const href = safeHref(r.url);
    return h(
      "tr",
      { class: r.stale ? "stale" : "", data: { name: r.name } },
      h("td", null, h("span", { class: `dot ${r.tone}`, "aria-hidden": "true" })),
      h("td", { class: "name" }, href ? h("a", { href, rel: "noopener noreferrer", target: "_blank" }, r.name) : r.name),
      h("td", { class: `state ${r.tone}` }, r.state),
      h("td", { class: "detail" }, r.detail),
      h("td", { class: "age" }, r.at ? since(r.at) : h("span", { class: "muted" }, "no data")),
    );
  });
  el.replaceChildren(
    ...(s.problem ? [h("p", { class: "problem" }, s.problem)] : []),
    rows.length > 0 ? h("table", { class: "build-table" }, h("tbody", null, ...rows)) : h("p", { class: "empty" }, "Nothing reported yet."),
  );
}
