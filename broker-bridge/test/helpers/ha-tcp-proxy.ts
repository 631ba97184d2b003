// A TCP relay between a client and PostgreSQL that a test can cut: after cut() it drops every byte
// in both directions and keeps both sockets open, as a dead switch or a partition does (no FIN, no
// RST reaches either side), so neither side learns of it from the network.

import { type Socket, connect, createServer } from "node:net";

export interface CuttableProxy {
  port: number;
  cut(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  let cut = false;
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(targetPort, targetHost);
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => sockets.delete(s));
    }
    downstream.on("data", (d) => void (cut || upstream.write(d)));
    upstream.on("data", (d) => void (cut || downstream.write(d)));
    downstream.on("end", () => void (cut || upstream.end()));
    upstream.on("end", () => void (cut || downstream.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    cut() {
      cut = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
