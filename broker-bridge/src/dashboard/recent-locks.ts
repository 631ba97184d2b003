// The locks decided lately, newest first, for the dashboard's "recently decided" list. Kept in
// memory from lock:decided events: a restarted bridge starts the list afresh (the audit log
// below it on the page keeps the full history).

import type { LockState } from "@shipgate/protocol";

export class RecentLocks {
  readonly #limit: number;
  #locks: LockState[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(lock: LockState): void {
    this.#locks = [lock, ...this.#locks.filter((l) => l.id !== lock.id)].slice(0, this.#limit);
  }

  list(): readonly LockState[] {
    return this.#locks;
  }
}
