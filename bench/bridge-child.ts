// A bridge alone in its own process, so that its resident memory can be read without the benchmark's
// clients in it. Started by bridge-process.ts with ChildOptions as argv[2] (JSON); answers over IPC:
// {op:"memory"} (after two full GCs: --expose-gc) and {op:"stop"}.

import { startTestBridge } from "../broker-bridge/test/helpers/bridge";

export type ChildRequest = { op: "memory" } | { op: "stop" };
export type ChildReply = { op: "ready"; brokerUrl: string; httpUrl: string; stateDir: string } | { op: "memory"; rss: number; heapUsed: number; external: number } | { op: "failed"; error: string };

const send = (reply: ChildReply) => process.send?.(reply);

export interface ChildOptions {
  config: Record<string, unknown>;
}

try {
  const options = JSON.parse(process.argv[2] ?? "{}") as ChildOptions;
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
