// A pipeline's health from its newest builds: per part (workflow, job, environment), the newest
// build that is not cancelled says whether it runs, and the newest finished build says how it
// ended. The pipeline shows the worst part: failing > building > unknown > passing.

import type { Build, PipelineHealth } from "../builds";

export interface HealthSummary {
  health: PipelineHealth;
  /** The newest finished result over all parts: failing when any part's last result failed. */
  result: "passing" | "failing" | null;
  /** Some part waits for a person (the state cc.xml lacks). */
  awaiting: boolean;
  /** Some part runs now. */
  building: boolean;
  /** Parts whose last finished build failed. */
  failing: string[];
  /** The newest build of all, for links and labels. */
  newest: Build | null;
  /** The newest finished build (for cc.xml lastBuildLabel/Time). */
  lastFinished: Build | null;
}

const RANK: Readonly<Record<PipelineHealth, number>> = Object.freeze({ passing: 0, unknown: 1, building: 2, failing: 3 });

export function worstHealth(values: Iterable<PipelineHealth>): PipelineHealth | null {
  let worst: PipelineHealth | null = null;
  for (const v of values) if (worst === null || RANK[v] > RANK[worst]) worst = v;
  return worst;
}

/** Newest first: builds not started yet (queued) first, then by start time, then by number. */
export function newestFirst(builds: readonly Build[]): Build[] {
  return [...builds].sort((a, b) => {
    if (a.started_at === null || b.started_at === null) return a.started_at === b.started_at ? (b.number ?? 0) - (a.number ?? 0) : a.started_at === null ? -1 : 1;
    if (a.started_at !== b.started_at) return a.started_at < b.started_at ? 1 : -1;
    return (b.number ?? 0) - (a.number ?? 0);
  });
}

export function summarize(builds: readonly Build[]): HealthSummary {
  const parts = new Map<string, Build[]>();
  for (const b of builds) {
    const key = b.workflow ?? "";
    let list = parts.get(key);
    if (list === undefined) {
      list = [];
      parts.set(key, list);
    }
    list.push(b);
  }
  const healths: PipelineHealth[] = [];
  const failing: string[] = [];
  let awaiting = false;
  let building = false;
  let result: "passing" | "failing" | null = null;
  let lastFinished: Build | null = null;
  for (const [part, list] of parts) {
    const ordered = newestFirst(list);
    const current = ordered.find((b) => b.state !== "cancelled");
    const finished = ordered.find((b) => b.state === "passing" || b.state === "failing");
    const active = current !== undefined && (current.state === "building" || current.state === "awaiting");
    if (active && current.state === "awaiting") awaiting = true;
    if (active) building = true;
    if (finished !== undefined) {
      if (finished.state === "failing") {
        result = "failing";
        failing.push(part);
      } else if (result === null) result = "passing";
      if (lastFinished === null || (finished.finished_at ?? "") > (lastFinished.finished_at ?? "")) lastFinished = finished;
    }
    healths.push(finished?.state === "failing" ? "failing" : active ? "building" : finished?.state === "passing" ? "passing" : "unknown");
  }
  return {
    health: worstHealth(healths) ?? "unknown",
    result,
    awaiting,
    building,
    failing,
    newest: newestFirst(builds)[0] ?? null,
    lastFinished,
  };
}
