// Nothing listening on the broker port: an admin command says so at once (one line naming the URL,
// exit 3) instead of waiting out its connect timeout; `shipgate gate` says once that it is
// retrying, and goes on to ask for its lock when a bridge comes up on that port.
import test from "ava";
import { freePort, runShipgate, startTestBridge, tempDir, waitFor } from "./helpers/bridge";

const env = (port: number) => ({
  SHIPGATE_STATE_DIR: tempDir("shipgate-refused-"),
  SHIPGATE_BROKER_PORT: String(port),
  SHIPGATE_CONFIG: undefined,
  SHIPGATE_BROKER_URL: undefined,
  SHIPGATE_USERNAME: undefined,
});

for (const argv of [["status"], ["approve"], ["mode", "blocked"]]) {
  test(`shipgate ${argv.join(" ")}: a refused connection is one line naming the URL, exit 3`, async (t) => {
    const port = await freePort();
    const run = runShipgate(argv, env(port));
    t.is(await run.exit, 3);
    const lines = run.stderr().trim().split("\n");
    t.deepEqual(lines, [`shipgate ${argv[0]}: the broker at mqtt://127.0.0.1:${port} refused the connection (is the bridge running, on this port?)`]);
  });
}

test("shipgate gate: says once that it retries a refused connection, then asks when the bridge is up", async (t) => {
  const port = await freePort();
  const gate = runShipgate(["gate", "--pipeline", "api", "--step", "deploy-prod"], env(port));
  t.teardown(() => void gate.child.kill("SIGKILL"));
  await waitFor("the retry line", () => /retrying/.test(gate.stderr()), 8_000);
  t.is(gate.stderr().trim(), `shipgate gate: the broker at mqtt://127.0.0.1:${port} refused the connection (is the bridge running, on this port?); retrying for up to 10 s`);
  // Let a few backoff rounds pass (1 s, 2 s): still one line.
  await new Promise((r) => setTimeout(r, 2_500));
  t.is(gate.stderr().match(/retrying/g)?.length, 1, gate.stderr());
  const bridge = await startTestBridge({ config: { broker: { port } } });
  t.teardown(() => bridge.stop());
  await waitFor("the gate to ask", () => /waiting for approval/.test(gate.stderr()), 15_000);
  t.is(gate.stderr().match(/retrying/g)?.length, 1, gate.stderr());
});
