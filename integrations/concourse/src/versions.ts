// Lock states as Concourse versions and metadata.

import type { LockState } from "@shipgate/protocol";
import type { DecisionRecord } from "@shipgate/pipeline-client/record";
import type { LockVersion, ResourceSource } from "./source";

/** A lock state is well under this; the bridge's own reader uses the same bound (pipeline-client/src/wait.ts). */
export const LOCK_STATE_MAX_BYTES_FALLBACK = 8192;

export function versionOf(lock: Pick<LockState, "id" | "pipeline" | "step">): LockVersion {
  return { id: lock.id, pipeline: lock.pipeline, step: lock.step };
}

export function lockMatches(lock: LockState, source: Pick<ResourceSource, "pipeline" | "step">): boolean {
  return (source.pipeline === null || lock.pipeline === source.pipeline) && (source.step === null || lock.step === source.step);
}

/** Oldest decision first, as Concourse wants versions in order. */
export function sortByDecision(locks: LockState[]): LockState[] {
  return [...locks].sort((a, b) => (a.decided_at ?? "").localeCompare(b.decided_at ?? "") || a.id.localeCompare(b.id));
}

export function metadataOf(record: DecisionRecord): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(record)) if (value !== null && name !== "id") out.push({ name, value: String(value) });
  return out;
}
