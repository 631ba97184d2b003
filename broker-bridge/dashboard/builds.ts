// CI pipelines and Argo CD apps as rows the page can show without knowing each provider: a
// name, a state with a tone, an age, a link. The `ci` and `argocd` status sections are read
// generically, so a new provider or field shows up without a change here. Stale data never
// shows as success: a row whose data is not fresh, or a section that cannot reach its source,
// is shown as "stale" in the unknown tone, with the last known state beside it.
// Pure functions (no DOM), tested on Node.

export type Tone = "good" | "bad" | "busy" | "unknown";

export interface BuildRow {
  name: string;
  /** What it is now, e.g. "passing", "OutOfSync · Healthy", "stale". */
  state: string;
  tone: Tone;
  /** Secondary line: provider, last known state of stale data, errors. */
  detail: string;
  /** When the data is from (ISO-8601), for the age column. */
  at: string | null;
  url: string | null;
  stale: boolean;
}

export interface BuildSection {
  /** False when the section is absent or says configured: false. */
  configured: boolean;
  /** A problem with the whole source (unreachable), shown above the rows. */
  problem: string | null;
  rows: BuildRow[];
}

const GOOD = new Set(["passing", "passed", "success", "succeeded", "healthy", "synced", "ok", "green"]);
const BAD = new Set(["failing", "failed", "failure", "error", "errored", "degraded", "missing", "broken", "red"]);
const BUSY = new Set(["building", "running", "pending", "progressing", "syncing", "outofsync", "queued", "awaiting", "suspended"]);

export function toneOf(word: unknown): Tone {
  if (typeof word !== "string") return "unknown";
  const w = word.toLowerCase().replace(/[\s_-]/g, "");
  if (BAD.has(w)) return "bad";
  if (BUSY.has(w)) return "busy";
  if (GOOD.has(w)) return "good";
  return "unknown";
}

/** The worst tone of several (bad > busy > unknown > good): one failing part makes a row bad. */
export function worstTone(tones: Tone[]): Tone {
  const rank: Record<Tone, number> = { good: 0, unknown: 1, busy: 2, bad: 3 };
  return tones.reduce<Tone>((w, t) => (rank[t] > rank[w] ? t : w), "good");
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/** The list inside a section: the section itself if it is an array, else its first array field
 *  among the usual names. */
function itemsOf(section: unknown): unknown[] {
  if (Array.isArray(section)) return section;
  if (!isObj(section)) return [];
  for (const key of ["pipelines", "apps", "applications", "items", "builds"]) {
    const v = section[key];
    if (Array.isArray(v)) return v;
  }
  return [];
}

const STATE_KEYS = ["health", "state", "status", "result"];
const TIME_KEYS = ["last_data_at", "updated_at", "finished_at", "last_deployed_at", "at", "started_at"];

function firstTime(item: Obj): string | null {
  for (const key of TIME_KEYS) {
    const v = str(item[key]);
    if (v !== null && !Number.isNaN(Date.parse(v))) return v;
  }
  const op = item.operation;
  if (isObj(op)) return str(op.finished_at);
  return null;
}

function rowOf(item: unknown, sourceProblem: string | null): BuildRow | null {
  if (!isObj(item)) return null;
  const name = str(item.name) ?? str(item.id);
  if (name === null) return null;
  // Argo CD apps have two axes (sync and health); pipelines have one state.
  const parts: string[] = [];
  const sync = str(item.sync);
  if (sync !== null) parts.push(sync);
  for (const key of STATE_KEYS) {
    const v = str(item[key]);
    if (v !== null) {
      parts.push(v);
      break;
    }
  }
  const tones = parts.map(toneOf);
  const op = isObj(item.operation) ? str(item.operation.phase) : null;
  if (op !== null && op !== "Succeeded") {
    parts.push(`sync ${op}`);
    tones.push(toneOf(op));
  }
  const known = parts.length > 0 ? parts.join(" · ") : "unknown";
  const tone = tones.length > 0 ? worstTone(tones) : "unknown";

  const details: string[] = [];
  const provider = str(item.provider) ?? str(item.project);
  if (provider !== null) details.push(provider);
  const failing = item.failing;
  if (Array.isArray(failing) && failing.length > 0) details.push(`failing: ${failing.filter((f) => typeof f === "string").join(", ")}`);
  // A pipeline paused for a person (the state CCTray feeds lack: peers.md, Nevergreen).
  if (item.awaiting === true) details.push("awaiting approval");
  const lastError = str(item.last_error);
  if (lastError !== null) details.push(lastError);

  const stale = item.fresh === false || item.stale === true || sourceProblem !== null;
  if (stale) details.unshift(`last known: ${known}`);
  return {
    name,
    state: stale ? "stale" : known,
    tone: stale ? "unknown" : tone,
    detail: details.join(" — "),
    at: firstTime(item),
    url: str(item.url) ?? str(item.web_url) ?? str(item.html_url),
    stale,
  };
}

/** A section's own trouble: Argo CD's watch stream unreachable, a section-level error. */
function problemOf(section: unknown): string | null {
  if (!isObj(section)) return null;
  const error = str(section.error);
  if (error !== null) return error;
  const watch = section.watch;
  if (isObj(watch) && watch.reachable === false) return `unreachable${str(watch.last_error) ? `: ${watch.last_error as string}` : ""}`;
  if (section.reachable === false) return "unreachable";
  return null;
}

export function readBuildSection(section: unknown): BuildSection {
  if (section === undefined || section === null || (isObj(section) && section.configured === false)) {
    return { configured: false, problem: null, rows: [] };
  }
  const problem = problemOf(section);
  const rows: BuildRow[] = [];
  for (const item of itemsOf(section)) {
    const row = rowOf(item, problem);
    if (row !== null) rows.push(row);
  }
  return { configured: true, problem, rows };
}
