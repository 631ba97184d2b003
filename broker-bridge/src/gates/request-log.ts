// Admin commands carry a request id (the envelope's `correlation`); the answer to each is kept in
// the store, written in the same transaction as the decision or mode change it reports. A command
// re-sent after a restart (MQTT.js resends an unacknowledged QoS 1 PUBLISH) gets its original
// answer again instead of "already approved" (issue 13).

import type { AdminReply } from "@shipgate/protocol";
import type { Store } from "../store";

/** How long an answer is kept for a re-send. */
export const REQUEST_LOG_TTL_MS = 24 * 3600_000;

export class RequestLog {
  readonly #get;
  readonly #put;
  readonly #prune;

  constructor(store: Store) {
    store.migrate("admin-requests", [
      // "user" quoted: a reserved word in PostgreSQL, an ordinary name in SQLite.
      `CREATE TABLE admin_requests ("user" TEXT NOT NULL, correlation TEXT NOT NULL, command TEXT NOT NULL,
         reply TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY ("user", correlation))`,
    ]);
    this.#get = store.db.prepare<[string, string], { command: string; reply: string }>('SELECT command, reply FROM admin_requests WHERE "user" = ? AND correlation = ?');
    this.#put = store.db.prepare('INSERT INTO admin_requests ("user", correlation, command, reply, at) VALUES (?, ?, ?, ?, ?)');
    this.#prune = store.db.prepare("DELETE FROM admin_requests WHERE at < ?");
  }

  lookup(user: string, correlation: string): { command: string; reply: AdminReply } | undefined {
    const row = this.#get.get(user, correlation);
    return row === undefined ? undefined : { command: row.command, reply: JSON.parse(row.reply) as AdminReply };
  }

  record(user: string, correlation: string, command: string, reply: AdminReply, at: number): void {
    this.#put.run(user, correlation, command, JSON.stringify(reply), at);
  }

  prune(before: number): void {
    this.#prune.run(before);
  }
}
