// The README's `npm start`: run at the repository root, it starts the bridge with the embedded
// broker, says where it listens, keeps state relative to where it was started, and stops cleanly.
import test from "ava";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { freePort, waitFor } from "./helpers/bridge";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("npm start at the root runs the bridge, prints where it listens, and stops on SIGINT", async (t) => {
  const state = mkdtempSync(path.join(tmpdir(), "shipgate-npm-start-"));
  const brokerPort = await freePort();
  const httpPort = await freePort();
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(brokerPort), SHIPGATE_HTTP_PORT: String(httpPort) },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so SIGINT reaches npm and the bridge together, as Ctrl-C in a terminal does.
    detached: true,
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  try {
    await waitFor("the bridge to listen", () => /dashboard and API on/.test(err), 60_000);
    t.regex(
      err,
      new RegExp(
        `^shipgate: MQTT broker listening on 0\\.0\\.0\\.0:${brokerPort} \\(every interface; from this machine mqtt://127\\.0\\.0\\.1:${brokerPort}\\) and ws://127\\.0\\.0\\.1:${httpPort}/mqtt$`,
        "m",
      ),
      "says where it really listens",
    );
    t.regex(err, new RegExp(`dashboard and API on http://127\\.0\\.0\\.1:${httpPort}/`));
    t.true(existsSync(path.join(state, "local-admin.json")), "the first start creates the local admin credential");
    const page = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    t.is(page.status, 200);
    const refused = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 0 }).then(
      async (c) => (await c.endAsync(), "connected"),
      (e: Error) => e.message,
    );
    t.regex(refused, /Not authorized/, "anonymous clients are refused");
  } finally {
    process.kill(-(child.pid as number), "SIGINT");
  }
  const ended = await exit;
  // npm re-raises the signal its script ended on; the bridge itself stopped cleanly.
  t.true(ended.code === 0 || ended.signal === "SIGINT", JSON.stringify(ended));
  t.regex(err, /stopping/);
  t.notRegex(err, /Error|error:/);
  const closed = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { reconnectPeriod: 0, connectTimeout: 1000 }).then(
    async (c) => (await c.endAsync(), "still open"),
    (e: Error) => e.message,
  );
  t.regex(closed, /ECONNREFUSED/, "the broker is gone with it");
});
