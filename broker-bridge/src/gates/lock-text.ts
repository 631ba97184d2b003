// What a lock row looks like outside: its public state (protocol LockState) and the reason it is
// still waiting ("needs 1 more approval", "no gadget online").

import type { LockRequest, LockState, ModeState } from "@shipgate/protocol";
import { iso } from "../clock";
import type { LockRow } from "./lock-store";
import type { GatePolicy } from "./policy";

export function waitReason(row: LockRow, policy: GatePolicy, online: ReadonlySet<string>): string | null {
  const parts: string[] = [];
  if (row.approvals_needed > 1) {
    const left = row.approvals_needed - row.approved_by.length;
    parts.push(`needs ${left} more approval${left === 1 ? "" : "s"} from distinct people` + (row.approved_by.length ? ` (approved by ${row.approved_by.join(", ")})` : ""));
  }
  if (policy.requiresGadget(row.pipeline, row.step) && !row.approved_by.some((a) => a.startsWith("gadget:"))) {
    parts.push("needs a press on a gadget");
  }
  const candidates = policy.configuredGadgets.length > 0 ? policy.candidateGadgets(row.pipeline, row.step) : null;
  if (candidates !== null) {
    const up = candidates.filter((g) => online.has(g));
    if (up.length === 0) {
      parts.push(
        candidates.length === 0
          ? "no gadget may decide this lock; an admin must decide it"
          : `no gadget that may decide it is online (${candidates.join(", ")} offline); an admin can decide it from the dashboard or CLI`,
      );
    } else if (up.length < row.approvals_needed - row.approved_by.length) {
      parts.push(`only ${up.length} of the gadgets that may decide it are online (${up.join(", ")})`);
    }
  }
  return parts.length === 0 ? null : parts.join("; ");
}

export function lockStateOf(row: LockRow, position: number): LockState {
  const pending = row.state === "pending";
  const lock: LockState = {
    id: row.id,
    pipeline: row.pipeline,
    step: row.step,
    summary: row.summary,
    state: row.state,
    position: pending && position > 0 ? position : null,
    requested_at: iso(row.requested_at),
    decided_at: row.decided_at === null ? null : iso(row.decided_at),
    decided_by: row.decided_by,
    time_locked_ms: row.decided_at === null ? null : row.decided_at - row.requested_at,
    mode: row.mode,
    reason: row.reason,
  };
  if (row.approvals_needed > 1) {
    lock.approvals_needed = Math.max(0, row.approvals_needed - row.approved_by.length);
    lock.approved_by = row.approved_by;
  }
  if (pending) lock.expires_at = iso(row.expires_at);
  return lock;
}

/** A new lock's row: pending, or decided at once by the released or blocked mode in force. */
export function newLockRow(req: LockRequest, requester: string | null, mode: ModeState, now: number, defaultTimeoutMs: number, approvalsNeeded: number): Omit<LockRow, "seq" | "cleared"> {
  const timeoutMs = req.timeout_s !== undefined ? req.timeout_s * 1000 : defaultTimeoutMs;
  const base: Omit<LockRow, "seq" | "cleared"> = {
    id: req.id,
    pipeline: req.pipeline,
    step: req.step,
    summary: req.summary ?? "",
    state: "pending",
    requested_at: now,
    expires_at: now + timeoutMs,
    decided_at: null,
    decided_by: null,
    reason: null,
    mode: mode.mode,
    approvals_needed: approvalsNeeded,
    approved_by: [],
    requester,
  };
  if (mode.mode === "released") {
    base.state = "approved";
    base.decided_at = now;
    base.decided_by = "mode:released";
    base.reason = mode.reason ?? "released mode";
  } else if (mode.mode === "blocked") {
    base.state = "rejected";
    base.decided_at = now;
    base.decided_by = mode.changed_by.startsWith("freeze:") ? mode.changed_by : "mode:blocked";
    base.reason = mode.reason ?? "blocked mode";
  }
  return base;
}
