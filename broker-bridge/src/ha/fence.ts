// Fenced writes: a write transaction first reads the lease row FOR SHARE and goes on only if the
// token is the one its bridge was given. FOR SHARE makes a new leader's token bump (an UPDATE of
// that row) wait until every fenced transaction already past the check has committed, and a fenced
// transaction that starts after the bump sees the new token and is refused: so every write by an
// old leader commits before the new leader's first one, or not at all (the fencing token of
// Kleppmann's "How to do distributed locking", checked by the store itself).

import type pg from "pg";
import { LEASE_TABLE } from "./lease-schema";

export class FencedOut extends Error {
  readonly code = "FENCED_OUT";
  constructor(
    readonly lease: string,
    readonly token: number | null,
    readonly current: number | null,
  ) {
    super(
      token === null
        ? `this bridge does not lead (lease ${lease}): the write was refused`
        : `this bridge's lease token ${token} is stale (lease ${lease} is at ${current ?? "no holder"}): the write was refused`,
    );
    this.name = "FencedOut";
  }
}

/** The SQL that checks the token inside a transaction; $1 the lease name. */
export const FENCE_CHECK_SQL = `SELECT token FROM ${LEASE_TABLE} WHERE name = $1 FOR SHARE`;

/** Throws FencedOut unless the lease row's token is `token`. Call inside an open transaction. */
export async function checkFence(client: pg.ClientBase, lease: string, token: number | null): Promise<void> {
  const r = await client.query<{ token: number }>(FENCE_CHECK_SQL, [lease]);
  const current = r.rows[0]?.token ?? null;
  if (token === null || current !== token) throw new FencedOut(lease, token, current);
}

/** Runs fn in a transaction that commits only if `token` still holds the lease. */
export async function fencedTransaction<T>(pool: pg.Pool, lease: string, token: number | null, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (token === null) throw new FencedOut(lease, null, null);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    await checkFence(client, lease, token);
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}
