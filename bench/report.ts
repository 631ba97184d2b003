// Writing a run down: bench/results.json (the figures), bench/results.previous.json (the run
// before), the comparison between them (a figure more than 20 % worse is flagged, in the direction
// that matters for it), and the tables in docs/performance.md between marker comments.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Figure, Machine } from "./figures";
import { machineLine } from "./figures";

/** A figure this much worse than the previous run's is flagged (issue 9). */
export const REGRESSION_THRESHOLD = 0.2;

export interface Comparison {
  name: string;
  unit: string;
  previous: number | null;
  current: number | null;
  /** Relative change, positive = worse (direction-aware); null when either side is missing or 0. */
  worse: number | null;
  regressed: boolean;
  /** false: the previous figure was measured on another broker or with another sample count, so
   *  the two are not compared (a quick run's 30 decisions are not a full run's 1,000). */
  comparable: boolean;
}

/** Like with like: the same broker and the same number of samples behind the figure. */
function sameConditions(a: Figure, b: Figure): boolean {
  return a.conditions.broker === b.conditions.broker && a.conditions.n === b.conditions.n;
}

export function compare(previous: readonly Figure[], current: readonly Figure[]): Comparison[] {
  const before = new Map(previous.map((f) => [f.name, f]));
  return current.map((f) => {
    const p = before.get(f.name);
    const prev = p?.value ?? null;
    const comparable = p === undefined || sameConditions(p, f);
    let worse: number | null = null;
    if (comparable && prev !== null && f.value !== null && prev !== 0 && f.better !== "none") {
      const change = (f.value - prev) / Math.abs(prev);
      worse = f.better === "lower" ? change : -change;
    }
    return { name: f.name, unit: f.unit, previous: prev, current: f.value, worse, regressed: worse !== null && worse > REGRESSION_THRESHOLD, comparable };
  });
}

export function readFigures(file: string): Figure[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected an array of figures`);
  return parsed as Figure[];
}

export function formatValue(value: number | null): string {
  if (value === null) return "n/a";
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString("en-US") : String(value);
}

function formatChange(c: Comparison | undefined): string {
  if (c !== undefined && !c.comparable) return "not comparable";
  if (c === undefined || c.worse === null) return "";
  const pct = Math.round(c.worse * 100);
  const text = pct === 0 ? "same" : pct > 0 ? `${pct}% worse` : `${-pct}% better`;
  return c.regressed ? `**${text}** ⚠` : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** One Markdown table per section, in the order the figures came. */
export function resultTables(figures: readonly Figure[], comparisons: readonly Comparison[]): string {
  const byName = new Map(comparisons.map((c) => [c.name, c]));
  const sections: string[] = [];
  for (const f of figures) if (!sections.includes(f.section)) sections.push(f.section);
  const out: string[] = [];
  for (const section of sections) {
    out.push(`### ${section}`, "", "| Figure | Value | Unit | Previous | Change | Conditions |", "|---|---:|---|---:|---|---|");
    for (const f of figures.filter((x) => x.section === section)) {
      const c = byName.get(f.name);
      const cond = [f.conditions.broker, `n=${f.conditions.n}`, f.conditions.note].filter((s) => s !== undefined && s !== "").join("; ");
      out.push(`| ${cell(f.name)} | ${formatValue(f.value)} | ${cell(f.unit)} | ${c?.previous === null || c === undefined ? "" : formatValue(c.previous)} | ${formatChange(c)} | ${cell(cond)} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

export function comparisonSummary(comparisons: readonly Comparison[], previousDate: string | null): string {
  const regressed = comparisons.filter((c) => c.regressed);
  if (previousDate === null) return "No previous results to compare with.";
  const apart = comparisons.filter((c) => !c.comparable).length;
  const notCompared = apart === 0 ? "" : ` ${apart} figure(s) not compared: measured before with another sample count or broker.`;
  if (regressed.length === 0) return `No figure is more than ${REGRESSION_THRESHOLD * 100}% worse than the previous run (${previousDate}).${notCompared}`;
  return [
    `${regressed.length} figure(s) more than ${REGRESSION_THRESHOLD * 100}% worse than the previous run (${previousDate}):${notCompared}`,
    "",
    ...regressed.map((c) => `- ${c.name}: ${formatValue(c.previous)} -> ${formatValue(c.current)} ${c.unit} (${Math.round((c.worse ?? 0) * 100)}% worse)`),
  ].join("\n");
}

/** What a run prints on stdout. A quick run (smaller samples, shorter idle periods) is a smoke
 *  test: its figures are listed, never held against a full run's (issue 14). */
export function runReport(previous: readonly Figure[], figures: readonly Figure[], quick: boolean): { comparisons: Comparison[]; text: string } {
  if (quick) {
    const comparisons = compare([], figures);
    return { comparisons, text: `${comparisonTable(comparisons)}\n\nQuick run: ${figures.length} figures, not compared with bench/results.json (a full run's); nothing is written.` };
  }
  const comparisons = compare(previous, figures);
  return { comparisons, text: `${comparisonTable(comparisons)}\n\n${comparisonSummary(comparisons, previous[0]?.conditions.date ?? null)}` };
}

/** Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; appends the pair if absent. */
export function replaceBetweenMarkers(doc: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  const block = `${open}\n${body}\n${close}`;
  if (start < 0 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + close.length);
}

export function updatePerformanceDoc(
  file: string,
  machine: Machine,
  date: string,
  durationS: number,
  figures: readonly Figure[],
  comparisons: readonly Comparison[],
  previousDate: string | null,
): void {
  let doc = existsSync(file) ? readFileSync(file, "utf8") : "# Performance\n";
  doc = replaceBetweenMarkers(doc, "machine", `Measured ${date} on ${machineLine(machine)}; the whole run took ${Math.round(durationS)} s.`);
  doc = replaceBetweenMarkers(doc, "comparison", comparisonSummary(comparisons, previousDate));
  doc = replaceBetweenMarkers(doc, "results", resultTables(figures, comparisons));
  writeFileSync(file, doc);
}

/** The comparison as a console table: every figure with a previous value, regressions marked. */
export function comparisonTable(comparisons: readonly Comparison[]): string {
  const rows = comparisons.filter((c) => c.previous !== null || c.current !== null);
  const width = Math.min(90, Math.max(...rows.map((r) => r.name.length), 6));
  const lines = [`${"figure".padEnd(width)}  ${"previous".padStart(10)}  ${"now".padStart(10)}  change`];
  for (const r of rows) {
    lines.push(
      `${r.name.slice(0, width).padEnd(width)}  ${(r.previous === null ? "" : formatValue(r.previous)).padStart(10)}  ${formatValue(r.current).padStart(10)}  ${formatChange(r).replace(/\*\*/g, "")}${r.regressed ? "  REGRESSION" : ""}`,
    );
  }
  return lines.join("\n");
}
