// Builds the bridge from its configuration: the store, the bus, the link to MQTT (embedded broker
// or external), the HTTP server, and the services, started in order and stopped in reverse.

import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { Topics, encode } from "@shipgate/protocol";
import { type BrokerAuthorizer, type EmbeddedBroker, startEmbeddedBroker } from "./broker/embedded-broker";
import type { BridgeConfig } from "./config";
import { ConfigError } from "./config";
import { type Clock, systemClock } from "./clock";
import { EventBus } from "./events";
import type { GatesService } from "./gates/gates-service";
import { createHttpServer, listenHttp, registerMetrics } from "./http/http-server";
import { registerProcessMetrics } from "./http/process-metrics";
import { EmbeddedLink } from "./link/embedded-link";
import type { InboundMessage, Link } from "./link/link";
import { makeRefuse } from "./link/refuse";
import { type Logger, createLogger } from "./log";
import type { PresenceService } from "./presence/presence-service";
import { type Service, type ServiceContext, ServiceDirectory } from "./service";
import { defaultServices } from "./services";
import { StatusBoard } from "./status";
import { Store } from "./store";
import { VERSION } from "./version";

export interface BridgeOptions {
  config: BridgeConfig;
  clock?: Clock;
  log?: Logger;
  /** The services to run; defaults to every service of the product. */
  services?: Service[];
  /** The broker's security; defaults to the credentials in the state directory (security/). */
  authorizer?: BrokerAuthorizer;
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
  stop(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { config } = options;
  const log = options.log ?? createLogger(config.log_level);
  const clock = options.clock ?? systemClock;
  const store = Store.open(config.state_dir);
  const bus = new EventBus((event, err) => log.error({ err, event }, "event handler failed"));
  const topics = new Topics(config.prefix);
  const metrics = new Registry();
  const stopProcessMetrics = registerProcessMetrics(metrics);
  const status = new StatusBoard();
  const services = new ServiceDirectory();
  const http = createHttpServer(config.http, log);
  registerMetrics(http, metrics);

  let link: Link;
  const embedded = config.broker.url === null ? new EmbeddedLink(log) : null;
  if (embedded !== null) {
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

  const context: ServiceContext = {
    config, bus, store, kv: store.kv(), link, topics, log, clock, http, metrics, status, services,
    refuse: makeRefuse(link, topics, log, (m: InboundMessage, field, error) => {
      bus.emit("audit", { actor: m.from?.username ? `user:${m.from.username}` : "unknown", action: "message.refused", subject: m.topic, detail: { field, error } });
    }),
  };
  status.register("bridge", () => ({ version: VERSION, broker: config.broker.url ?? "embedded", started_at: new Date(startedAt).toISOString() }));
  const startedAt = clock.now();

  const list = options.services ?? defaultServices(config);
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
      services.add(service);
      await service.start(context);
      stopList.push(service);
    }
    const gates = services.get<GatesService>("gates");
    const presence = services.get<PresenceService>("presence");
    if (gates && presence) {
      gates.locks.setPresence(() => presence.onlineGadgets());
      bus.on("gadget:presence", () => gates.locks.presenceChanged());
    }

    const authorizer = options.authorizer ?? (await defaultAuthorizer(context));
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
    await link.publish(topics.bridgeStatus(), encode({ state: "online", version: VERSION }), { qos: 1, retain: true });
    for (const service of list) await service.started?.();

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
      async stop() {
        // Publish offline ourselves before a clean disconnect (a Will only fires on a broken one).
        await link.publish(topics.bridgeStatus(), encode({ state: "offline" }), { qos: 1, retain: true }).catch(() => {});
        await teardown();
      },
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/** The security service decides the broker's rules when it runs; without it, anyone may connect. */
async function defaultAuthorizer(ctx: ServiceContext): Promise<BrokerAuthorizer> {
  const security = ctx.services.get<Service & { authorizer(): BrokerAuthorizer }>("security");
  if (security) return security.authorizer();
  const { openAuthorizer } = await import("./broker/embedded-broker");
  ctx.log.warn("no security service: the embedded broker accepts anonymous clients");
  return openAuthorizer;
}
