// `shipgate start` with a port already taken, as an operator meets it: the HTTP port (with MQTT
// over WebSocket on it, and without), the broker port, the TLS port. Each ends with exit 1 and one
// line naming the port, never a stack trace, and leaves no state behind: no state directory, no
// local admin credential, no first-start audit (the next, successful start is the first one).
import test from "ava";
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { freePort, runShipgate, tempDir } from "./helpers/bridge";

function occupy(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

function selfSigned(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "server.pem");
  const key = path.join(dir, "server.key");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert], { stdio: "pipe" });
  return { cert, key };
}

const cases = [
  { taken: "http", websocket: true, line: /^shipgate start: HTTP server cannot listen: port (\d+) on 127\.0\.0\.1 is already in use$/ },
  { taken: "http", websocket: false, line: /^shipgate start: HTTP server cannot listen: port (\d+) on 127\.0\.0\.1 is already in use$/ },
  { taken: "broker", websocket: true, line: /^shipgate start: MQTT broker cannot listen: port (\d+) on 127\.0\.0\.1 is already in use$/ },
  { taken: "tls", websocket: true, line: /^shipgate start: MQTT over TLS cannot listen: port (\d+) on 127\.0\.0\.1 is already in use$/ },
] as const;

for (const c of cases) {
  test.serial(`the ${c.taken} port taken${c.taken === "http" ? (c.websocket ? " (WebSocket on it)" : " (no WebSocket)") : ""}: one line, exit 1, no state`, async (t) => {
    const dir = tempDir("shipgate-busy-");
    const state = path.join(dir, "state");
    const ports = { broker: await freePort(), http: await freePort(), tls: await freePort() };
    const tls = selfSigned(dir);
    const config = path.join(dir, "shipgate.yml");
    writeFileSync(
      config,
      [
        `state_dir: ${state}`,
        `broker: { host: 127.0.0.1, port: ${ports.broker}, websocket: ${c.websocket}, tls_port: ${ports.tls}, tls: { cert: ${tls.cert}, key: ${tls.key} } }`,
        `http: { host: 127.0.0.1, port: ${ports.http} }`,
        "",
      ].join("\n"),
    );
    const blocker = await occupy(ports[c.taken], "127.0.0.1");
    try {
      const run = runShipgate(["start", "--config", config], { SHIPGATE_STATE_DIR: undefined, SHIPGATE_HTTP_PORT: undefined, SHIPGATE_BROKER_PORT: undefined });
      const code = await run.exit;
      const lines = run.stderr().trim().split("\n");
      t.is(code, 1, run.stderr());
      t.is(lines.length, 1, run.stderr());
      const m = c.line.exec(lines[0] ?? "");
      t.truthy(m, lines[0]);
      t.is(Number(m?.[1]), ports[c.taken]);
      t.notRegex(run.stderr() + run.stdout(), /\n\s+at |Unhandled|Emitted 'error'/);
      t.is(run.stdout(), "", "no log lines (the first-start audit) on a failed start");
      t.false(existsSync(state), "a failed start creates no state directory");
    } finally {
      blocker.close();
    }
  });
}

// The port-check above runs first; a port taken between it and the real listen still meets the
// WebSocket server attached to the HTTP server, which re-emits the HTTP server's error.
test("a port taken after the check: the HTTP listen error is one error, not an unhandled WebSocket 'error'", async (t) => {
  const { createHttpServer, listenHttp, HttpListenError } = await import("../src/http/http-server");
  const { openAuthorizer, startEmbeddedBroker } = await import("../src/broker/embedded-broker");
  const { quietLog } = await import("./helpers/bridge");
  const port = await freePort();
  const blocker = await occupy(port, "127.0.0.1");
  const http = createHttpServer({ host: "127.0.0.1", port, tls: null } as never, quietLog);
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, httpServer: http.server, authorizer: openAuthorizer, onMessage: () => {}, log: quietLog });
  try {
    const err = await t.throwsAsync(listenHttp(http, { host: "127.0.0.1", port } as never));
    t.true(err instanceof HttpListenError);
    t.is(err?.message, `HTTP server cannot listen: port ${port} on 127.0.0.1 is already in use`);
    await new Promise((r) => setTimeout(r, 50)); // an unhandled 'error' would fail the test here
  } finally {
    await broker.close();
    await http.close().catch(() => {});
    blocker.close();
  }
});

test.serial("an external broker that refuses the bridge: one line, exit 1, and the state it created is gone", async (t) => {
  const state = path.join(tempDir("shipgate-busy-"), "state");
  const closed = await freePort();
  const run = runShipgate(["start"], { SHIPGATE_STATE_DIR: state, SHIPGATE_HTTP_PORT: "0", SHIPGATE_BROKER_URL: `mqtt://127.0.0.1:${closed}`, SHIPGATE_CONFIG: undefined });
  t.is(await run.exit, 1, run.stderr());
  t.regex(run.stderr(), new RegExp(`^shipgate start: cannot use the external broker: connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}$`, "m"));
  t.notRegex(run.stderr(), /\n\s+at /);
  t.false(existsSync(state), "no state directory left behind");
});
