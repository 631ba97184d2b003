// A tiny element builder. Text always goes in through textContent (never innerHTML), so names,
// summaries and reasons from pipelines cannot inject markup into the page.

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  title?: string;
  /** data-* attributes, without the prefix. */
  data?: Record<string, string>;
  [attribute: string]: string | Record<string, string> | undefined;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs !== null) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined) continue;
      if (key === "data" && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
      } else if (typeof value === "string") {
        el.setAttribute(key === "class" ? "class" : key, value);
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "number" ? String(child) : child);
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`dashboard: the page has no element #${id} (index.html out of date?)`);
  return el as T;
}

/** Only http(s) links from status data become hrefs; anything else (javascript:, data:) is dropped. */
export function safeHref(url: unknown): string | null {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Replaces an element's children, skipping null/false entries. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}
