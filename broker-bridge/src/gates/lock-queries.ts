// What the lock service answers without changing anything: a lock, the pending ones, who
// requested one, the head of the queue for a decider. LockService extends it with the commands.

import type { LockState } from "@shipgate/protocol";
import type { LockQueue } from "./lock-queue";
import type { LockRow, LockStore } from "./lock-store";
import { lockStateOf } from "./lock-text";
import { type Decider, type GatePolicy, deciderLabel } from "./policy";

export class LockQueries {
  constructor(
    protected readonly locks: LockStore,
    protected readonly queue: LockQueue,
    protected readonly policy: GatePolicy,
  ) {}

  get(id: string): LockState | undefined {
    const row = this.locks.get(id);
    return row === undefined ? undefined : this.toState(row);
  }

  pending(): LockState[] {
    return this.locks.pending().map((row) => this.toState(row));
  }

  /** Whether the lock's state is still retained on its topic (pending, or decided within the grace period). */
  isRetained(id: string): boolean {
    const row = this.locks.get(id);
    return row !== undefined && !row.cleared;
  }

  /** Who requested the lock: pipelines may cancel and read only their own. */
  requesterOf(id: string): string | null {
    // A pending lock's requester is in the queue: no query for each delivered or published state.
    const queued = this.queue.meta(id);
    return queued !== undefined ? queued.requester : this.locks.requesterOf(id);
  }

  /** The lock's pipeline, or null when there is no such lock. */
  pipelineOf(id: string): string | null {
    return this.locks.get(id)?.pipeline ?? null;
  }

  /** The locks decided last, newest first (from the store, so a restart keeps them). */
  recent(limit: number): LockState[] {
    return this.locks.recentDecided(limit).map((row) => this.toState(row));
  }

  pendingCount(): number {
    return this.queue.length;
  }

  /** The first pending lock this decider may decide and has not approved yet. */
  headFor(decider: Decider): LockState | undefined {
    const label = deciderLabel(decider);
    for (const id of this.queue.ids()) {
      const row = this.locks.get(id);
      if (row === undefined) continue;
      if (row.approved_by.includes(label)) continue;
      if (this.policy.refusal(decider, row.pipeline, row.step) === null) return this.toState(row);
    }
    return undefined;
  }

  protected toState(row: LockRow): LockState {
    return lockStateOf(row, row.state === "pending" ? this.queue.positionOf(row.id) : 0);
  }
}
