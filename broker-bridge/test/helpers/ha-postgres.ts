// The PostgreSQL the HA tests run against: SHIPGATE_TEST_PG_URL (postgres://user@host:port/db of a
// server the tests may create databases on; .ci/run starts a throwaway cluster and exports it).
// Without it the tests are skipped with one warning, except under CI=true, where its absence is an
// error: a CI run that silently skipped the PostgreSQL tests would show stale success.

import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_URL_VARIABLE = "SHIPGATE_TEST_PG_URL";

let warned = false;

/** The server's URL, or null (after one warning) when the tests should be skipped. */
export function testPostgresUrl(): string | null {
  const url = process.env[PG_URL_VARIABLE];
  if (url !== undefined && url !== "") return url;
  if (process.env.CI === "true") {
    throw new Error(`${PG_URL_VARIABLE} is not set under CI=true: .ci/run must start PostgreSQL for the HA tests`);
  }
  if (!warned) {
    warned = true;
    process.emitWarning(`${PG_URL_VARIABLE} is not set: the PostgreSQL tests are skipped (bash .ci/run sets it up)`);
  }
  return null;
}

export interface TestDatabase {
  url: string;
  /** A client on the test database, for the test's own checks and faults. */
  admin: pg.Client;
  drop(): Promise<void>;
}

/** A fresh database on the test server, so test files running side by side share nothing. */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `shipgate_t_${randomBytes(6).toString("hex")}`;
  const server = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await server.connect();
  try {
    await server.query(`CREATE DATABASE ${name}`);
  } finally {
    await server.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await admin.connect();
  return {
    url,
    admin,
    async drop() {
      await admin.end().catch(() => undefined);
      const s = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
      await s.connect();
      try {
        await s.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await s.end();
      }
    },
  };
}
