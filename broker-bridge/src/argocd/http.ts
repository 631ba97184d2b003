// The bridge's HTTP(S) link to Argo CD: JSON requests, and the newline-delimited watch stream.
// Written on node:http/https rather than fetch because a self-signed Argo CD needs a CA file or
// `insecure` per connection, which Node 20's fetch cannot take without undici's own Agent.

import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { ArgoError } from "./errors";

export type Query = Record<string, string | readonly string[] | undefined>;

export interface ArgoRequest {
  method: "GET" | "POST";
  /** "/api/v1/applications" */
  path: string;
  /** Arrays repeat the parameter (swagger collectionFormat "multi"). */
  query?: Query;
  body?: unknown;
  token?: string | null;
}

export interface ArgoResponse {
  status: number;
  /** The parsed JSON body, or null when it was empty or not JSON. */
  body: unknown;
}

export interface OpenStream {
  /** Resolves when Argo CD ends the stream, rejects when the connection breaks. */
  readonly ended: Promise<void>;
  close(): void;
}

/** What the client needs of HTTP: one port, so tests and other transports can stand in. */
export interface ArgoTransport {
  request(req: ArgoRequest): Promise<ArgoResponse>;
  /** Opens a streaming GET. A non-200 answer rejects with its ArgoError; lines arrive through onLine. */
  stream(req: ArgoRequest, onLine: (line: string) => void): Promise<OpenStream>;
}

export interface HttpTransportOptions {
  /** Base URL without a trailing slash. */
  url: string;
  /** PEM CA bundle file for a self-signed Argo CD. */
  ca: string | null;
  /** Skip certificate verification (only for a lab Argo CD). */
  insecure: boolean;
  /** Milliseconds a plain request may take; streams use it for the connection only. */
  timeoutMs: number;
}

export function buildPath(path: string, query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (typeof value === "string") params.append(key, value);
    else for (const v of value) params.append(key, v);
  }
  const qs = params.toString();
  return qs === "" ? path : `${path}?${qs}`;
}

function errorFrom(label: string, status: number, text: string): ArgoError {
  let code: number | null = null;
  let message = text.trim().slice(0, 300) || `no body`;
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; error?: unknown };
    if (typeof body.code === "number") code = body.code;
    if (typeof body.message === "string" && body.message !== "") message = body.message;
    else if (typeof body.error === "string" && body.error !== "") message = body.error;
  } catch {
    // Not JSON (a proxy's HTML page): keep the text.
  }
  return new ArgoError(label, status, code, message);
}

export class HttpTransport implements ArgoTransport {
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  readonly #secure: boolean;

  constructor(options: HttpTransportOptions) {
    this.#base = new URL(options.url);
    this.#secure = this.#base.protocol === "https:";
    this.#timeoutMs = options.timeoutMs;
    this.#agent = this.#secure
      ? new https.Agent({
          keepAlive: true,
          ca: options.ca === null ? undefined : readFileSync(options.ca),
          rejectUnauthorized: !options.insecure,
        })
      : new http.Agent({ keepAlive: true });
  }

  #open(req: ArgoRequest, accept: string, streaming: boolean): { label: string; request: http.ClientRequest; response: Promise<http.IncomingMessage> } {
    const target = buildPath(this.#base.pathname.replace(/\/+$/, "") + req.path, req.query);
    const label = `${req.method} ${req.path}`;
    const headers: http.OutgoingHttpHeaders = { accept };
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    const request = (this.#secure ? https : http).request({
      protocol: this.#base.protocol,
      hostname: this.#base.hostname,
      port: this.#base.port,
      method: req.method,
      path: target,
      headers,
      agent: this.#agent,
      // A watch may send nothing for hours (grpc-gateway writes the headers with the first
      // event), so a stream only gets a connect timeout and TCP keep-alive.
      timeout: streaming ? undefined : this.#timeoutMs,
    });
    if (streaming) {
      request.once("socket", (socket) => {
        socket.setKeepAlive(true, 30_000);
        if (!socket.connecting) return;
        const timer = setTimeout(() => request.destroy(new Error(`no connection within ${this.#timeoutMs} ms`)), this.#timeoutMs);
        socket.once("connect", () => clearTimeout(timer));
        socket.once("close", () => clearTimeout(timer));
      });
    }
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once("response", resolve);
      request.once("timeout", () => request.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      request.once("error", (err) => reject(new ArgoError(label, 0, null, err.message, { cause: err })));
    });
    request.end(payload);
    return { label, request, response };
  }

  async request(req: ArgoRequest): Promise<ArgoResponse> {
    const { label, request, response } = this.#open(req, "application/json", false);
    const res = await response;
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.once("error", (err) => reject(new ArgoError(label, 0, null, err.message, { cause: err })));
      request.once("error", (err) => reject(new ArgoError(label, 0, null, err.message, { cause: err })));
    });
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFrom(label, status, text);
    let body: unknown = null;
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new ArgoError(label, status, null, `answer is not JSON: ${text.slice(0, 100)}`, { cause: err });
      }
    }
    return { status, body };
  }

  async stream(req: ArgoRequest, onLine: (line: string) => void): Promise<OpenStream> {
    // Plain JSON lines (grpc-gateway's default for server streams), not server-sent events.
    const { label, request, response } = this.#open(req, "application/json", true);
    const res = await response;
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw errorFrom(label, status, Buffer.concat(chunks).toString("utf8"));
    }
    res.setEncoding("utf8");
    let buffer = "";
    let closed = false;
    const ended = new Promise<void>((resolve, reject) => {
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line !== "") onLine(line);
        }
      });
      res.once("end", () => {
        if (buffer.trim() !== "") onLine(buffer.trim());
        resolve();
      });
      const fail = (err: Error) => (closed ? resolve() : reject(new ArgoError(label, 0, null, `stream broke: ${err.message}`, { cause: err })));
      res.once("error", fail);
      // A connection cut mid-stream ends without a complete message (Node sets complete on the last chunk).
      res.once("close", () => {
        if (!res.complete) fail(new Error("connection dropped"));
      });
      request.once("error", fail);
    });
    return {
      ended,
      close: () => {
        closed = true;
        request.destroy();
      },
    };
  }

  close(): void {
    this.#agent.destroy();
  }
}
