// The pending queue in memory: lock ids in first-in first-out order (mirrors SQLite's seq order,
// rebuilt at start and after a rolled-back transaction), what the hot paths need of each lock
// (pipeline, expiry, requester: no query per lock), and 1-based positions computed lazily.

import type { LockRow } from "./lock-store";

export interface QueuedLock {
  pipeline: string;
  expires_at: number;
  requester: string | null;
}

export class LockQueue {
  #ids: string[] = [];
  readonly #meta = new Map<string, QueuedLock>();
  /** 1-based positions, recomputed lazily after the queue changes. */
  #positions: Map<string, number> | null = null;

  /** Replaces the contents with these pending rows (in queue order). */
  reset(rows: readonly LockRow[]): void {
    this.#ids = [];
    this.#meta.clear();
    this.#positions = null;
    for (const row of rows) this.add(row);
  }

  add(row: LockRow): void {
    this.#ids.push(row.id);
    this.#meta.set(row.id, { pipeline: row.pipeline, expires_at: row.expires_at, requester: row.requester });
    // Joining at the back moves nobody: extend the position map instead of rebuilding it.
    this.#positions?.set(row.id, this.#ids.length);
  }

  /** Removes a lock; returns the 0-based index it had, or -1 when it was not queued. */
  remove(id: string): number {
    if (!this.#meta.delete(id)) return -1;
    const known = this.positionOf(id) - 1;
    const at = known >= 0 ? known : this.#ids.indexOf(id);
    this.#ids.splice(at, 1);
    this.#positions = null;
    return at;
  }

  /** The queued facts of a pending lock, or undefined when it is not queued. */
  meta(id: string): QueuedLock | undefined {
    return this.#meta.get(id);
  }

  positionOf(id: string): number {
    if (this.#positions === null) {
      const positions = new Map<string, number>();
      for (const [i, qid] of this.#ids.entries()) positions.set(qid, i + 1);
      this.#positions = positions;
    }
    return this.#positions.get(id) ?? 0;
  }

  get length(): number {
    return this.#ids.length;
  }

  at(index: number): string | undefined {
    return this.#ids[index];
  }

  ids(): readonly string[] {
    return this.#ids;
  }

  entries(): IterableIterator<[string, QueuedLock]> {
    return this.#meta.entries();
  }

  /** Pending locks matching a predicate on their queued facts (the per-pipeline and per-user limits). */
  count(match: (lock: QueuedLock) => boolean): number {
    let n = 0;
    for (const meta of this.#meta.values()) if (match(meta)) n++;
    return n;
  }

  earliestExpiry(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const meta of this.#meta.values()) if (meta.expires_at < next) next = meta.expires_at;
    return next;
  }
}
