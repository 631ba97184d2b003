// A fake Argo CD on loopback (node:http, port 0) for the bridge's tests. Every request is checked
// against Argo CD's swagger file (path, method, query parameters, body) and so is every answer and
// every stream line; what does not fit lands in `problems`, which tests assert empty. It speaks
// the behaviours the bridge must handle: session login and expiry (401), the application list with
// projects and selector, the watch stream with ADDED/MODIFIED/DELETED and dropped connections,
// sync accepted then an operation Running and Succeeded or Failed, and Argo CD's refusals
// (400 operation in progress, 403 sync window, 403 permission denied) with its error body.

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import type { MatchedOperation, Swagger } from "./argocd-swagger";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  body: unknown;
  authorization: string | null;
  /** The swagger operation it matched. */
  operation: string | null;
}

/** What the fake does when asked to sync an app. */
export type SyncBehaviour =
  | "accept" // 200, operation requested; the test drives it with run()/finish()
  | "in-progress" // 400 FailedPrecondition
  | "sync-window" // 403 PermissionDenied, blocked by a sync window
  | "denied"; // 403 PermissionDenied

export interface AppFixture {
  name: string;
  project?: string;
  labels?: Record<string, string>;
  sync?: "Synced" | "OutOfSync" | "Unknown";
  health?: "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
  /** deployedAt times of earlier syncs, oldest first. */
  deployedAt?: string[];
}

type Application = {
  metadata: { name: string; namespace: string; labels: Record<string, string>; resourceVersion: string; uid: string };
  spec: { project: string; source: { repoURL: string; path: string; targetRevision: string }; destination: { server: string; namespace: string } };
  status: {
    sync: { status: string; revision: string };
    health: { status: string; message?: string };
    history?: { id: number; revision: string; deployedAt: string; deployStartedAt: string }[];
    operationState?: {
      operation: { sync: { revision: string; prune: boolean; dryRun: boolean }; info?: { name: string; value: string }[]; initiatedBy: { username: string } };
      phase: string;
      message: string;
      startedAt: string;
      finishedAt?: string;
    };
  };
  operation?: { sync: { revision: string; prune: boolean; dryRun: boolean }; info?: { name: string; value: string }[]; initiatedBy: { username: string } };
};

function error(status: number, grpc: number, message: string): { status: number; body: unknown } {
  return { status, body: { error: message, code: grpc, message } };
}

/** A JWT-shaped token with an `exp` claim (the bridge renews sessions a minute before exp). */
function sessionToken(n: number, expSeconds: number): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "shipgate", iat: 0, exp: expSeconds, jti: `s${n}` })}.fake-signature-${n}`;
}

export class FakeArgo {
  readonly swagger: Swagger;
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  readonly apps = new Map<string, Application>();
  readonly syncBehaviour = new Map<string, SyncBehaviour>();
  /** Accounts for POST /api/v1/session, and API tokens accepted as they are. */
  readonly users = new Map<string, string>([["shipgate", "s3cret"]]);
  readonly apiTokens = new Set<string>(["api-token-1"]);
  /** Stream requests to refuse (503) before streams work again. */
  failStreams = 0;
  #server!: http.Server;
  #sessions = new Set<string>();
  #sessionCount = 0;
  #version = 1;
  #streams = new Set<{ res: http.ServerResponse; socket: Socket; matched: MatchedOperation; projects: string[]; selector: string | null }>();
  #sockets = new Set<Socket>();
  #waiters: { test: () => boolean; resolve: () => void }[] = [];
  url = "";

  constructor(swagger: Swagger) {
    this.swagger = swagger;
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    this.#server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- the test's controls -------------------------------------------------------------------

  addApp(f: AppFixture): void {
    const app: Application = {
      metadata: { name: f.name, namespace: "argocd", labels: f.labels ?? {}, resourceVersion: String(this.#version++), uid: `uid-${f.name}` },
      spec: {
        project: f.project ?? "default",
        source: { repoURL: "https://git.example.com/deploy.git", path: f.name, targetRevision: "HEAD" },
        destination: { server: "https://kubernetes.default.svc", namespace: f.name },
      },
      status: {
        sync: { status: f.sync ?? "Synced", revision: "a1b2c3" },
        health: { status: f.health ?? "Healthy" },
        history: (f.deployedAt ?? []).map((at, i) => ({ id: i, revision: `rev${i}`, deployedAt: at, deployStartedAt: at })),
      },
    };
    this.apps.set(f.name, app);
    this.#broadcast("ADDED", app);
  }

  /** Changes an app and sends MODIFIED to every open stream. */
  modify(name: string, change: (app: Application) => void): void {
    const app = this.apps.get(name);
    if (app === undefined) throw new Error(`fake Argo CD: no app ${name}`);
    change(app);
    app.metadata.resourceVersion = String(this.#version++);
    this.#broadcast("MODIFIED", app);
  }

  deleteApp(name: string): void {
    const app = this.apps.get(name);
    if (app === undefined) return;
    this.apps.delete(name);
    this.#broadcast("DELETED", app);
  }

  /** The controller picks up the requested operation: phase Running. */
  run(name: string): void {
    this.modify(name, (app) => {
      const op = app.operation;
      if (op === undefined) throw new Error(`fake Argo CD: ${name} has no requested operation`);
      // The controller keeps Application.operation until the operation completes.
      app.status.operationState = { operation: op, phase: "Running", message: "one or more tasks are running", startedAt: new Date().toISOString() };
    });
  }

  /** The running operation ends: Succeeded (app Synced, a history entry) or Failed. */
  finish(name: string, phase: "Succeeded" | "Failed" | "Error", message = phase === "Succeeded" ? "successfully synced (all tasks run)" : "one or more objects failed to apply"): void {
    this.modify(name, (app) => {
      const state = app.status.operationState;
      if (state === undefined) throw new Error(`fake Argo CD: ${name} has no operation`);
      const at = new Date().toISOString();
      state.phase = phase;
      state.message = message;
      state.finishedAt = at;
      delete app.operation;
      if (phase === "Succeeded") {
        app.status.sync.status = "Synced";
        const history = app.status.history ?? [];
        history.push({ id: history.length, revision: "a1b2c3", deployedAt: at, deployStartedAt: state.startedAt });
        app.status.history = history.slice(-10);
      }
    });
  }

  /** Every session token issued so far stops working (as when it expires). */
  expireSessions(): void {
    this.#sessions.clear();
  }

  /** Cuts every open watch stream mid-flight (no clean end of the chunked answer). */
  dropStreams(): void {
    for (const s of this.#streams) s.socket.destroy();
    this.#streams.clear();
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)));
  }

  /** Resolves once test() holds, checked after every request and change. */
  until(test: () => boolean, timeoutMs = 10_000, what = "a condition"): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // Checked on every request and change, and every 10 ms for what happens on the client side.
      const poll = setInterval(() => this.#wake(), 10);
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`fake Argo CD: timed out waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.push({ test, resolve: () => (clearTimeout(timer), clearInterval(poll), resolve()) });
    });
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }

  // --- the server ----------------------------------------------------------------------------

  #matches(app: Application, projects: string[], selector: string | null): boolean {
    if (projects.length > 0 && !projects.includes(app.spec.project)) return false;
    if (selector === null) return true;
    // Equality requirements only (k=v,k2=v2): what the tests use.
    return selector.split(",").every((req) => {
      const [k, v] = req.split("=").map((s) => s.trim());
      return k !== undefined && app.metadata.labels[k] === v;
    });
  }

  #broadcast(type: "ADDED" | "MODIFIED" | "DELETED", app: Application): void {
    for (const s of this.#streams) {
      if (this.#matches(app, s.projects, s.selector)) this.#streamLine(s, { result: { type, application: app } });
    }
    setImmediate(() => this.#wake());
  }

  #streamLine(s: { res: http.ServerResponse; matched: MatchedOperation }, line: unknown): void {
    this.problems.push(...this.swagger.checkStreamLine(s.matched, line));
    s.res.write(JSON.stringify(line) + "\n");
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        this.problems.push(`${req.method} ${req.url}: body is not JSON`);
      }
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const { matched, problems } = this.swagger.checkRequest(method, url, body);
    this.problems.push(...problems);
    if (body !== undefined && req.headers["content-type"] !== "application/json") this.problems.push(`${method} ${url.pathname}: body without content-type application/json`);
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    this.requests.push({
      method,
      path: url.pathname,
      query,
      body,
      authorization: req.headers.authorization ?? null,
      operation: matched?.operation.operationId ?? null,
    });
    setImmediate(() => this.#wake());
    if (matched === null) return this.#send(res, null, error(404, 5, "Not Found"));

    const op = matched.operation.operationId;
    if (op === "SessionService_Create") {
      const b = (body ?? {}) as { username?: string; password?: string };
      if (b.username === undefined || this.users.get(b.username) !== b.password) {
        return this.#send(res, matched, error(401, 16, "Invalid username or password"));
      }
      const token = sessionToken(++this.#sessionCount, Math.floor(Date.now() / 1000) + 24 * 3600);
      this.#sessions.add(token);
      return this.#send(res, matched, { status: 200, body: { token } });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer === undefined || (!this.#sessions.has(bearer) && !this.apiTokens.has(bearer))) {
      // server/server.go: an expired or unknown token is codes.Unauthenticated.
      return this.#send(res, matched, error(401, 16, "invalid session: token has invalid claims: token is expired"));
    }

    const projects = query.projects ?? [];
    const selector = query.selector?.[0] ?? null;
    switch (op) {
      case "ApplicationService_List": {
        const items = [...this.apps.values()].filter((a) => this.#matches(a, projects, selector));
        // An empty list comes back as items: null (protobuf omits empty repeated fields as null here).
        return this.#send(res, matched, { status: 200, body: { metadata: { resourceVersion: String(this.#version) }, items: items.length === 0 ? null : items } });
      }
      case "ApplicationService_Get": {
        const app = this.apps.get(matched.params.name ?? "");
        if (app === undefined) return this.#send(res, matched, error(403, 7, "permission denied"));
        return this.#send(res, matched, { status: 200, body: app });
      }
      case "ApplicationService_Sync":
        return this.#send(res, matched, this.#sync(matched.params.name ?? "", body as { infos?: { name: string; value: string }[]; prune?: boolean; dryRun?: boolean; revision?: string }));
      case "ApplicationService_Watch":
        return this.#watch(res, matched, projects, selector);
      default:
        return this.#send(res, matched, error(501, 12, `the fake does not implement ${op}`));
    }
  }

  #sync(name: string, body: { infos?: { name: string; value: string }[]; prune?: boolean; dryRun?: boolean; revision?: string } | undefined): { status: number; body: unknown } {
    const app = this.apps.get(name);
    // Argo CD answers 403 for an app that does not exist (it will not confirm the name).
    if (app === undefined) return { status: 403, body: { error: "permission denied", code: 7, message: "permission denied" } };
    const behaviour = this.syncBehaviour.get(name) ?? "accept";
    const running = app.operation !== undefined || app.status.operationState?.phase === "Running";
    if (behaviour === "in-progress" || running) return { status: 400, body: { error: "another operation is already in progress", code: 9, message: "another operation is already in progress" } };
    if (behaviour === "sync-window") return { status: 403, body: { error: "cannot sync: blocked by sync window", code: 7, message: "cannot sync: blocked by sync window" } };
    if (behaviour === "denied")
      return {
        status: 403,
        body: {
          error: `permission denied: applications, sync, ${app.spec.project}/${name}, sub: shipgate`,
          code: 7,
          message: `permission denied: applications, sync, ${app.spec.project}/${name}, sub: shipgate`,
        },
      };
    const operation = { sync: { revision: body?.revision ?? "HEAD", prune: body?.prune ?? false, dryRun: body?.dryRun ?? false }, info: body?.infos, initiatedBy: { username: "shipgate" } };
    // The sync answers the Application with the operation set; the status still shows the past.
    const answer = structuredClone(app);
    app.operation = operation;
    answer.operation = operation;
    setImmediate(() => this.modify(name, () => {}));
    return { status: 200, body: answer };
  }

  #watch(res: http.ServerResponse, matched: MatchedOperation, projects: string[], selector: string | null): void {
    if (this.failStreams > 0) {
      this.failStreams--;
      return this.#send(res, matched, error(503, 14, "the fake refuses this stream"));
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.flushHeaders();
    const stream = { res, socket: res.socket as Socket, matched, projects, selector };
    this.#streams.add(stream);
    res.on("close", () => this.#streams.delete(stream));
    // Argo CD's Watch sends ADDED for every matching app first when no resourceVersion is given.
    for (const app of this.apps.values()) if (this.#matches(app, projects, selector)) this.#streamLine(stream, { result: { type: "ADDED", application: app } });
  }

  #send(res: http.ServerResponse, matched: MatchedOperation | null, answer: { status: number; body: unknown }): void {
    if (matched !== null) this.problems.push(...this.swagger.checkResponse(matched, answer.status, answer.body));
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
}
