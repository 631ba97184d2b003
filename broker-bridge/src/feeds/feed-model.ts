// What the feeds publish, built once from the CI service's pipelines and the gates' pending locks,
// then written as cc.xml (CCTray) or JSON.

import type { LockState } from "@shipgate/protocol";
import type { PipelineView } from "../ports/ci";

/** The JSON feed's states: cc.xml's, plus the one it lacks (peers.md, Nevergreen). */
export type FeedState = "passing" | "failing" | "building" | "unknown" | "awaiting approval";

export interface FeedItem {
  name: string;
  kind: "pipeline" | "gate";
  state: FeedState;
  /** cc.xml activity. */
  activity: "Building" | "Sleeping";
  /** cc.xml lastBuildStatus. */
  last_build_status: "Success" | "Failure" | "Exception" | "Unknown";
  label: string | null;
  last_build_time: string | null;
  url: string | null;
  fresh: boolean;
  provider: string | null;
  /** For gates: the lock waiting. */
  lock?: { id: string; pipeline: string; step: string; summary: string; position: number | null; requested_at: string };
}

export function feedItems(pipelines: readonly PipelineView[], pending: readonly LockState[], baseUrl: string): FeedItem[] {
  const waiting = new Set(pending.map((l) => l.pipeline));
  const items: FeedItem[] = pipelines.map((p) => {
    const s = p.summary;
    const awaiting = p.fresh && (s.awaiting || waiting.has(p.name));
    const last = p.fresh ? s.result : null;
    return {
      name: p.name,
      kind: "pipeline",
      state: awaiting ? "awaiting approval" : p.health,
      activity: p.fresh && (s.building || awaiting) ? "Building" : "Sleeping",
      // Stale data is Unknown, never a stale Success.
      last_build_status: last === "passing" ? "Success" : last === "failing" ? "Failure" : "Unknown",
      label: s.lastFinished?.number !== undefined ? String(s.lastFinished.number) : (s.lastFinished?.id ?? null),
      last_build_time: s.lastFinished?.finished_at ?? s.lastFinished?.started_at ?? null,
      url: s.lastFinished?.url ?? s.newest?.url ?? null,
      fresh: p.fresh,
      provider: p.provider,
    };
  });
  // A pending lock is its own project: a monitor that knows nothing of shipgate still shows that a
  // deploy waits (as Building, the closest cc.xml has).
  for (const l of pending) {
    items.push({
      name: `gate: ${l.pipeline} ${l.step}`,
      kind: "gate",
      state: "awaiting approval",
      activity: "Building",
      last_build_status: "Unknown",
      label: l.id,
      last_build_time: l.requested_at,
      url: `${baseUrl}/`,
      fresh: true,
      provider: null,
      lock: { id: l.id, pipeline: l.pipeline, step: l.step, summary: l.summary, position: l.position, requested_at: l.requested_at },
    });
  }
  return items;
}
