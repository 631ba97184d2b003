// The audit log's tail: loaded from GET /api/audit, then new entries as they are pushed. A filter
// by action prefix ("lock.", "http.denied") reloads the tail from the API with ?action= and
// keeps only matching pushed entries; the CSV link exports the same filter (login required).

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

/** What the action filter accepts (the API's rule): an empty filter shows everything. */
const ACTION_PREFIX = /^[A-Za-z0-9_.-]{0,64}$/;

export class AuditView {
  #items: AuditItem[] = [];
  #action = "";
  #generation = 0;

  /** Applies an action prefix; false when the text is not one (the list stays as it was). */
  async filter(action: string): Promise<boolean> {
    const text = action.trim();
    if (!ACTION_PREFIX.test(text)) return false;
    this.#action = text;
    this.#items = [];
    const link = document.getElementById("audit-csv");
    if (link instanceof HTMLAnchorElement) link.href = `/api/audit.csv${text ? `?action=${encodeURIComponent(text)}` : ""}`;
    await this.load();
    return true;
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    const query = this.#action ? `&action=${encodeURIComponent(this.#action)}` : "";
    const res = await fetch(`/api/audit?limit=${SHOWN}${query}`, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`GET /api/audit answered ${res.status}`);
    const body = (await res.json()) as { entries?: unknown[] };
    if (generation !== this.#generation) return; // a newer filter's load replaced this one
    const loaded = (body.entries ?? []).map(readAuditItem).filter((x): x is AuditItem => x !== null);
    // Entries pushed while loading are newer than the loaded ones (and may be among them).
    const key = (e: AuditItem) => `${e.at} ${e.actor} ${e.action} ${e.subject}`;
    const pushed = new Set(this.#items.map(key));
    this.#items = [...this.#items, ...loaded.filter((e) => !pushed.has(key(e)))].slice(0, SHOWN);
  }

  add(raw: unknown): void {
    const item = readAuditItem(raw);
    if (item === null || !item.action.startsWith(this.#action)) return;
    this.#items = [item, ...this.#items].slice(0, SHOWN);
  }

  render(now: number): void {
    byId("audit").replaceChildren(
      ...this.#items.map((e) =>
        h(
          "tr",
          { class: e.action.includes("denied") || e.action.includes("refused") ? "denied" : "" },
          h("td", { class: "when", title: e.at }, clockTime(e.at, now)),
          h("td", null, e.actor),
          h("td", null, e.action),
          h("td", null, e.subject),
          h("td", { class: "detail" }, detailText(e.detail)),
        ),
      ),
    );
  }
}
