// The admin side of the page: log in, approve or reject a lock, change the mode. Every call goes
// to the security service's HTTP routes (broker-bridge/src/security/http-auth.ts, docs/security.md):
// POST /api/session gives an HttpOnly session cookie and a CSRF token; unsafe requests carry the
// token in X-CSRF-Token, and the browser adds the page's Origin, which the bridge checks. The
// token is kept in memory only (never in storage), so a reload asks GET /api/session again.

export interface SessionInfo {
  username: string;
  role: string;
  csrf: string;
  expires_at: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function answer(res: Response, what: string): Promise<unknown> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall through to the status
  }
  if (!res.ok) {
    const error = typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string" ? (body as { error: string }).error : `HTTP ${res.status}`;
    throw new ApiError(res.status, `${what}: ${error}`);
  }
  return body;
}

/** localStorage key set while this browser holds a session cookie (never the token itself). */
const SESSION_HINT = "shipgate.logged-in";

function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT) !== null;
  } catch {
    return true;
  }
}

function readSession(body: unknown): SessionInfo | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.username !== "string" || typeof b.role !== "string" || typeof b.csrf !== "string") return null;
  return { username: b.username, role: b.role, csrf: b.csrf, expires_at: typeof b.expires_at === "string" ? b.expires_at : "" };
}

export class AdminApi {
  #session: SessionInfo | null = null;
  readonly #onChange: (session: SessionInfo | null) => void;

  constructor(onChange: (session: SessionInfo | null) => void) {
    this.#onChange = onChange;
  }

  get session(): SessionInfo | null {
    return this.#session;
  }

  #set(session: SessionInfo | null): void {
    this.#session = session;
    // Only whether this browser has logged in: refresh() skips asking when it never did, so an
    // anonymous page load makes no request answered 401 (a console error in every browser).
    try {
      if (session === null) localStorage.removeItem(SESSION_HINT);
      else localStorage.setItem(SESSION_HINT, "1");
    } catch {
      /* storage disabled: refresh() then always asks */
    }
    this.#onChange(session);
  }

  /** The session the cookie holds, if any (after a reload). */
  async refresh(): Promise<SessionInfo | null> {
    if (!mayHaveSession()) return null;
    const res = await fetch("/api/session", { credentials: "same-origin", headers: { accept: "application/json" } });
    this.#set(res.ok ? readSession(await res.json().catch(() => null)) : null);
    return this.#session;
  }

  async login(username: string, password: string): Promise<SessionInfo> {
    const res = await fetch("/api/session", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
    const session = readSession(await answer(res, "log in"));
    if (session === null) throw new ApiError(res.status, "log in: the bridge's answer holds no session");
    this.#set(session);
    return session;
  }

  async logout(): Promise<void> {
    try {
      await this.#unsafe("DELETE", "/api/session", undefined, "log out");
    } finally {
      this.#set(null);
    }
  }

  decide(decision: "approve" | "reject", id: string, reason?: string): Promise<unknown> {
    return this.#unsafe("POST", "/api/admin/decide", { decision, id, ...(reason ? { reason } : {}) }, decision);
  }

  setMode(mode: string, until: string | null, reason: string | null): Promise<unknown> {
    return this.#unsafe("POST", "/api/admin/mode", { mode, ...(until ? { until } : {}), ...(reason ? { reason } : {}) }, "change the mode");
  }

  async #unsafe(method: string, url: string, body: unknown, what: string): Promise<unknown> {
    const session = this.#session;
    if (session === null) throw new ApiError(401, `${what}: log in first`);
    const res = await fetch(url, {
      method,
      credentials: "same-origin",
      // No content-type without a body: fastify refuses an empty body declared as JSON.
      headers: { accept: "application/json", "x-csrf-token": session.csrf, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // An expired or removed session: show the login form again.
    if (res.status === 401) this.#set(null);
    return answer(res, what);
  }
}
