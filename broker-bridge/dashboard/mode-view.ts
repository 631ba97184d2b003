// The mode banner: the gate's mode in big letters with what it means for a deploy, until when,
// why, who set it, and the freeze windows.

import { byId, h } from "./dom";
import type { PageState } from "./model";
import { clockTime } from "./time";

const MEANING: Readonly<Record<string, string>> = Object.freeze({
  default: "Every deploy waits for an approval on a gadget or here",
  released: "Deploys go through without approval",
  blocked: "Every deploy is rejected",
});

/** An element whose text the page's ticker keeps as "5m ago" / "in 2h" (main.ts). */
export function since(iso: string | null | undefined, prefix = ""): HTMLElement {
  const el = h("span", { class: "since", ...(iso ? { data: { at: iso, prefix }, title: iso } : {}) });
  el.textContent = iso ? prefix : `${prefix}never`;
  return el;
}

export function renderMode(state: PageState, now: number): void {
  const banner = byId("mode-banner");
  const mode = state.mode;
  const freeze = mode?.changed_by.startsWith("freeze:") ? mode.changed_by.slice("freeze:".length) : null;
  banner.dataset.mode = mode?.mode ?? "unknown";
  byId("mode-name").textContent = mode ? mode.mode.toUpperCase() : "UNKNOWN";
  byId("mode-text").textContent = mode ? (freeze !== null ? `Freeze window "${freeze}": every deploy is rejected` : (MEANING[mode.mode] ?? mode.mode)) : "the bridge has not reported a mode";

  const meta = byId("mode-meta");
  const lines: HTMLElement[] = [];
  if (mode) {
    if (mode.until) lines.push(h("div", null, `until ${clockTime(mode.until, now)} (`, since(mode.until), ")"));
    if (mode.reason) lines.push(h("div", { class: "reason" }, mode.reason));
    lines.push(h("div", { class: "muted" }, `set by ${mode.changed_by} `, since(mode.changed_at)));
  }
  const f = state.freeze;
  if (f.windows.length > 0) {
    const spans = f.windows.map((w) => `${w.name}: ${w.from} → ${w.to}`).join(", ");
    lines.push(h("div", { class: "muted" }, `Freeze windows (${f.timezone}): ${spans}`, f.next_change_at ? h("span", null, " · next change ", since(f.next_change_at)) : null));
  }
  meta.replaceChildren(...lines);
}
