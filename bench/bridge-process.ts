// The parent's side of bridge-child.ts: start a bridge in a child process, ask it for its memory,
// stop it. The child inherits the tsx loader from this process's execArgv (npm run bench runs
// `node --import tsx`), plus --expose-gc so that a memory reading is taken after a full collection.

import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildOptions, ChildReply, ChildRequest } from "./bridge-child";

const CHILD = fileURLToPath(new URL("./bridge-child.ts", import.meta.url));

export interface BridgeProcess {
  brokerUrl: string;
  stateDir: string;
  pid: number;
  /** Resident set and V8 heap in bytes, after two full GCs in the child. */
  memory(): Promise<{ rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

export async function startBridgeProcess(config: Record<string, unknown>): Promise<BridgeProcess> {
  const options: ChildOptions = { config };
  const execArgv = process.execArgv.includes("--expose-gc") ? process.execArgv : [...process.execArgv, "--expose-gc"];
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, SHIPGATE_TEST_LOG: process.env.BENCH_BRIDGE_LOG ?? "silent" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const next = <K extends ChildReply["op"]>(op: K): Promise<Extract<ChildReply, { op: K }>> =>
    new Promise((resolve, reject) => {
      const done = () => {
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      const onMessage = (reply: ChildReply) => {
        if (reply.op === "failed") {
          done();
          reject(new Error(`bench bridge process failed: ${reply.error}`));
        } else if (reply.op === op) {
          done();
          resolve(reply as Extract<ChildReply, { op: K }>);
        }
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`bench bridge process exited (${code}) while waiting for "${op}"`));
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
    });
  const ready = await next("ready");
  const ask = (request: ChildRequest) => child.send(request);
  return {
    brokerUrl: ready.brokerUrl,
    stateDir: ready.stateDir,
    pid: child.pid ?? -1,
    async memory() {
      const answer = next("memory");
      ask({ op: "memory" });
      const m = await answer;
      return { rss: m.rss, heapUsed: m.heapUsed };
    },
    async stop() {
      if (child.exitCode !== null) return;
      ask({ op: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
