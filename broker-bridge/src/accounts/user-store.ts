// The credentials file: <state>/users.json (mode 0600), shared by `shipgate user ...` and the
// running bridge. The CLI writes it atomically (temporary file, fsync, rename), and the bridge
// re-reads it when its mtime, size or inode changes, so `shipgate user add` takes effect on the
// next connection without a restart. Gadget HMAC secrets live next to it, one file per gadget,
// in <state>/gadget-secrets/<id> (mode 0600), where the bridge finds them without config.
// With a shared PostgreSQL store (store.url), users and secrets live in the store instead
// (stored-accounts.ts), so every bridge on it authorizes the same.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { NODE_ID_PATTERN } from "@shipgate/protocol";
import type { Store } from "../store";
import { StoredAccounts } from "./stored-accounts";
import { USER_ROLES, type UserRecord, type UserRole } from "./user-record";
import { generatePassword, generateSecret, hashPassword, hashPasswordOffThread, mosquittoHash, mosquittoHashOffThread, sha256Hex, sameDigest } from "./passwords";

const taken = (username: string) => new UserStoreError(`user ${username} already exists (remove it first to change its role or password)`);

export { USER_ROLES, type ApiToken, type UserRecord, type UserRole } from "./user-record";

interface UsersFile {
  version: 1;
  users: UserRecord[];
}

export const USERS_FILE = "users.json";
const PIPELINE_GLOB = /^[A-Za-z0-9_.*-]{1,200}$/;

/** The pipelines a user may speak for (request, cancel, read): its globs, or its own name. */
export function pipelinesOf(user: Pick<UserRecord, "username" | "pipelines">): readonly string[] {
  return user.pipelines !== undefined && user.pipelines.length > 0 ? user.pipelines : [user.username];
}
export const SECRETS_DIR = "gadget-secrets";

export class UserStoreError extends Error {
  readonly code = "USER_STORE";
}

export function usernameProblem(name: string): string | null {
  // A user name is one topic level (admin/<user>/..., gadgets/<id>/...) and a Mosquitto %u.
  return NODE_ID_PATTERN.test(name) ? null : `user name "${name}" must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit`;
}

/** Writes a file so that readers see either the old or the new content, never half of it. */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
}

export class UserStore {
  /** users.json, or where in the shared store the users are. */
  readonly file: string;
  readonly secretsDir: string;
  #cache: UsersFile = { version: 1, users: [] };
  #stamp = "";
  /** Set when the store is PostgreSQL: then users and secrets live there, not in files. */
  readonly #shared: StoredAccounts | null;

  /** `store`: the bridge's store; only a PostgreSQL one is used (the SQLite default keeps files). */
  constructor(
    readonly stateDir: string,
    store?: Store,
  ) {
    this.#shared = store?.dialect === "postgres" ? new StoredAccounts(store) : null;
    this.file = this.#shared?.where ?? path.join(stateDir, USERS_FILE);
    this.secretsDir = path.join(stateDir, SECRETS_DIR);
  }

  /** True when users live in a shared PostgreSQL store. */
  get shared(): boolean {
    return this.#shared !== null;
  }

  /** The users now on disk (re-read only when the file changed), or now in the shared store. */
  users(): readonly UserRecord[] {
    return this.#shared?.users() ?? this.#load().users;
  }

  get(username: string): UserRecord | undefined {
    if (this.#shared !== null) return this.#shared.get(username);
    return this.#load().users.find((u) => u.username === username);
  }

  isEmpty(): boolean {
    return this.users().length === 0;
  }

  /** Adds a user with a generated password (or the given one); returns the password. */
  add(username: string, role: UserRole, password?: string, now = Date.now(), pipelines?: readonly string[]): { user: UserRecord; password: string } {
    const pw = this.#checkNew(username, role, password, pipelines);
    return this.#insert(username, role, pw, hashPassword(pw), mosquittoHash(pw), now, pipelines);
  }

  /** add(), hashing on libuv's thread pool meanwhile (the first start's admin); the checks run
   *  first, and again before the write, since another add may have come in between. */
  async addOffThread(username: string, role: UserRole, password?: string, now = Date.now()): Promise<{ user: UserRecord; password: string }> {
    const pw = this.#checkNew(username, role, password, undefined);
    const [hash, mosquitto] = await Promise.all([hashPasswordOffThread(pw), mosquittoHashOffThread(pw)]);
    this.#checkNew(username, role, pw, undefined);
    return this.#insert(username, role, pw, hash, mosquitto, now, undefined);
  }

  /** The password to store (the given one or a new one), once the new user is known valid. */
  #checkNew(username: string, role: UserRole, password: string | undefined, pipelines: readonly string[] | undefined): string {
    const problem = usernameProblem(username);
    if (problem) throw new UserStoreError(problem);
    if (this.get(username) !== undefined) throw taken(username);
    const pw = password ?? generatePassword();
    if (pw.length < 8) throw new UserStoreError("a password must have at least 8 characters");
    if (pipelines !== undefined && role !== "pipeline") throw new UserStoreError("--pipelines is for pipeline users");
    for (const glob of pipelines ?? []) {
      if (!PIPELINE_GLOB.test(glob)) throw new UserStoreError(`pipeline pattern "${glob}" must be 1 to 200 letters, digits, '_', '.', '-' or '*'`);
    }
    return pw;
  }

  #insert(username: string, role: UserRole, pw: string, hash: string, mosquitto: string, now: number, pipelines: readonly string[] | undefined) {
    const user: UserRecord = { username, role, password: hash, mosquitto, created_at: new Date(now).toISOString(), tokens: [], uid: randomBytes(9).toString("base64url") };
    if (pipelines !== undefined && pipelines.length > 0) user.pipelines = [...pipelines];
    if (this.#shared !== null) {
      // Another bridge or operator may have added the name since the check above.
      if (!this.#shared.insert(user)) throw taken(username);
    } else {
      this.#save({ version: 1, users: [...this.#load().users, user] });
    }
    return { user, password: pw };
  }

  remove(username: string): boolean {
    if (this.#shared !== null) {
      const removed = this.#shared.delete(username);
      if (removed) this.removeGadgetSecret(username);
      return removed;
    }
    const data = this.#load();
    const rest = data.users.filter((u) => u.username !== username);
    if (rest.length === data.users.length) return false;
    this.#save({ version: 1, users: rest });
    this.removeGadgetSecret(username);
    return true;
  }

  /** A new API token for scripts: `sgt_<id>_<secret>`, shown once; only its hash is kept. */
  addToken(username: string, now = Date.now()): string {
    const user = this.get(username);
    if (user === undefined) throw new UserStoreError(`no user ${username}`);
    const id = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const updated = { ...user, tokens: [...user.tokens, { id, hash: sha256Hex(secret), created_at: new Date(now).toISOString() }] };
    if (this.#shared !== null) this.#shared.replace(updated);
    else this.#save({ version: 1, users: this.#load().users.map((u) => (u.username === username ? updated : u)) });
    return `sgt_${id}_${secret}`;
  }

  /** The user an API token belongs to, or undefined. */
  userForToken(token: string): UserRecord | undefined {
    const m = /^sgt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    if (m === null) return undefined;
    const [, id, secret] = m as unknown as [string, string, string];
    const digest = sha256Hex(secret);
    for (const user of this.users()) {
      for (const t of user.tokens) if (t.id === id && sameDigest(t.hash, digest)) return user;
    }
    return undefined;
  }

  /** Creates (or replaces) a gadget's HMAC secret; returns it and its file (where in the shared
   *  store it is, with a PostgreSQL store). */
  createGadgetSecret(gadget: string): { secret: string; file: string } {
    const problem = usernameProblem(gadget);
    if (problem) throw new UserStoreError(problem);
    if (this.#shared !== null) {
      const secret = generateSecret();
      this.#shared.setSecret(gadget, secret);
      return { secret, file: `the shared store (table shipgate_gadget_secrets, gadget ${gadget})` };
    }
    mkdirSync(this.secretsDir, { recursive: true, mode: 0o700 });
    const secret = generateSecret();
    const file = this.gadgetSecretFile(gadget);
    writeFileAtomic(file, secret + "\n");
    return { secret, file };
  }

  gadgetSecretFile(gadget: string): string {
    return path.join(this.secretsDir, gadget);
  }

  /** The gadget's secret from <state>/gadget-secrets/<id>, or undefined when it has none. */
  gadgetSecret(gadget: string): string | undefined {
    if (usernameProblem(gadget) !== null) return undefined;
    if (this.#shared !== null) return this.#shared.secret(gadget);
    try {
      const text = readFileSync(this.gadgetSecretFile(gadget), "utf8").trim();
      return text === "" ? undefined : text;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  removeGadgetSecret(gadget: string): void {
    if (usernameProblem(gadget) !== null) return;
    if (this.#shared !== null) return this.#shared.deleteSecret(gadget);
    try {
      unlinkSync(this.gadgetSecretFile(gadget));
    } catch {
      /* none */
    }
  }

  #load(): UsersFile {
    let stamp: string;
    try {
      const st = statSync(this.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new UserStoreError(`cannot read ${this.file}: ${(err as Error).message}`);
      this.#cache = { version: 1, users: [] };
      this.#stamp = "";
      return this.#cache;
    }
    if (stamp === this.#stamp) return this.#cache;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8"));
    } catch (err) {
      throw new UserStoreError(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    const users = (parsed as Partial<UsersFile>)?.users;
    if (!Array.isArray(users) || users.some((u) => !isUserRecord(u))) throw new UserStoreError(`${this.file} is not a shipgate users file (users: [{username, role, password, ...}])`);
    this.#cache = { version: 1, users: users as UserRecord[] };
    this.#stamp = stamp;
    return this.#cache;
  }

  #save(data: UsersFile): void {
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + "\n");
    this.#stamp = "";
    this.#load();
  }
}

function isUserRecord(u: unknown): boolean {
  if (typeof u !== "object" || u === null) return false;
  const r = u as Record<string, unknown>;
  return typeof r.username === "string" && typeof r.password === "string" && typeof r.mosquitto === "string" && (USER_ROLES as readonly string[]).includes(r.role as string) && Array.isArray(r.tokens);
}

export function hasUsersFile(stateDir: string): boolean {
  return existsSync(path.join(stateDir, USERS_FILE));
}
