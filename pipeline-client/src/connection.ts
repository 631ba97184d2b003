// How a command finds the broker and its credentials: flags first, then the environment, then the
// bridge's own state directory, so that on the bridge's machine no flag is needed (contract).

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { IClientOptions, MqttClient } from "mqtt";
import { Backoff, type BackoffOptions, DEFAULT_PREFIX, Topics } from "@shipgate/protocol";
import { sendWithoutDelay } from "./no-delay";

export interface ConnectionFlags {
  broker?: string | undefined;
  username?: string | undefined;
  "password-file"?: string | undefined;
}

export interface Connection {
  url: string;
  username?: string;
  password?: string;
  topics: Topics;
  stateDir: string;
}

export class UsageError extends Error {
  readonly code = "USAGE";
}

/** The credentials file the bridge writes for commands run on its own machine. */
export const LOCAL_CREDENTIALS = "local-admin.json";

export function stateDirFrom(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.SHIPGATE_STATE_DIR ?? "./.shipgate");
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const stateDir = stateDirFrom(env);
  const url = flags.broker ?? env.SHIPGATE_BROKER_URL ?? `mqtt://127.0.0.1:${env.SHIPGATE_BROKER_PORT ?? "1883"}`;
  const conn: Connection = { url, topics: new Topics(env.SHIPGATE_PREFIX ?? DEFAULT_PREFIX), stateDir };
  if (flags.username !== undefined) {
    conn.username = flags.username;
    if (flags["password-file"] !== undefined) {
      try {
        conn.password = readFileSync(flags["password-file"], "utf8").trim();
      } catch (err) {
        throw new UsageError(`cannot read --password-file ${flags["password-file"]}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
    } else if (env.SHIPGATE_PASSWORD !== undefined) {
      conn.password = env.SHIPGATE_PASSWORD;
    }
    return conn;
  }
  if (env.SHIPGATE_USERNAME !== undefined) {
    conn.username = env.SHIPGATE_USERNAME;
    if (env.SHIPGATE_PASSWORD !== undefined) conn.password = env.SHIPGATE_PASSWORD;
    return conn;
  }
  const local = path.join(stateDir, LOCAL_CREDENTIALS);
  if (existsSync(local)) {
    try {
      const creds = JSON.parse(readFileSync(local, "utf8")) as { username?: string; password?: string };
      if (creds.username) conn.username = creds.username;
      if (creds.password) conn.password = creds.password;
    } catch (err) {
      throw new UsageError(`cannot read the local credentials ${local}: ${(err as Error).message}`);
    }
  }
  return conn;
}

export class ConnectError extends Error {
  readonly code = "CONNECT";
}

const REFUSALS: Record<number, string> = {
  1: "the broker refused the protocol version",
  2: "the broker refused the client id",
  3: "the broker is unavailable",
  4: "bad user name or password",
  5: "not authorized",
};

/** How a pipeline retries a lost broker: 1 s doubling to 8 s, with jitter so a room full of
 *  waiting pipelines does not come back in lock step after a broker restart (protocol/backoff.ts). */
export const RECONNECT_BACKOFF: Readonly<Partial<BackoffOptions>> = Object.freeze({ initialMs: 1000, maxMs: 8000, jitter: 0.5, floorMs: 250 });

/**
 * Reconnects a client after each lost connection, waiting the backoff's delay (MQTT.js only knows
 * a fixed reconnectPeriod). The client's message stores are kept, so QoS 1 packets in flight are
 * sent again (MQTT 3.1.1 section 4.4). onLost is told once per outage. Returns a stop function.
 */
export function reconnectWithBackoff(client: MqttClient, backoff = new Backoff(RECONNECT_BACKOFF), onLost: () => void = () => {}): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lost = false;
  // Before the first connect there is nothing to lose: connectOnce reports that failure itself.
  let connectedOnce = false;
  const onConnect = () => {
    backoff.reset();
    lost = false;
    connectedOnce = true;
  };
  const onClose = () => {
    // end() sets disconnecting: the close is ours, not a lost broker.
    if (client.disconnecting || client.disconnected || timer !== undefined) return;
    if (!lost && connectedOnce) {
      lost = true;
      onLost();
    }
    timer = setTimeout(() => {
      timer = undefined;
      if (!client.disconnecting && !client.connected) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, backoff.next());
  };
  client.on("connect", onConnect);
  client.on("close", onClose);
  return () => {
    clearTimeout(timer);
    timer = undefined;
    client.off("connect", onConnect);
    client.off("close", onClose);
  };
}

export interface ConnectOptions {
  /** Keep reconnecting after a lost connection (default true); a short run passes false. */
  reconnect?: boolean;
  /** Told once per outage while reconnecting. */
  onLost?: () => void;
  /** A refused TCP connection (nothing listens there) before the first connect: fail at once (the
   *  default: an admin command should say so, not wait timeoutMs), or keep retrying with backoff
   *  until timeoutMs, calling onRetry once (a pipeline's gate outlives a bridge restart). */
  onRefusedRetry?: (message: string) => void;
}

/** Socket errors that mean nobody answers at the URL (Node's errno codes). */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Connects; rejects with a clear error when the broker is unreachable within timeoutMs or refuses us.
 *  Until then (and afterwards, unless reconnect is false) lost connections are retried with backoff. */
export async function connectOnce(conn: Connection, clientId: string, extra: IClientOptions = {}, timeoutMs = 10_000, options: ConnectOptions = {}): Promise<MqttClient> {
  // MQTT.js is loaded when a command connects, not when it parses its flags or prints --help.
  const { default: mqtt } = await import("mqtt");
  return new Promise((resolve, reject) => {
    const client = sendWithoutDelay(
      mqtt.connect(conn.url, {
        clientId,
        username: conn.username,
        password: conn.password,
        connectTimeout: timeoutMs,
        // MQTT.js's packet writer otherwise pre-builds a 2-byte Buffer for each of the 65,536
        // packet ids and lengths on its first write: 6 MiB of heap and ~15 ms for a client that
        // sends a handful of packets (docs/performance.md, "Footprint").
        writeCache: false,
        ...extra,
        reconnectPeriod: 0,
      }),
    );
    const stopReconnecting = options.reconnect === false ? () => {} : reconnectWithBackoff(client, undefined, options.onLost);
    const timer = setTimeout(() => fail(new ConnectError(`cannot reach the broker at ${conn.url} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      stopReconnecting();
      client.end(true);
      reject(err);
    };
    client.once("connect", () => {
      clearTimeout(timer);
      client.removeListener("error", onError);
      resolve(client);
    });
    let toldRetry = false;
    const onError = (err: Error & { code?: number | string }) => {
      if (typeof err.code === "string" && UNREACHABLE.has(err.code)) {
        const why = err.code === "ECONNREFUSED" ? "refused the connection (is the bridge running, on this port?)" : `cannot be reached (${err.code})`;
        if (options.onRefusedRetry === undefined) return fail(new ConnectError(`the broker at ${conn.url} ${why}`));
        if (!toldRetry) options.onRefusedRetry(`the broker at ${conn.url} ${why}; retrying for up to ${Math.round(timeoutMs / 1000)} s`);
        toldRetry = true;
        return;
      }
      if (typeof err.code === "number" && REFUSALS[err.code]) {
        fail(
          new ConnectError(
            `the broker at ${conn.url} refused the connection: ${REFUSALS[err.code]}${conn.username ? ` (user ${conn.username})` : " (no credentials: pass --username and --password-file)"}`,
          ),
        );
      }
    };
    client.on("error", onError);
  });
}
