// A bridge alone in its own process, so that its resident memory can be read without the benchmark's
// clients in it. Started by bridge-process.ts with ChildOptions as argv[2] (JSON); answers over IPC:
// {op:"memory"} (after two full GCs: --expose-gc) and {op:"stop"}.

import { startTestBridge } from "../broker-bridge/test/helpers/bridge";

export type ChildRequest = { op: "memory" } | { op: "stop" };
export type ChildReply =
  | { op: "ready"; brokerUrl: string; httpUrl: string; stateDir: string }
  | { op: "memory"; rss: number; heapUsed: number; external: number }
  | { op: "failed"; error: string };

const send = (reply: ChildReply) => process.send?.(reply);

import net from "node:net";

export interface ChildOptions {
  config: Record<string, unknown>;
  /**
   * Diagnosis only: turn Nagle's algorithm off (TCP_NODELAY) on every socket the bridge accepts or
   * opens (the embedded broker's clients, the external link), to show what the bridge would gain
   * from it. The product's sockets are measured without it.
   */
  noDelay: boolean;
}

function noDelayOnEverySocket(): void {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    this.setNoDelay(true); // Node keeps it until the socket connects
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  type Emit = (this: net.Server, event: string | symbol, ...args: unknown[]) => boolean;
  const emit = net.Server.prototype.emit as Emit;
  const patched: Emit = function (event, ...args) {
    if (event === "connection" && args[0] instanceof net.Socket) args[0].setNoDelay(true);
    return emit.call(this, event, ...args);
  };
  net.Server.prototype.emit = patched as typeof net.Server.prototype.emit;
}

try {
  const options = JSON.parse(process.argv[2] ?? "{}") as ChildOptions;
  if (options.noDelay) noDelayOnEverySocket();
  const bridge = await startTestBridge({ config: options.config });
  process.on("message", (request: ChildRequest) => {
    if (request.op === "memory") {
      const collect = (globalThis as { gc?: () => void }).gc;
      collect?.();
      collect?.();
      const m = process.memoryUsage();
      send({ op: "memory", rss: m.rss, heapUsed: m.heapUsed, external: m.external });
    } else if (request.op === "stop") {
      void bridge.stop().finally(() => process.exit(0));
    }
  });
  send({ op: "ready", brokerUrl: bridge.brokerUrl, httpUrl: bridge.httpUrl, stateDir: bridge.stateDir });
} catch (err) {
  send({ op: "failed", error: (err as Error).stack ?? String(err) });
  process.exit(1);
}
