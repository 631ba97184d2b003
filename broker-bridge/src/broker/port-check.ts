// Before the bridge creates any state (the store, the first admin, the audit line that records it),
// it makes sure every port it is about to listen on is free, so that a start that fails on a taken
// port leaves nothing behind and says so in one line. Each port is bound and released at once; the
// real listen still reports a port taken in between the same way, only later.

import { createServer } from "node:net";
import type { BridgeConfig } from "../config";
import { HttpListenError } from "../http/http-server";
import { BrokerListenError } from "./embedded-broker";

interface Wanted {
  what: "HTTP server" | "MQTT broker" | "MQTT over TLS";
  host: string;
  port: number;
}

/** The fixed ports this configuration listens on (port 0 picks a free one and is never taken). */
export function wantedPorts(config: BridgeConfig): Wanted[] {
  const out: Wanted[] = [];
  if (config.broker.url === null) {
    out.push({ what: "MQTT broker", host: config.broker.host, port: config.broker.port });
    if (config.broker.tls) out.push({ what: "MQTT over TLS", host: config.broker.host, port: config.broker.tls_port });
  }
  // MQTT over WebSocket rides on the HTTP server's port.
  out.push({ what: "HTTP server", host: config.http.host, port: config.http.port });
  return out.filter((w) => w.port !== 0);
}

function probe(w: Wanted): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      const reason = err.code === "EADDRINUSE" ? `port ${w.port} on ${w.host} is already in use` : err.message;
      const message = `${w.what} cannot listen: ${reason}`;
      reject(w.what === "HTTP server" ? new HttpListenError(message, { cause: err }) : new BrokerListenError(message, { cause: err }));
    });
    server.listen(w.port, w.host, () => server.close(() => resolve()));
  });
}

/** Rejects with the listen error of the first taken port, in the order the bridge binds them. */
export async function checkPortsFree(config: BridgeConfig): Promise<void> {
  for (const w of wantedPorts(config)) await probe(w);
}
