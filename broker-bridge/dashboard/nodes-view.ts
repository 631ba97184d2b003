// The fleet's nodes as their presence beats say (shipgate presence beat), grouped by part: online
// or not, when last seen, their label and facts. Everything goes in as text (dom.ts).

import { byId, fill, h } from "./dom";
import { since } from "./mode-view";
import type { NodeItem, PageState } from "./model";

export function renderNodes(state: PageState): void {
  const nodes = [...state.nodes].sort((a, b) => (a.part ?? "").localeCompare(b.part ?? "") || a.id.localeCompare(b.id));
  byId("node-count").textContent = nodes.length === 0 ? "" : `${nodes.filter((n) => n.online).length} of ${nodes.length} online`;
  if (nodes.length === 0) {
    fill(byId("nodes"), h("li", { class: "muted" }, "No node beats yet (shipgate presence beat --node ID)."));
    return;
  }
  fill(byId("nodes"), ...nodes.map(nodeItem));
}

function nodeItem(n: NodeItem) {
  const facts = Object.entries(n.facts ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return h(
    "li",
    { class: "node", data: { id: n.id, online: String(n.online) } },
    h("span", { class: `dot ${n.online ? "good" : "off"}`, "aria-hidden": "true" }),
    h("span", { class: "node-id" }, n.id),
    n.part ? h("span", { class: "node-part" }, n.part) : null,
    h("span", { class: "muted" }, n.online ? "online" : "offline", n.last_seen ? h("span", null, " · seen ", since(n.last_seen)) : null),
    n.label ? h("span", { class: "node-label" }, n.label) : null,
    facts ? h("span", { class: "node-facts muted" }, facts) : null,
  );
}
