// The bridge's HTTP server (fastify): the dashboard, the API, /metrics, webhooks, and MQTT over
// WebSocket at /mqtt (attached by the embedded broker). Services add their routes before listen().

import Fastify, { type FastifyInstance } from "fastify";
import { readFileSync } from "node:fs";
import type { Registry } from "prom-client";
import type { HttpConfig } from "../config";
import type { Logger } from "../log";
import { defaultAllowedHosts, hostAllowed } from "./allowed-hosts";
import { lazyRequire } from "../lazy-require";

// Fastify makes its Ajv validator and fast-json-stringify serializer factories when it is created
// (about 35 ms and several MiB at start); they compile route schemas, and no route here declares
// one. These load them the first time a schema is compiled, if ever, from fastify's own folder.
type CompilerFactory = (...args: unknown[]) => unknown;
const ajvCompiler = lazyRequire<() => CompilerFactory>("@fastify/ajv-compiler", "fastify");
const jsonCompiler = lazyRequire<() => CompilerFactory>("@fastify/fast-json-stringify-compiler", "fastify");
let validatorFactory: CompilerFactory | undefined;
let serializerFactory: CompilerFactory | undefined;
const compilersFactory = {
  buildValidator: (...args: unknown[]) => {
    validatorFactory ??= ajvCompiler()();
    return validatorFactory(...args);
  },
  buildSerializer: (...args: unknown[]) => {
    serializerFactory ??= jsonCompiler()();
    return serializerFactory(...args);
  },
};

export function createHttpServer(config: HttpConfig, log: Logger): FastifyInstance {
  const https = config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
  const app = Fastify({
    // Request lines would drown the audit trail; the HTTP server logs warnings and errors only.
    loggerInstance: log.child({ component: "http" }, { level: "warn" }),
    bodyLimit: 1024 * 1024,
    schemaController: { compilersFactory } as never,
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  const allowed = new Set((config.allowed_hosts ?? defaultAllowedHosts(config.host)).map((h) => h.toLowerCase()));
  app.addHook("onRequest", async (req, reply) => {
    if (hostAllowed(req.headers.host, allowed)) return;
    log.warn({ host: req.headers.host, url: req.url, ip: req.ip }, "refused a request for another host name");
    return reply.code(421).send({ ok: false, error: `this server does not answer to host ${JSON.stringify(req.headers.host ?? "")}; add it to http.allowed_hosts` });
  });
  app.get("/healthz", async () => ({ ok: true }));
  return app;
}

export function registerMetrics(app: FastifyInstance, registry: Registry): void {
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}

export class HttpListenError extends Error {
  readonly code = "HTTP_LISTEN";
}

export async function listenHttp(app: FastifyInstance, config: HttpConfig): Promise<number> {
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === "EADDRINUSE" ? `port ${config.port} on ${config.host} is already in use` : e.message;
    throw new HttpListenError(`HTTP server cannot listen: ${reason}`, { cause: err });
  }
  const address = app.server.address();
  return typeof address === "object" && address !== null ? address.port : config.port;
}
