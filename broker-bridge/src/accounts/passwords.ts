// Password and token hashing. Passwords are stored as scrypt hashes (RFC 7914) with a per-user
// salt and the parameters in the stored string, so the cost can be raised later without breaking
// old entries; comparisons are constant-time (crypto.timingSafeEqual). Tokens and session ids are
// 256-bit random values, so a single SHA-256 is enough to store them (nothing to brute-force).
// For an external Mosquitto the same password is also hashed in Mosquitto's own format.

import { createHash, pbkdf2, pbkdf2Sync, randomBytes, scrypt, scryptSync, timingSafeEqual } from "node:crypto";

/** scrypt's "interactive login" parameters from Percival's paper (N=2^14, r=8, p=1), 16 MiB of
 *  memory per check; the stored string carries them, so raising them later needs no migration. */
export const SCRYPT = Object.freeze({ N: 16384, r: 8, p: 1, keyLength: 32, saltLength: 16 });

/** Mosquitto 2.0's password_file format (src/password_mosq.c, "sha512-pbkdf2"):
 *  `$7$<iterations>$<base64 12-byte salt>$<base64 64-byte PBKDF2-HMAC-SHA512>`. Mosquitto reads the
 *  iteration count from each line, so more than its default of 101 is accepted. */
export const MOSQUITTO_ITERATIONS = 10_000;

const MAXMEM = 64 * 1024 * 1024;

const scryptString = (salt: Buffer, hash: Buffer) => `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${hash.toString("base64")}`;

export function hashPassword(password: string): string {
  const salt = randomBytes(SCRYPT.saltLength);
  return scryptString(salt, scryptSync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM }));
}

/** hashPassword on libuv's thread pool: the bridge's first start hashes its admin's password
 *  while it goes on starting (60-100 ms of CPU off the start path). */
export function hashPasswordOffThread(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM }, (err, hash) => (err ? reject(err) : resolve(scryptString(salt, hash))));
  });
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return null;
  const salt = Buffer.from(parts[4] ?? "", "base64");
  const hash = Buffer.from(parts[5] ?? "", "base64");
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

/** Whether password matches the stored scrypt string; runs on libuv's thread pool, so a login
 *  never stalls the broker's event loop. A malformed stored string never matches. */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    scrypt(password, parsed.salt, parsed.hash.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: MAXMEM }, (err, derived) => {
      resolve(err === null && timingSafeEqual(derived, parsed.hash));
    });
  });
}

export function mosquittoHash(password: string, iterations = MOSQUITTO_ITERATIONS, salt: Buffer = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, iterations, 64, "sha512");
  return `$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** mosquittoHash on libuv's thread pool. */
export function mosquittoHashOffThread(password: string, iterations = MOSQUITTO_ITERATIONS, salt: Buffer = randomBytes(12)): Promise<string> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, 64, "sha512", (err, hash) => (err ? reject(err) : resolve(`$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`)));
  });
}

/** A generated password: 144 random bits, URL-safe, easy to paste into mcconfig or a CI secret. */
export function generatePassword(): string {
  // Never starting with '-', so it cannot be taken for an option (mosquitto_pub -P, shells).
  for (;;) {
    const pw = randomBytes(18).toString("base64url");
    if (pw[0] !== "-") return pw;
  }
}

/** A random secret as lowercase hex (gadget HMAC keys: 256 bits, fits the firmware's 128-char limit). */
export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString("hex");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
