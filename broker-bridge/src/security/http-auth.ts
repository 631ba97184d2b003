// The HTTP API's admin actions and the sessions behind them (docs/security.md, "HTTP API").
//   POST   /api/session         {username, password} -> session cookie (HttpOnly, SameSite=Strict,
//                               Secure under TLS, expiring) and {username, role, csrf, expires_at}
//   GET    /api/session         the current session and its CSRF token, or 401
//   DELETE /api/session         logs out (CSRF token required)
//   POST   /api/admin/decide    {decision, id?, reason?}  \  an admin's session plus the CSRF token in
//   POST   /api/admin/mode      {mode, until?, reason?}   /  X-CSRF-Token and a same-origin Origin,
//                               or `Authorization: Bearer <API token>` (shipgate user token NAME)
// Session ids and API tokens are stored only as SHA-256 hashes (both are 256-bit random, so a
// plain hash cannot be brute-forced). The admin routes call the gates' runAdmin(), the same code
// as the MQTT admin commands, so both paths behave and audit the same.

import { createHmac, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AdminCommandName } from "@shipgate/protocol";
import type { Login } from "../http/login";
import { AdminInputError, type AdminCommandsPort, isGateRefusal } from "../ports/gates";
import type { ServiceContext } from "../service";
import { sameDigest, sha256Hex, verifyPassword } from "../accounts/passwords";
import { RateLimiter } from "./rate-limit";
import type { UserRole, UserStore } from "../accounts/user-store";

export const SESSION_COOKIE = "shipgate_session";
export const CSRF_HEADER = "x-csrf-token";

interface SessionRow {
  username: string;
  expires_at: number;
  /** Which user of that name it was made for (user-store uid): re-adding the name never revives it. */
  user_stamp: string | null;
}

function stampOf(user: { uid?: string; created_at: string }): string {
  return user.uid ?? user.created_at;
}

interface Caller {
  username: string;
  role: UserRole;
  via: "session" | "token";
}

export interface HttpAuthHost {
  readonly users: UserStore;
  readonly settings: { sessionTtlMs: number };
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function registerHttpAuth(ctx: ServiceContext, host: HttpAuthHost, gates: AdminCommandsPort | undefined): void {
  const { http, store, clock, bus } = ctx;
  const secure = ctx.config.http.tls !== null;
  store.migrate("security-sessions", [
    "CREATE TABLE security_sessions (hash TEXT PRIMARY KEY, username TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
    "ALTER TABLE security_sessions ADD COLUMN user_stamp TEXT",
  ]);
  const db = store.db;
  const insert = db.prepare("INSERT INTO security_sessions (hash, username, created_at, expires_at, user_stamp) VALUES (?, ?, ?, ?, ?)");
  const byHash = db.prepare<[string], SessionRow>("SELECT username, expires_at, user_stamp FROM security_sessions WHERE hash = ?");
  /** The session's user, if it is still the one the session was made for. */
  const userOf = (row: SessionRow) => {
    const user = host.users.get(row.username);
    return user !== undefined && row.user_stamp === stampOf(user) ? user : undefined;
  };
  const remove = db.prepare("DELETE FROM security_sessions WHERE hash = ?");
  const purge = db.prepare("DELETE FROM security_sessions WHERE expires_at <= ?");
  // Login attempts per address: a password guesser gets ten tries a minute.
  const loginLimiter = new RateLimiter({ perMinute: 10, burst: 10 }, () => clock.now());

  const csrfFor = (sessionToken: string) => createHmac("sha256", sessionToken).update("shipgate-csrf-v1").digest("hex");

  const sessionOf = (req: FastifyRequest): { token: string; row: SessionRow } | null => {
    const token = cookie(req, SESSION_COOKIE);
    if (token === undefined || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const row = byHash.get(sha256Hex(token));
    if (row === undefined || row.expires_at <= clock.now()) return null;
    return { token, row };
  };

  const setCookie = (reply: FastifyReply, value: string, maxAgeS: number) => {
    const parts = [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAgeS}`];
    if (secure) parts.push("Secure");
    reply.header("set-cookie", parts.join("; "));
  };

  const denied = (req: FastifyRequest, who: string, reason: string) => {
    bus.emit("audit", { actor: who, action: "http.denied", subject: `${req.method} ${req.url.split("?")[0]}`, detail: { reason, ip: req.ip } });
  };

  /** The caller of an unsafe request: an API token, or a session with its CSRF token from our own origin. */
  const callerOf = (req: FastifyRequest): Caller => {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const user = m ? host.users.userForToken(m[1] ?? "") : undefined;
      if (user === undefined) throw new HttpRefusal(401, "the API token is not valid");
      return { username: user.username, role: user.role, via: "token" };
    }
    const session = sessionOf(req);
    if (session === null) throw new HttpRefusal(401, "log in first (POST /api/session) or send an API token");
    const originProblem = crossOrigin(req, secure);
    if (originProblem !== null) throw new HttpRefusal(403, originProblem);
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== "string" || !sameDigest(given, csrfFor(session.token))) throw new HttpRefusal(403, `missing or wrong ${CSRF_HEADER} header (GET /api/session gives it)`);
    // Removing a user ends its sessions: the role is read from the credentials file every time.
    const user = userOf(session.row);
    if (user === undefined) throw new HttpRefusal(401, "this session's user no longer exists");
    return { username: user.username, role: user.role, via: "session" };
  };

  // Read routes that need a login (audit/audit-service.ts: GET /api/audit.csv) ask this: an API
  // token, or a session cookie (a GET changes nothing, so no CSRF token is asked for).
  http.decorate("loginOf", (req: FastifyRequest): Login | null => {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const user = m ? host.users.userForToken(m[1] ?? "") : undefined;
      return user === undefined ? null : { username: user.username, role: user.role, via: "token" };
    }
    const session = sessionOf(req);
    const user = session ? host.users.get(session.row.username) : undefined;
    return user === undefined ? null : { username: user.username, role: user.role, via: "session" };
  });

  const guard = <T>(req: FastifyRequest, reply: FastifyReply, fn: (caller: Caller) => T): T | { ok: false; error: string } => {
    let caller: Caller;
    try {
      caller = callerOf(req);
    } catch (err) {
      if (!(err instanceof HttpRefusal)) throw err;
      denied(req, "http:" + req.ip, err.message);
      reply.code(err.status);
      return { ok: false, error: err.message };
    }
    return fn(caller);
  };

  // http.public: false (issue 13): the read routes need a session or an API token as well.
  if (!ctx.config.http.public) {
    http.addHook("onRequest", async (req, reply) => {
      if (req.method !== "GET" && req.method !== "HEAD") return;
      const url = req.url.split("?")[0] ?? "";
      if (!(url.startsWith("/api/") || url === "/metrics" || url === "/cc.xml") || url === "/api/session") return;
      const auth = req.headers.authorization;
      const m = auth === undefined ? null : /^Bearer\s+(\S+)$/i.exec(auth);
      if (m !== null && host.users.userForToken(m[1] ?? "") !== undefined) return;
      const session = sessionOf(req);
      if (session !== null && userOf(session.row) !== undefined) return;
      denied(req, "http:" + req.ip, "read route without a login (http.public is false)");
      return reply.code(401).send({ ok: false, error: "log in first (POST /api/session) or send an API token: http.public is false" });
    });
  }

  http.post("/api/session", async (req, reply) => {
    const body = req.body as { username?: unknown; password?: unknown } | undefined;
    const username = typeof body?.username === "string" ? body.username : "";
    const password = typeof body?.password === "string" ? body.password : "";
    if (!loginLimiter.take(req.ip)) {
      denied(req, "http:" + req.ip, "too many login attempts");
      return reply.code(429).send({ ok: false, error: "too many login attempts from this address; wait a minute" });
    }
    const user = host.users.get(username);
    const ok = await verifyPassword(password, user?.password ?? DUMMY);
    if (user === undefined || !ok) {
      denied(req, username ? `user:${username}` : "http:" + req.ip, "bad user name or password");
      return reply.code(401).send({ ok: false, error: "bad user name or password" });
    }
    purge.run(clock.now());
    const token = randomBytes(32).toString("base64url");
    const expiresAt = clock.now() + host.settings.sessionTtlMs;
    insert.run(sha256Hex(token), user.username, clock.now(), expiresAt, stampOf(user));
    setCookie(reply, token, Math.floor(host.settings.sessionTtlMs / 1000));
    bus.emit("audit", { actor: `user:${user.username}`, action: "session.login", subject: "http", detail: { ip: req.ip } });
    return { ok: true, username: user.username, role: user.role, csrf: csrfFor(token), expires_at: new Date(expiresAt).toISOString() };
  });

  http.get("/api/session", async (req, reply) => {
    const session = sessionOf(req);
    const user = session ? userOf(session.row) : undefined;
    if (session === null || user === undefined) return reply.code(401).send({ ok: false, error: "not logged in" });
    return { ok: true, username: user.username, role: user.role, csrf: csrfFor(session.token), expires_at: new Date(session.row.expires_at).toISOString() };
  });

  http.delete("/api/session", async (req, reply) =>
    guard(req, reply, (caller) => {
      const token = cookie(req, SESSION_COOKIE);
      if (token !== undefined) remove.run(sha256Hex(token));
      setCookie(reply, "", 0);
      bus.emit("audit", { actor: `user:${caller.username}`, action: "session.logout", subject: "http" });
      return { ok: true };
    }),
  );

  const adminRoute = (command: AdminCommandName) => async (req: FastifyRequest, reply: FastifyReply) =>
    guard(req, reply, (caller) => {
      if (caller.role !== "admin") {
        denied(req, `user:${caller.username}`, `role ${caller.role} may not ${command}`);
        reply.code(403);
        return { ok: false, error: `user ${caller.username} (role ${caller.role}) may not run admin commands` };
      }
      if (gates === undefined) return reply.code(503).send({ ok: false, error: "the gates are not running" });
      try {
        // An Idempotency-Key header is the command's request id, as `correlation` is on MQTT.
        const key = req.headers["idempotency-key"];
        const body = typeof key === "string" && key !== "" && isPlainObject(req.body) ? { ...req.body, correlation: key.slice(0, 128) } : (req.body ?? {});
        return { ok: true, result: gates.runAdmin(caller.username, command, body) };
      } catch (err) {
        if (isGateRefusal(err) || err instanceof AdminInputError) {
          reply.code(isGateRefusal(err) ? 409 : 400);
          return { ok: false, error: err.message };
        }
        throw err;
      }
    });
  http.post("/api/admin/decide", adminRoute("decide"));
  http.post("/api/admin/mode", adminRoute("mode"));
}

const DUMMY = `scrypt$16384$8$1$${Buffer.alloc(16).toString("base64")}$${Buffer.alloc(32).toString("base64")}`;

function cookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Why a cookie-carrying unsafe request may come from another site, or null. Browsers send
 *  Origin on every cross-origin POST/DELETE (Fetch standard, "origin header"); a request
 *  without Origin or Referer is refused, since a page cannot be told from a forgery. */
function crossOrigin(req: FastifyRequest, secure: boolean): string | null {
  const hostHeader = req.headers.host;
  if (hostHeader === undefined) return "no Host header";
  const own = `${secure ? "https" : "http"}://${hostHeader}`;
  const origin = req.headers.origin;
  if (typeof origin === "string") return origin === own ? null : `cross-site request from ${origin} refused`;
  const referer = req.headers.referer;
  if (typeof referer === "string") {
    try {
      return new URL(referer).origin === own ? null : "cross-site request refused (Referer)";
    } catch {
      return "cross-site request refused (bad Referer)";
    }
  }
  return "a session request must carry Origin (or Referer) of this server";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
