// The embedded MQTT broker: aedes on TCP (and TLS), plus MQTT over WebSocket at /mqtt on the
// bridge's HTTP server for the dashboard. Authentication and authorization are delegated to a
// BrokerAuthorizer; messages that pass are handed to the bridge's router before the broker
// acknowledges them, so a PUBACK on a lock request means the request is already in SQLite.

import { Aedes, type Client } from "aedes";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Duplex } from "node:stream";
import { readFileSync } from "node:fs";
import type { WebSocketServer } from "ws";
import { lazyRequire } from "../lazy-require";
import type { Logger } from "pino";
import type { InboundMessage, Sender } from "../link/link";

const ws = lazyRequire<typeof import("ws")>("ws");
/** aedes's packet writer (aedes's own dependency, so resolved from its folder). */
const mqttPacket = lazyRequire<{ writeToStream: { cacheNumbers: boolean } }>("mqtt-packet", "aedes");

export type Role = "admin" | "pipeline" | "gadget" | "viewer" | "bridge";

export interface Identity {
  username: string;
  role: Role;
}

/** The broker's security decisions; the credentials-based one lives in security/. */
export interface BrokerAuthorizer {
  /** The identity for these credentials, or null to refuse the connection (CONNACK 4 or 5).
   *  May answer later (a password hash runs off the event loop). */
  authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): Identity | null | Promise<Identity | null>;
  /** Why the publish is refused, or null when it is allowed. */
  publishDenied(who: Identity | null, clientId: string, topic: string): string | null;
  subscribeDenied(who: Identity | null, clientId: string, filter: string): string | null;
  /** Whether a message on topic may be delivered to this subscriber (per-owner filtering). */
  mayReceive?(who: Identity | null, clientId: string, topic: string): boolean;
  /** Whether the bridge acts on an allowed publish (rate limits); when false the authorizer has
   *  answered the client itself, and the message is acknowledged but not handed to the bridge. */
  admit?(message: InboundMessage): boolean;
  /** Told about every refusal, for the audit log and the errors topic. */
  onRefused?(what: "connect" | "publish" | "subscribe", who: Identity | null, clientId: string, detail: string, connect?: { source: string; username: string | null }): void;
}

/** Anyone may do anything: only for tests that are about something else, never the default. */
export const openAuthorizer: BrokerAuthorizer = {
  // The bridge's own role: may do what an admin may, and speak for any gadget or pipeline.
  authenticate: (_id, username) => ({ username: username ?? "anonymous", role: "bridge" }),
  publishDenied: () => null,
  subscribeDenied: () => null,
};

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: { cert: string; key: string; port: number } | null;
  /** The HTTP(S) server that also carries MQTT over WebSocket at /mqtt. */
  httpServer?: HttpServer | null;
  authorizer: BrokerAuthorizer;
  /** Receives every authorized client publish (and Wills) synchronously, before the PUBACK. */
  onMessage(message: InboundMessage): void;
  log: Logger;
}

export interface EmbeddedBroker {
  readonly aedes: Aedes;
  /** The bound TCP port. */
  readonly port: number;
  readonly tlsPort: number | null;
  identityOf(client: Client): Identity | null;
  /** Publishes as the broker itself (retained lock states, views, acks). */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void>;
  connectedClients(): number;
  close(): Promise<void>;
}

export class BrokerListenError extends Error {
  readonly code = "BROKER_LISTEN";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokerListenError";
  }
}

function listen(server: NetServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const reason = err.code === "EADDRINUSE" ? `port ${port} on ${host} is already in use` : err.message;
      reject(new BrokerListenError(`${what} cannot listen: ${reason}`, { cause: err }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/** The peer's address, for the aggregated audit of refused connections. */
function sourceOf(client: Client): string {
  const conn = (client as unknown as { conn?: { remoteAddress?: string; _socket?: { remoteAddress?: string } } }).conn;
  return conn?.remoteAddress ?? conn?._socket?.remoteAddress ?? "unknown";
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { authorizer, log } = options;
  const identities = new WeakMap<Client, Identity>();
  const who = (client: Client | null) => (client ? (identities.get(client) ?? null) : null);

  // mqtt-packet otherwise pre-builds a 2-byte Buffer for each of the 65,536 packet ids on the
  // first packet it writes (the first CONNACK): 6 MiB of resident heap and about 20 ms of a
  // start, for a saving of one tiny allocation per id written (docs/performance.md, "Footprint").
  mqttPacket().writeToStream.cacheNumbers = false;
  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      let answer: Identity | null | Promise<Identity | null> = null;
      try {
        answer = authorizer.authenticate(client.id, username, password);
      } catch (err) {
        log.error({ err }, "authenticate failed");
      }
      Promise.resolve(answer)
        .catch((err: unknown) => {
          log.error({ err }, "authenticate failed");
          return null;
        })
        .then((identity) => {
          if (identity === null) {
            authorizer.onRefused?.("connect", null, client.id, username ? `bad credentials for ${username}` : "anonymous connection", { source: sourceOf(client), username: username ?? null });
            const error = Object.assign(new Error("not authorized"), { returnCode: username ? 4 : 5 });
            done(error as Parameters<typeof done>[0], false);
            return;
          }
          // A client id belongs to the user that holds it: a CONNECT reusing it from another user
          // would take the session over (MQTT 3.1.1 [MQTT-3.1.4-2]) and fire its Will; refuse it
          // with CONNACK 2 (identifier rejected) and keep the connected session (issue 13).
          const holder = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[client.id];
          const held = holder !== undefined && holder !== client ? identities.get(holder) : undefined;
          if (held !== undefined && held.username !== identity.username) {
            authorizer.onRefused?.("connect", identity, client.id, `client id ${client.id} is held by another user`, { source: sourceOf(client), username: identity.username });
            done(Object.assign(new Error("identifier rejected"), { returnCode: 2 }) as Parameters<typeof done>[0], false);
            return;
          }
          identities.set(client, identity);
          done(null, true);
        });
    },
    authorizePublish(client, packet, done) {
      if (packet.topic.startsWith("$SYS/")) return done(new Error("$SYS/ topics are reserved"));
      const identity = who(client);
      const denied = client ? authorizer.publishDenied(identity, client.id, packet.topic) : null;
      if (denied !== null && client) {
        authorizer.onRefused?.("publish", identity, client.id, `${packet.topic}: ${denied}`);
        // MQTT 3.1.1 has no way to refuse one PUBLISH: the connection is closed [MQTT-3.3.5-2].
        return done(new Error(denied));
      }
      const from: Sender | null = client ? { clientId: client.id, username: identity?.username ?? null, role: identity?.role ?? null } : null;
      try {
        const message = { topic: packet.topic, payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload), from };
        if (client === null || authorizer.admit === undefined || authorizer.admit(message)) options.onMessage(message);
      } catch (err) {
        log.error({ err, topic: packet.topic }, "message handler failed");
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const identity = who(client);
      const denied = authorizer.subscribeDenied(identity, client.id, sub.topic);
      if (denied !== null) {
        authorizer.onRefused?.("subscribe", identity, client.id, `${sub.topic}: ${denied}`);
        // Negate only this subscription (SUBACK 0x80) rather than dropping the connection.
        return done(null, null);
      }
      done(null, sub);
    },
    authorizeForward(client, packet) {
      if (authorizer.mayReceive === undefined) return packet;
      return authorizer.mayReceive(who(client), client.id, packet.topic) ? packet : null;
    },
  });
  aedes.on("clientError", (client, err) => log.debug({ client: client.id, err: err.message }, "client error"));

  // noDelay: no Nagle delay on the broker's side of each hop (see link/no-delay.ts).
  const tcp = createNetServer({ noDelay: true }, aedes.handle as (socket: import("node:net").Socket) => void);
  let port: number;
  try {
    port = await listen(tcp, options.port, options.host, "MQTT broker");
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }

  let tlsServer: NetServer | null = null;
  let tlsPort: number | null = null;
  if (options.tls) {
    tlsServer = createTlsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key), noDelay: true }, aedes.handle as (socket: import("node:net").Socket) => void);
    try {
      tlsPort = await listen(tlsServer, options.tls.port, options.host, "MQTT over TLS");
    } catch (err) {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
  }

  let wss: WebSocketServer | null = null;
  if (options.httpServer) {
    // ws (about 4 MiB resident) loads on the first upgrade request, not at start: most bridges
    // never see MQTT over WebSocket. ws answers a path other than /mqtt with 400, as before.
    options.httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (wss === null) {
        const { WebSocketServer, createWebSocketStream } = ws();
        wss = new WebSocketServer({ noServer: true, path: "/mqtt" });
        wss.on("error", (err) => log.debug({ err: err.message }, "WebSocket server error"));
        wss.on("connection", (socket, request: IncomingMessage) => {
          const stream = createWebSocketStream(socket);
          stream.on("error", () => socket.terminate());
          aedes.handle(stream, request);
        });
      }
      const server = wss;
      server.handleUpgrade(req, socket, head, (socket) => server.emit("connection", socket, req));
    });
  }

  const closeServer = (server: NetServer | null) => new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));

  return {
    aedes,
    port,
    tlsPort,
    identityOf: (client) => identities.get(client) ?? null,
    publish(topic, payload, qos, retain) {
      return new Promise((resolve, reject) => {
        aedes.publish({ cmd: "publish", topic, payload: typeof payload === "string" ? Buffer.from(payload) : payload, qos, retain, dup: false }, (err?: Error | null) =>
          err ? reject(err) : resolve(),
        );
      });
    },
    connectedClients: () => aedes.connectedClients,
    async close() {
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await Promise.all([closeServer(tcp), closeServer(tlsServer)]);
    },
  };
}
