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

export interface ProxyProcess {
  port: number;
  /** Drops every byte from now on (resolves once the relay has done it). */
  cut(): Promise<void>;
  /** Closes every connection and stops listening, as a killed server's host would. */
  close(): Promise<void>;
}

/** The relay in a child process (see ha-tcp-proxy-child.ts). */
export async function startProxyProcess(targetHost: string, targetPort: number): Promise<ProxyProcess> {
  const { fork } = await import("node:child_process");
  const child = fork(new URL("./ha-tcp-proxy-child.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TARGET_HOST: targetHost, TARGET_PORT: String(targetPort) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", () => reject(new Error("the proxy process exited before listening")));
  });
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        child.once("message", () => resolve());
        child.send("cut");
      }),
    async close() {
      if (child.exitCode === null && child.connected) child.send("close");
      await exited;
    },
  };
}
