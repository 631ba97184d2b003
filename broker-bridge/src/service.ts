// What every bridge service receives, and the one shape every service has. The bridge (bridge.ts)
// builds the context once, and wiring.ts orders the services by the ports they need and offer;
// a new provider or output is a new Service, not an edit to the others.

import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Topics } from "@shipgate/protocol";
import type { BridgeConfig } from "./config";
import type { Clock } from "./clock";
import type { EventBus } from "./events";
import type { Link } from "./link/link";
import type { MessageRouter } from "./link/message-router";
import type { Refuse } from "./link/refuse";
import type { Logger } from "./log";
import type { Need, Port, PortAccess } from "./ports/port";
import type { KeyValue, Store } from "./store";
import type { StatusBoard } from "./status";

export interface ServiceContext {
  config: BridgeConfig;
  bus: EventBus;
  store: Store;
  kv: KeyValue;
  /** Publishing, and (for the router only) subscribing. Services receive through `router`. */
  link: Link;
  /** Inbound MQTT: descriptor -> handler; limits, parses, checks and refuses for every service. */
  router: MessageRouter;
  topics: Topics;
  log: Logger;
  clock: Clock;
  /** Register routes before the server listens. */
  http: FastifyInstance;
  metrics: Registry;
  status: StatusBoard;
  /** Answer a refused message on its sender's errors topic (and log it). */
  refuse: Refuse;
  /** The ports this service declared (needs and offers), and nothing else. */
  ports: PortAccess;
}

export interface Service {
  readonly name: string;
  /** Ports this service hands over (ctx.ports.offer) while it starts. */
  readonly offers?: readonly Port<unknown>[];
  /** Ports this service uses; their providers start before it. optional(port) when it can do without. */
  readonly needs?: readonly Need[];
  /** Subscribe, register routes, restore state. Runs before the broker and HTTP server accept clients. */
  start(ctx: ServiceContext): void | Promise<void>;
  /** Runs once everything listens (connect outwards, start pollers). */
  started?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}
