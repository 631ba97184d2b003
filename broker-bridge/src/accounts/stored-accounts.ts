// Users, API tokens and gadget secrets in a shared PostgreSQL store, for bridges in a pair: what
// <state>/users.json and <state>/gadget-secrets/ hold on one machine. `shipgate user add` against
// the store (SHIPGATE_STORE_URL) is seen by every bridge on its next check, because each check
// reads the table: there is no file to watch and no cache to go stale. One row per user, so two
// operators adding users at once both succeed (a file rewrite would keep only the last one), and
// adding a name twice fails on the primary key, whoever was first.

import type { Store } from "../store";
import type { UserRecord } from "./user-record";

const MIGRATIONS = [
  `CREATE TABLE shipgate_users (username TEXT PRIMARY KEY, record TEXT NOT NULL,
     added BIGINT GENERATED ALWAYS AS IDENTITY)`,
  "CREATE TABLE shipgate_gadget_secrets (gadget TEXT PRIMARY KEY, secret TEXT NOT NULL)",
];

export class StoredAccounts {
  readonly where: string;
  readonly #all;
  readonly #one;
  readonly #insert;
  readonly #update;
  readonly #delete;
  readonly #secret;
  readonly #putSecret;
  readonly #deleteSecret;

  constructor(store: Store) {
    store.migrate("accounts", MIGRATIONS);
    this.where = `the shared store ${store.file} (table shipgate_users)`;
    const db = store.db;
    this.#all = db.prepare<[], { record: string }>("SELECT record FROM shipgate_users ORDER BY added");
    this.#one = db.prepare<[string], { record: string }>("SELECT record FROM shipgate_users WHERE username = ?");
    this.#insert = db.prepare("INSERT INTO shipgate_users (username, record) VALUES (?, ?) ON CONFLICT DO NOTHING");
    this.#update = db.prepare("UPDATE shipgate_users SET record = ? WHERE username = ?");
    this.#delete = db.prepare("DELETE FROM shipgate_users WHERE username = ?");
    this.#secret = db.prepare<[string], { secret: string }>("SELECT secret FROM shipgate_gadget_secrets WHERE gadget = ?");
    this.#putSecret = db.prepare("INSERT INTO shipgate_gadget_secrets (gadget, secret) VALUES (?, ?) ON CONFLICT (gadget) DO UPDATE SET secret = excluded.secret");
    this.#deleteSecret = db.prepare("DELETE FROM shipgate_gadget_secrets WHERE gadget = ?");
  }

  users(): UserRecord[] {
    return this.#all.all().map((r) => JSON.parse(r.record) as UserRecord);
  }

  get(username: string): UserRecord | undefined {
    const row = this.#one.get(username);
    return row === undefined ? undefined : (JSON.parse(row.record) as UserRecord);
  }

  /** False when the name is taken. */
  insert(user: UserRecord): boolean {
    return this.#insert.run(user.username, JSON.stringify(user)).changes > 0;
  }

  replace(user: UserRecord): void {
    this.#update.run(JSON.stringify(user), user.username);
  }

  delete(username: string): boolean {
    return this.#delete.run(username).changes > 0;
  }

  secret(gadget: string): string | undefined {
    return this.#secret.get(gadget)?.secret;
  }

  setSecret(gadget: string, secret: string): void {
    this.#putSecret.run(gadget, secret);
  }

  deleteSecret(gadget: string): void {
    this.#deleteSecret.run(gadget);
  }
}
