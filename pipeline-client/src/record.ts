// What a pipeline keeps of a decision: the record `--record FILE` writes (shared/docs/contract.md,
// "Commands") and the exit code each final state maps to.

import type { LockState } from "@shipgate/protocol";

export const EXIT = Object.freeze({ approved: 0, rejected: 1, expired: 2, error: 3 });

export interface DecisionRecord {
  id: string;
  pipeline: string;
  step: string;
  state: LockState["state"];
  decided_by: string | null;
  decided_at: string | null;
  requested_at: string;
  time_locked_ms: number | null;
  mode: LockState["mode"];
}

export function recordOf(lock: LockState): DecisionRecord {
  return {
    id: lock.id,
    pipeline: lock.pipeline,
    step: lock.step,
    state: lock.state,
    decided_by: lock.decided_by,
    decided_at: lock.decided_at,
    requested_at: lock.requested_at,
    time_locked_ms: lock.time_locked_ms,
    mode: lock.mode,
  };
}

/** 0 approved (also in released mode), 1 rejected, blocked or cancelled elsewhere, 2 expired. */
export function exitCodeOf(state: Exclude<LockState["state"], "pending">): number {
  return state === "approved" ? EXIT.approved : state === "expired" ? EXIT.expired : EXIT.rejected;
}

/** The one state line per change that gate prints to stderr. */
export function describe(label: string, lock: LockState): string {
  if (lock.state === "pending") {
    const pos = lock.position !== null ? ` (position ${lock.position})` : "";
    return `shipgate: ${label} waiting for approval${pos}${lock.reason ? `: ${lock.reason}` : ""}`;
  }
  const by = lock.decided_by ? ` by ${lock.decided_by}` : "";
  const said = `${lock.state}${by}`;
  const reason = lock.reason && !restates(lock.reason, said) ? `: ${lock.reason}` : "";
  return `shipgate: ${label} ${said}${reason}`;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9_.-]+|:/)
    .filter((w) => w !== "");

/** A reason that says nothing the line does not already say: the bridge's default reasons
 *  ("rejected by user:admin", "blocked mode" for mode:blocked) only restate who decided. */
function restates(reason: string, said: string): boolean {
  const known = new Set(words(said));
  return words(reason).every((w) => known.has(w));
}
