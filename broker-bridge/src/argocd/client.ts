// Argo CD's API as the bridge uses it: session login, the application list, one application, sync,
// and the watch stream. Authentication is an account API token, or a username and password traded
// for a session token at POST /api/v1/session (swagger SessionService_Create). A session token is
// renewed before its JWT `exp` and again whenever Argo CD answers 401 (it expired or the server's
// signing key changed); an API token that gets 401 is simply reported.

import { isObject } from "@shipgate/protocol";
import type { Clock } from "../clock";
import { ArgoError } from "./errors";
import type { ArgoRequest, ArgoResponse, ArgoTransport, OpenStream, Query } from "./http";

export type Credentials = { kind: "token"; token: string } | { kind: "password"; username: string; password: string };

/** swagger definitions/applicationApplicationSyncRequest (the parts the bridge sends). */
export interface SyncRequest {
  name: string;
  revision?: string;
  prune: boolean;
  dryRun: boolean;
  /** definitions/v1alpha1Info: copied onto the operation (`argocd app sync --info`). */
  infos: { name: string; value: string }[];
  project?: string;
  appNamespace?: string;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  application: unknown;
}

export interface AppFilter {
  projects: readonly string[];
  selector: string | null;
}

/** Renew a session this long before its JWT says it expires (ms). */
const RENEW_BEFORE_MS = 60_000;

/** The `exp` claim (ms) of a JWT, or null when the token is not a JWT with one. */
export function jwtExpiry(token: string): number | null {
  const part = token.split(".")[1];
  if (part === undefined) return null;
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

function filterQuery(filter: AppFilter): Query {
  const q: Query = {};
  if (filter.projects.length > 0) q.projects = filter.projects;
  if (filter.selector !== null) q.selector = filter.selector;
  return q;
}

/** One line of the watch stream: `{"result":{type,application}}`, `{"error":{...}}`, or SSE `data:`. */
export function parseWatchLine(line: string): WatchEvent | { error: string } | null {
  const text = line.startsWith("data:") ? line.slice(5).trim() : line;
  if (text === "" || text.startsWith(":") || text.startsWith("event:")) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: `unreadable watch line: ${text.slice(0, 80)}` };
  }
  if (!isObject(json)) return { error: "watch line is not an object" };
  if (isObject(json.error)) return { error: typeof json.error.message === "string" ? json.error.message : "stream error" };
  const result = isObject(json.result) ? json.result : null;
  if (result === null) return null;
  const type = result.type;
  if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return null;
  return { type, application: result.application };
}

export class ArgoClient {
  readonly #transport: ArgoTransport;
  readonly #credentials: Credentials;
  readonly #clock: Clock;
  #session: { token: string; expiresAt: number | null } | null = null;
  #login: Promise<string> | null = null;
  /** How many times a session was created (for status and tests). */
  logins = 0;

  constructor(deps: { transport: ArgoTransport; credentials: Credentials; clock: Clock }) {
    this.#transport = deps.transport;
    this.#credentials = deps.credentials;
    this.#clock = deps.clock;
  }

  get authKind(): "token" | "session" {
    return this.#credentials.kind === "token" ? "token" : "session";
  }

  /** POST /api/v1/session; concurrent callers share one login. */
  async login(): Promise<string> {
    const creds = this.#credentials;
    if (creds.kind === "token") return creds.token;
    this.#login ??= (async () => {
      try {
        const res = await this.#transport.request({ method: "POST", path: "/api/v1/session", body: { username: creds.username, password: creds.password } });
        const token = isObject(res.body) && typeof res.body.token === "string" ? res.body.token : "";
        if (token === "") throw new ArgoError("POST /api/v1/session", res.status, null, "the answer holds no token");
        this.#session = { token, expiresAt: jwtExpiry(token) };
        this.logins++;
        return token;
      } finally {
        this.#login = null;
      }
    })();
    return this.#login;
  }

  async #token(): Promise<string> {
    if (this.#credentials.kind === "token") return this.#credentials.token;
    const s = this.#session;
    if (s !== null && (s.expiresAt === null || s.expiresAt - RENEW_BEFORE_MS > this.#clock.now())) return s.token;
    return this.login();
  }

  /** Runs a call with the current token; a 401 on a session renews it once and retries. */
  async #authorized<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#token();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof ArgoError) || err.status !== 401 || this.#credentials.kind === "token") throw err;
      if (this.#session?.token === token) this.#session = null;
      return call(await this.#token());
    }
  }

  #request(req: Omit<ArgoRequest, "token">): Promise<ArgoResponse> {
    return this.#authorized((token) => this.#transport.request({ ...req, token }));
  }

  /** GET /api/v1/applications: `items` may be null when nothing matches. */
  async list(filter: AppFilter): Promise<unknown[]> {
    const res = await this.#request({ method: "GET", path: "/api/v1/applications", query: filterQuery(filter) });
    const items = isObject(res.body) ? res.body.items : undefined;
    if (items === null || items === undefined) return [];
    if (!Array.isArray(items)) throw new ArgoError("GET /api/v1/applications", res.status, null, "items is not an array");
    return items;
  }

  /** GET /api/v1/applications/{name}. */
  async get(name: string, project?: string): Promise<unknown> {
    const query: Query = project === undefined ? {} : { projects: [project] };
    const res = await this.#request({ method: "GET", path: `/api/v1/applications/${encodeURIComponent(name)}`, query });
    return res.body;
  }

  /** POST /api/v1/applications/{name}/sync: answers the Application; the sync runs on afterwards. */
  async sync(request: SyncRequest): Promise<unknown> {
    const res = await this.#request({ method: "POST", path: `/api/v1/applications/${encodeURIComponent(request.name)}/sync`, body: request });
    return res.body;
  }

  /** GET /api/v1/stream/applications: events arrive through onEvent until the stream ends. */
  watch(filter: AppFilter, onEvent: (event: WatchEvent) => void, onProblem: (message: string) => void): Promise<OpenStream> {
    return this.#authorized((token) =>
      this.#transport.stream({ method: "GET", path: "/api/v1/stream/applications", query: filterQuery(filter), token }, (line) => {
        const parsed = parseWatchLine(line);
        if (parsed === null) return;
        if ("error" in parsed) onProblem(parsed.error);
        else onEvent(parsed);
      }),
    );
  }
}
