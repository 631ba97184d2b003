// Connection settings shared by every PostgreSQL client of the HA code: bounded waits everywhere
// (connect, each query, each statement on the server), TCP keepalive, and BIGINT read as a number.
// node-postgres returns int8 as a string by default because it may exceed 2^53
// (https://node-postgres.com/features/types); shipgate's BIGINTs are millisecond times, counters and
// fencing tokens, all far below 2^53, so a number is exact and keeps the SQLite rows' shape.

import pg from "pg";

const INT8_OID = 20;

/** Parses int8 as a JS number: exact for every value shipgate stores (< 2^53). */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export interface PgClientOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** Shown in pg_stat_activity.application_name, so an operator (or a test) can find the session. */
  applicationName: string;
  /** The longest wait for a connection, a query's answer, and a statement on the server (ms). */
  timeoutMs: number;
}

export function pgClientConfig(options: PgClientOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.timeoutMs,
    // query_timeout: the client gives up on an answer that never comes (a cut connection);
    // statement_timeout: the server gives up on a statement that runs too long.
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    // A transaction left open by a paused or cut-off process holds its row locks, and a fenced
    // transaction holds the lease row FOR SHARE: the new leader's token bump would wait for it
    // forever. The server aborts such a transaction after this long, so a takeover is never blocked.
    idle_in_transaction_session_timeout: options.timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 1000,
    types,
  };
}
