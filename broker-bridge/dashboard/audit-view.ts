// The audit log's tail: loaded once from GET /api/audit, then new entries as they are pushed.

import { byId, h } from "./dom";
import { type AuditItem, readAuditItem } from "./model";
import { clockTime } from "./time";

const SHOWN = 50;

function detailText(detail: AuditItem["detail"]): string {
  if (!detail) return "";
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

export class AuditView {
  #items: AuditItem[] = [];

  async load(): Promise<void> {
    const res = await fetch(`/api/audit?limit=${SHOWN}`, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`GET /api/audit answered ${res.status}`);
    const body = (await res.json()) as { entries?: unknown[] };
    const loaded = (body.entries ?? []).map(readAuditItem).filter((x): x is AuditItem => x !== null);
    // Entries pushed while loading are newer than the loaded ones (and may be among them).
    const key = (e: AuditItem) => `${e.at} ${e.actor} ${e.action} ${e.subject}`;
    const pushed = new Set(this.#items.map(key));
    this.#items = [...this.#items, ...loaded.filter((e) => !pushed.has(key(e)))].slice(0, SHOWN);
  }

  add(raw: unknown): void {
    const item = readAuditItem(raw);
    if (item === null) return;
    this.#items = [item, ...this.#items].slice(0, SHOWN);
  }

  render(now: number): void {
    byId("audit").replaceChildren(...this.#items.map((e) =>
      h("tr", { class: e.action.includes("denied") || e.action.includes("refused") ? "denied" : "" },
        h("td", { class: "when", title: e.at }, clockTime(e.at, now)),
        h("td", null, e.actor),
        h("td", null, e.action),
        h("td", null, e.subject),
        h("td", { class: "detail" }, detailText(e.detail)),
      )));
  }
}
