// What a store URL must look like, apart from the config machinery (zod), so a command that only
// reads SHIPGATE_STORE_URL (shipgate gadget) checks it without loading the config schemas.

export const STORE_URL_ENV = "SHIPGATE_STORE_URL";

/** Why a store URL is not one shipgate can use, or undefined. */
export function storeUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be a PostgreSQL URL such as "postgres://shipgate@db.internal:5432/shipgate"';
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") return `must be a postgres:// URL (got ${u.protocol}//...); leave it out for the SQLite file in state_dir`;
  if (u.hostname === "" && !u.searchParams.has("host")) return "must name the PostgreSQL server (postgres://user@host:port/database)";
  return undefined;
}

/** A postgres:// URL without its password, for messages and logs. */
export function redactStoreUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "<an unparsable PostgreSQL URL>";
  }
}
