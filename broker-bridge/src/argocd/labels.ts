// Kubernetes label selectors, as Argo CD's `selector` parameter takes them (the grammar of
// k8s.io/apimachinery/pkg/labels: comma-separated requirements `k`, `!k`, `k=v`, `k==v`, `k!=v`,
// `k in (a,b)`, `k notin (a,b)`). The bridge uses them for `sync_selector`, which it applies
// itself; `!=` and `notin` also match an app that lacks the label, as in Kubernetes.

export type Requirement = { op: "exists" | "absent"; key: string } | { op: "in" | "notin"; key: string; values: string[] };

export interface LabelSelector {
  requirements: Requirement[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

// Label keys: an optional DNS prefix and a name (Kubernetes "Labels and Selectors", syntax).
const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits at commas that are not inside parentheses. */
function splitTop(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth < 0) return null;
    } else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}

export function parseSelector(text: string): Parsed<LabelSelector> {
  const parts = splitTop(text);
  if (parts === null) return { ok: false, error: `unbalanced parentheses in selector "${text}"` };
  const requirements: Requirement[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === "") return { ok: false, error: `empty requirement in selector "${text}"` };
    const req = parseRequirement(part);
    if (typeof req === "string") return { ok: false, error: `${req} in selector "${text}"` };
    requirements.push(req);
  }
  return { ok: true, value: { requirements } };
}

function parseRequirement(part: string): Requirement | string {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set !== null) {
    const key = set[1] ?? "";
    if (!KEY.test(key)) return `bad label key "${key}"`;
    const values = (set[3] ?? "").split(",").map((v) => v.trim());
    for (const v of values) if (!VALUE.test(v)) return `bad label value "${v}"`;
    return { op: set[2] === "in" ? "in" : "notin", key, values };
  }
  const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (cmp !== null) {
    const key = cmp[1] ?? "";
    const value = cmp[3] ?? "";
    if (!KEY.test(key)) return `bad label key "${key}"`;
    if (!VALUE.test(value)) return `bad label value "${value}"`;
    return { op: cmp[2] === "!=" ? "notin" : "in", key, values: [value] };
  }
  if (part.startsWith("!")) {
    const key = part.slice(1).trim();
    return KEY.test(key) ? { op: "absent", key } : `bad label key "${key}"`;
  }
  return KEY.test(part) ? { op: "exists", key: part } : `cannot read requirement "${part}"`;
}

export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of selector.requirements) {
    const has = Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.op) {
      case "exists":
        if (!has) return false;
        break;
      case "absent":
        if (has) return false;
        break;
      case "in":
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case "notin":
        if (value !== undefined && r.values.includes(value)) return false;
        break;
    }
  }
  return true;
}
