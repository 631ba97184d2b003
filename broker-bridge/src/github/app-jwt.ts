// The JSON Web Token a GitHub App authenticates with (GitHub docs, "Generating a JSON Web Token
// (JWT) for a GitHub App"): RS256 over the app's private key, `iss` the app id, `iat` 60 seconds
// in the past (clock drift), `exp` at most 10 minutes after now. node:crypto signs; no library
// needed for three base64url parts.

import { type KeyObject, createSign } from "node:crypto";

/** exp - now, in seconds: under GitHub's 10-minute limit with room for drift. */
export const JWT_LIFETIME_S = 540;

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function appJwt(appId: number, privateKey: KeyObject, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iat: now - 60, exp: now + JWT_LIFETIME_S, iss: String(appId) }));
  const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}
