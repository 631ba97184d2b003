// Builds the bridge from its configuration: the store, the bus, the link to MQTT (embedded broker
// or external), the HTTP server, and the services, started in order and stopped in reverse.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { Counter, Registry } from "./metrics/prom";
import { Topics, encode } from "@shipgate/protocol";
import { type BrokerAuthorizer, type EmbeddedBroker, startEmbeddedBroker } from "./broker/embedded-broker";
import { checkPortsFree } from "./broker/port-check";
import type { BridgeConfig } from "./config";
import { ConfigError } from "./config";
import { type Clock, guardedClock, systemClock } from "./clock";
import { EventBus } from "./events";
import { type HaRole, bridgeRoleStatus } from "./ha/bridge-role";
import { createHttpServer, listenHttp, registerMetrics } from "./http/http-server";
import { registerProcessMetrics } from "./http/process-metrics";
import { EmbeddedLink } from "./link/embedded-link";
import type { InboundMessage, Link } from "./link/link";
import { MessageRouter } from "./link/message-router";
import { makeRefuse } from "./link/refuse";
import { type Logger, createLogger } from "./log";
import { BrokerAuthorization } from "./ports/security";
import type { Service, ServiceContext } from "./service";
import { defaultServices } from "./services";
import { StatusBoard } from "./status";
import { Store } from "./store";
import { storeUrlOf } from "./store-config";
import { VERSION } from "./version";
import { PortBoard, startOrder } from "./wiring";

export interface BridgeOptions {
  config: BridgeConfig;
  clock?: Clock;
  log?: Logger;
  /** The services to run; defaults to every service of the product. */
  services?: Service[];
  /** The broker's security; defaults to the credentials in the state directory (security/). */
  authorizer?: BrokerAuthorizer;
  /** One of several bridges on a PostgreSQL store (ha/leadership.ts); absent: the single bridge. */
  ha?: HaRole;
}

export interface RunningBridge {
  readonly config: BridgeConfig;
  readonly context: ServiceContext;
  /** mqtt://host:port of the embedded broker, or the external broker's URL. */
  readonly brokerUrl: string;
  readonly brokerPort: number | null;
  readonly httpUrl: string;
  readonly httpPort: number;
  readonly broker: EmbeddedBroker | null;
  /** The running service of this class (for tests and tools), or undefined. */
  service<T extends Service>(kind: abstract new (...args: never[]) => T): T | undefined;
  stop(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { config } = options;
  // Before anything opens: a missing or circular need is a wiring error, not a half-started bridge.
  const list = startOrder(options.services ?? defaultServices(config));
  const log = options.log ?? createLogger(config.log_level);
  // A taken port ends the start before any state exists (no store, no first admin, no audit).
  await checkPortsFree(config);
  // A start that fails later (an external broker that refuses us) removes the state it created.
  const freshState = !existsSync(config.state_dir);
  // store.url / SHIPGATE_STORE_URL: a shared PostgreSQL; otherwise the SQLite file in state_dir.
  // Under the lease, every write transaction is fenced with this bridge's token (a standby's: none).
  const fence = options.ha?.fence;
  const store = Store.open(config.state_dir, { url: storeUrlOf(config), applicationName: "shipgate-bridge", ...(fence === undefined ? {} : { fence }) });
  const bus = new EventBus((event, err) => log.error({ err, event }, "event handler failed"));
  const topics = new Topics(config.prefix);
  const metrics = new Registry();
  const stopProcessMetrics = registerProcessMetrics(metrics);
  // Every service timer runs through this clock: one that throws is logged and counted, and the
  // bridge stays up (a store failure on a timer path once killed the process).
  const timerErrors = new Counter({ name: "shipgate_timer_errors_total", help: "Timer callbacks that threw, by timer", labelNames: ["timer"], registers: [metrics] });
  const clock = guardedClock(options.clock ?? systemClock, (timer, err) => {
    timerErrors.inc({ timer });
    log.error({ err, timer }, "a timer callback failed; the bridge carries on");
  });
  const status = new StatusBoard();
  const http = createHttpServer(config.http, log);
  options.ha?.configureHttp?.(http);
  registerMetrics(http, metrics);

  let link: Link;
  const embedded = config.broker.url === null ? new EmbeddedLink(log) : null;
  if (options.ha?.link !== undefined) {
    link = options.ha.link;
  } else if (embedded !== null) {
    link = embedded;
  } else {
    let password: string | undefined;
    if (config.broker.password_file) {
      try {
        password = readFileSync(config.broker.password_file, "utf8").trim();
      } catch (err) {
        throw new ConfigError(config.file, "broker.password_file", `cannot read ${config.broker.password_file} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    }
    // MQTT.js (about 20 MB resident) is loaded only for an external broker.
    const { ExternalLink } = await import("./link/external-link");
    link = new ExternalLink({
      url: config.broker.url as string,
      clientId: "shipgate-bridge",
      username: config.broker.username ?? undefined,
      password,
      ca: config.broker.ca,
      will: { topic: topics.bridgeStatus(), payload: encode({ state: "offline" }) },
      log,
    });
  }

  const board = new PortBoard(list);
  const refuse = makeRefuse(link, topics, log, (m: InboundMessage, field, error) => {
    bus.emit("audit", { actor: m.from?.username ? `user:${m.from.username}` : "unknown", action: "message.refused", subject: m.topic, detail: { field, error } });
  });
  const context: ServiceContext = {
    config,
    bus,
    store,
    kv: store.kv(),
    link,
    topics,
    log,
    clock,
    http,
    metrics,
    status,
    refuse,
    router: new MessageRouter(link, topics, refuse, log),
    ports: board.accessFor({ name: "bridge", start() {} }),
  };
  const startedAt = clock.now();
  const role = () => bridgeRoleStatus(options.ha, hostname(), startedAt);
  status.register("bridge", () => ({ version: VERSION, broker: config.broker.url ?? "embedded", started_at: new Date(startedAt).toISOString(), ...role() }));

  const stopList: Service[] = [];
  let broker: EmbeddedBroker | null = null;
  const teardown = async () => {
    for (const s of [...stopList].reverse()) {
      try {
        await s.stop?.();
      } catch (err) {
        log.warn({ err, service: s.name }, "service did not stop cleanly");
      }
    }
    await broker?.close().catch(() => {});
    await http.close().catch(() => {});
    await link.close().catch(() => {});
    store.close();
    stopProcessMetrics();
  };

  try {
    for (const service of list) {
      await service.start({ ...context, ports: board.accessFor(service) });
      board.checkOffered(service);
      stopList.push(service);
    }

    const authorizer = options.authorizer ?? (await defaultAuthorizer(board.get(BrokerAuthorization), log));
    if (embedded !== null) {
      broker = await startEmbeddedBroker({
        host: config.broker.host,
        port: config.broker.port,
        tls: config.broker.tls ? { ...config.broker.tls, port: config.broker.tls_port } : null,
        httpServer: config.broker.websocket ? http.server : null,
        authorizer,
        onMessage: (m) => embedded.deliver(m),
        log,
      });
      embedded.attach(broker);
    }
    const httpPort = await listenHttp(http, config.http);
    await link.ready();
    // Which bridge is live: its id and since when it leads (a standby publishes nothing).
    const { id, since } = role();
    await link.publish(topics.bridgeStatus(), encode({ state: "online", version: VERSION, bridge: id, since }), { qos: 1, retain: true });
    // A standby runs no timers and no pollers: they would write, and only the leader writes.
    if (options.ha?.role !== "standby") for (const service of list) await service.started?.();

    const brokerHost = config.broker.host === "0.0.0.0" || config.broker.host === "::" ? "127.0.0.1" : config.broker.host;
    const scheme = config.http.tls ? "https" : "http";
    return {
      config,
      context,
      broker,
      brokerUrl: broker ? `mqtt://${brokerHost}:${broker.port}` : (config.broker.url as string),
      brokerPort: broker ? broker.port : null,
      httpUrl: `${scheme}://${config.http.host}:${httpPort}`,
      httpPort,
      service: <T extends Service>(kind: abstract new (...args: never[]) => T) => list.find((s): s is T => s instanceof kind),
      async stop() {
        // Publish offline ourselves before a clean disconnect (a Will only fires on a broken one).
        await link.publish(topics.bridgeStatus(), encode({ state: "offline" }), { qos: 1, retain: true }).catch(() => {});
        await teardown();
      },
    };
  } catch (err) {
    await teardown();
    if (freshState) rmSync(config.state_dir, { recursive: true, force: true });
    throw err;
  }
}

/** The security service decides the broker's rules when it runs; without it, anyone may connect. */
async function defaultAuthorizer(offered: BrokerAuthorizer | undefined, log: Logger): Promise<BrokerAuthorizer> {
  if (offered !== undefined) return offered;
  const { openAuthorizer } = await import("./broker/embedded-broker");
  log.warn("no security service: the embedded broker accepts anonymous clients");
  return openAuthorizer;
}
