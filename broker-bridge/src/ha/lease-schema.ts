// The lease table: one row per lease name, holding who leads, since when, and the fencing token.
// The token only grows: each new leader takes token + 1 in the same statement that names it, so a
// write checked against the token it was given cannot succeed once anyone else has led.

import type pg from "pg";

export const LEASE_TABLE = "shipgate_lease";

/** The advisory-lock namespace of shipgate leases ('SG'); the second key is hashtext(name). */
export const LEASE_LOCK_NAMESPACE = 0x5347;

const DDL = `CREATE TABLE IF NOT EXISTS ${LEASE_TABLE} (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  token BIGINT NOT NULL,
  since TIMESTAMPTZ NOT NULL
)`;

/** Creates the lease table once, even when several bridges start together: CREATE TABLE IF NOT
 *  EXISTS alone races (two sessions can both miss the table and one fails on pg_type's unique
 *  index), so the DDL runs under a transaction-scoped advisory lock. */
export async function ensureLeaseTable(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, 0)", [LEASE_LOCK_NAMESPACE]);
    await client.query(DDL);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

export interface LeaseHolder {
  holder: string;
  token: number;
  since: Date;
}

/** Who holds the lease according to the table (the last leader named; it may have died since). */
export async function readLease(client: pg.ClientBase, name: string): Promise<LeaseHolder | null> {
  const r = await client.query<{ holder: string; token: number; since: Date }>(`SELECT holder, token, since FROM ${LEASE_TABLE} WHERE name = $1`, [name]);
  const row = r.rows[0];
  return row === undefined ? null : { holder: row.holder, token: row.token, since: row.since };
}

/** Names `holder` the leader with the next token. Call only while holding the lease's advisory lock. */
export async function takeLease(client: pg.ClientBase, name: string, holder: string): Promise<LeaseHolder> {
  const r = await client.query<{ token: number; since: Date }>(
    `INSERT INTO ${LEASE_TABLE} (name, holder, token, since) VALUES ($1, $2, 1, now())
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = ${LEASE_TABLE}.token + 1, since = now()
     RETURNING token, since`,
    [name, holder],
  );
  const row = r.rows[0];
  if (row === undefined) throw new Error(`taking the lease ${name} returned no row`);
  return { holder, token: row.token, since: row.since };
}
