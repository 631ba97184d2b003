// Argo CD's part of a gadget's view: the amber segment of ring B while apps are out of sync, the
// red "failed" base scene while an app is Degraded or its last operation failed, cyan progress
// while a sync from the bridge runs, and one line for the display. Display priorities, highest
// first: a running sync, its result, errors, out of sync, Argo CD unreachable.

import type { ViewContribution } from "../ports/gadgets";
import { SEVERITY } from "../ports/gadgets";
import { type AppSummary, isInError } from "./apps";
import type { ArgoSegment } from "./config";
import type { SyncBatch } from "./sync";

export const DISPLAY_PRIORITY = Object.freeze({
  syncing: 80,
  result: 70,
  error: 60,
  outOfSync: 40,
  unreachable: 30,
});

export interface ArgoViewInput {
  apps: readonly AppSummary[];
  /** Apps this gadget's hold would sync. */
  syncable: number;
  segment: ArgoSegment;
  batch: SyncBatch | null;
  progress: number | undefined;
  /** A message left after an ack (approval outcome), while still fresh. */
  notice: string | null;
  /** Show the last finished batch until this time (ms). */
  resultUntil: number;
  now: number;
  /** Why Argo CD cannot be read, when it cannot. */
  unreachable: string | null;
}

function names(apps: readonly { name: string }[]): string {
  return apps.map((a) => a.name).join(" ");
}

function text(s: string): { kind: "text"; text: string } {
  // Display text is printable and at most 240 characters (protocol checkDisplayView).
  return { kind: "text", text: s.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 240) };
}

export function argoContribution(input: ArgoViewInput): ViewContribution {
  const out: ViewContribution = { syncReady: input.syncable };
  const outOfSync = input.apps.filter((a) => a.sync === "OutOfSync");
  const failing = input.apps.filter(isInError);
  if (outOfSync.length > 0) out.segments = [{ start: input.segment.start, count: input.segment.count, scene: "out_of_sync" }];
  if (failing.length > 0) out.status = { scene: "failed", severity: SEVERITY.failed };
  else if (input.unreachable !== null) out.status = { scene: "unknown", severity: SEVERITY.unknown };

  const batch = input.batch;
  if (batch !== null && batch.finished_at === null) {
    if (input.progress !== undefined) out.syncProgress = input.progress;
    out.display = { priority: DISPLAY_PRIORITY.syncing, view: text(`SYNCING ${names(batch.apps.filter((a) => a.state !== "refused"))}`) };
    return out;
  }
  if (batch !== null && input.now < input.resultUntil) {
    const bad = batch.apps.filter((a) => a.state !== "succeeded");
    const line = bad.length === 0 ? `SYNCED ${names(batch.apps)}` : `SYNC FAILED ${bad.map((a) => `${a.name}${a.message ? ` ${a.message}` : ""}`).join(" ")}`;
    out.display = { priority: DISPLAY_PRIORITY.result, view: text(line) };
    if (bad.length > 0 && out.status === undefined) out.status = { scene: "failed", severity: SEVERITY.failed };
    return out;
  }
  if (input.notice !== null) {
    out.display = { priority: DISPLAY_PRIORITY.result, view: text(input.notice) };
    return out;
  }
  if (failing.length > 0) {
    const degraded = failing.filter((a) => a.health === "Degraded");
    const failed = failing.filter((a) => a.health !== "Degraded");
    const parts: string[] = [];
    if (degraded.length > 0) parts.push(`DEGRADED: ${names(degraded)}`);
    if (failed.length > 0) parts.push(`SYNC FAILED: ${names(failed)}`);
    out.display = { priority: DISPLAY_PRIORITY.error, view: text(parts.join(" ")) };
  } else if (outOfSync.length > 0) {
    out.display = { priority: DISPLAY_PRIORITY.outOfSync, view: text(`OUT OF SYNC: ${names(outOfSync)}`) };
  } else if (input.unreachable !== null) {
    out.display = { priority: DISPLAY_PRIORITY.unreachable, view: text("ARGO CD UNREACHABLE") };
  }
  return out;
}
