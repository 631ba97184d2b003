// Two bridges under one lease, in this process, on a real PostgreSQL and a real Mosquitto: one
// leads and the other stands by; the standby answers reads and refuses writes naming the leader;
// `shipgate status` names who leads; a leader whose lease session is killed, or whose broker goes
// away, steps down at once (here the step down is recorded instead of exiting the process).
// Runs only with SHIPGATE_TEST_PG_URL (helpers/ha-postgres.ts); under CI=true its absence fails.

import test from "ava";
import { type RunningBridge, startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { storeUrlOf } from "../src/store-config";
import { STEP_DOWN_EXIT_CODE } from "../src/ha/bridge-role";
import { Leadership } from "../src/ha/leadership";
import { quietLog, runShipgate, startMosquitto, tempDir, waitFor } from "./helpers/bridge";
import { createTestDatabase, testPostgresUrl } from "./helpers/ha-postgres";

const pgUrl = testPostgresUrl();
const maybe = pgUrl === null ? test.skip : test.serial;

function bridgeUnderLease(id: string, storeUrl: string, brokerUrl: string, stateDir: string) {
  const checked = checkConfig({ state_dir: stateDir, broker: { url: brokerUrl }, http: { port: 0 }, store: { url: storeUrl } }, "<test>", stateDir);
  if (!checked.ok) throw new Error(`test config invalid: ${checked.field} ${checked.error}`);
  const config = checked.value;
  const stepDowns: string[] = [];
  // In place of exiting: drop the broker session at once, as the exit would.
  const stepDown = (reason: string) => {
    stepDowns.push(reason);
    void leadership.bridge?.context.link.close();
  };
  const leadership: Leadership = new Leadership({ url: storeUrl, id, log: quietLog, start: (ha) => startBridge({ config, ha, log: quietLog }), stepDown });
  return { leadership, stepDowns, bridge: (): RunningBridge => leadership.bridge as RunningBridge };
}

maybe("one bridge leads, the other stands by: reads answer, writes name the leader, status says who leads", async (t) => {
  t.timeout(60_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const state = tempDir("shipgate-ha-lead-");
  const a = bridgeUnderLease("pi-a", db.url, broker.url, state);
  t.teardown(() => a.leadership.stop());
  await a.leadership.start();
  await waitFor("pi-a to lead", () => a.leadership.lease.state.role === "leader" && a.bridge().context.status.snapshot().bridge);
  const b = bridgeUnderLease("pi-b", db.url, broker.url, state);
  t.teardown(() => b.leadership.stop());
  await b.leadership.start();

  const leaderStatus = (await (await fetch(`${a.bridge().httpUrl}/api/status`)).json()) as { bridge: { role: string; id: string; since: string } };
  t.is(leaderStatus.bridge.role, "leader");
  t.is(leaderStatus.bridge.id, "pi-a");
  const standby = (await (await fetch(`${b.bridge().httpUrl}/api/status`)).json()) as { bridge: { role: string; id: string; leader: { id: string; since: string } } };
  t.is(standby.bridge.role, "standby");
  t.is(standby.bridge.id, "pi-b");
  t.is(standby.bridge.leader.id, "pi-a");
  t.is(standby.bridge.leader.since, leaderStatus.bridge.since);

  // A write on the standby without an API token (a browser session): refused, naming the leader.
  const refused = await fetch(`${b.bridge().httpUrl}/api/admin/decide`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ decision: "approve" }) });
  t.is(refused.status, 503);
  const why = (await refused.json()) as { error: string; leader: { id: string; url: string } };
  t.regex(why.error, /pi-b\) is a standby.*bridge pi-a leads .* at http:\/\/127\.0\.0\.1:\d+; send it there/);
  t.is(why.leader.url, a.bridge().httpUrl);

  // With an API token it is forwarded to the leader, which carries it out and answers.
  const made = runShipgate(["user", "token", "admin"], { SHIPGATE_STORE_URL: storeUrlOf(a.bridge().config) as string, SHIPGATE_STATE_DIR: tempDir("shipgate-ha-token-") });
  t.is(await made.exit, 0, made.stderr());
  const token = /[A-Za-z0-9_-]{32,}/.exec(made.stdout())?.[0] as string;
  const forwarded = await fetch(`${b.bridge().httpUrl}/api/admin/mode`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ mode: "blocked", reason: "via the standby" }),
  });
  t.is(forwarded.status, 200, await forwarded.clone().text());
  t.is(forwarded.headers.get("x-shipgate-forwarded-by"), "pi-b");
  t.like(((await forwarded.json()) as { result: unknown }).result, { mode: "blocked", changed_by: "user:admin" });
  t.like(a.bridge().context.status.snapshot().mode, { mode: "blocked", reason: "via the standby" });

  // `shipgate status` reaches the leader over MQTT, whichever bridge's machine it runs on.
  const env = { SHIPGATE_BROKER_URL: broker.url, SHIPGATE_STATE_DIR: tempDir("shipgate-ha-cli-") };
  const json = runShipgate(["status", "--json", "--username", "ops"], env);
  t.is(await json.exit, 0, json.stderr());
  const parsed = JSON.parse(json.stdout()) as { bridge: { role: string; id: string; since: string } };
  t.like(parsed.bridge, { role: "leader", id: "pi-a", since: leaderStatus.bridge.since });
  const text = runShipgate(["status", "--username", "ops"], env);
  t.is(await text.exit, 0, text.stderr());
  t.regex(text.stdout(), /^bridge: pi-a leads since \d{4}-/m);
});

maybe("a leader whose lease session is killed steps down at once, and the standby takes over", async (t) => {
  t.timeout(60_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const broker = await startMosquitto();
  let brokerUp = true;
  t.teardown(() => (brokerUp ? broker.stop() : undefined));
  const state = tempDir("shipgate-ha-lose-");
  const a = bridgeUnderLease("pi-a", db.url, broker.url, state);
  t.teardown(() => a.leadership.stop());
  await a.leadership.start();
  await waitFor("pi-a to lead", () => a.leadership.lease.state.role === "leader");
  const b = bridgeUnderLease("pi-b", db.url, broker.url, state);
  t.teardown(() => b.leadership.stop());
  await b.leadership.start();
  const oldLeader = a.bridge();
  oldLeader.context.kv.set("ha-test", 1);

  await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'shipgate-lease:pi-a'");
  await waitFor("pi-a to step down", () => a.stepDowns.length > 0, 10_000);
  t.regex(a.stepDowns[0] as string, /lost the lease/);
  // From that moment its writes are refused by its own fence, before the process would even exit.
  t.throws(() => oldLeader.context.kv.set("ha-test", 2), { code: "FENCED_OUT" } as never);
  await waitFor("pi-b to lead", () => b.leadership.lease.state.role === "leader" && (b.bridge()?.context.status.snapshot().bridge as { role: string } | undefined)?.role === "leader", 10_000);

  // The broker goes away under the new leader: it steps down too (it can no longer hear requests).
  t.deepEqual(b.stepDowns, []);
  brokerUp = false;
  await broker.stop();
  await waitFor("pi-b to step down", () => b.stepDowns.length > 0, 10_000);
  t.regex(b.stepDowns[0] as string, /lost the broker connection/);
});

maybe(`the real process exits with ${STEP_DOWN_EXIT_CODE} when its lease is taken away, and says why`, async (t) => {
  t.timeout(60_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const env = { SHIPGATE_STORE_URL: db.url, SHIPGATE_BROKER_URL: broker.url, SHIPGATE_STATE_DIR: tempDir("shipgate-ha-exit-"), SHIPGATE_HTTP_PORT: "0", SHIPGATE_BRIDGE_ID: "pi-x" };
  const run = runShipgate(["start"], env);
  t.teardown(() => void run.child.kill("SIGKILL"));
  await waitFor("pi-x to lead", () => /bridge pi-x leads \(lease token 1/.test(run.stderr()) || run.child.exitCode !== null, 30_000);
  await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'shipgate-lease:pi-x'");
  t.is(await run.exit, STEP_DOWN_EXIT_CODE);
  t.regex(run.stdout(), /stepping down: lost the lease/);
});

maybe("a PostgreSQL store with the embedded broker: the bridge runs alone, and says a pair needs an external broker", async (t) => {
  t.timeout(60_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const env = { SHIPGATE_STORE_URL: db.url, SHIPGATE_STATE_DIR: tempDir("shipgate-ha-embedded-"), SHIPGATE_HTTP_PORT: "0", SHIPGATE_BROKER_PORT: "0" };
  const run = runShipgate(["start"], env);
  t.teardown(() => void run.child.kill("SIGKILL"));
  await waitFor("the bridge to listen", () => /dashboard and API on/.test(run.stderr()) || run.child.exitCode !== null, 30_000);
  t.regex(run.stderr(), /this bridge runs alone \(no lease\); a pair needs an external broker/);
  const leases = await db.admin.query("SELECT to_regclass('shipgate_lease') AS t");
  t.is(leases.rows[0]?.t, null, "no lease was taken");
});

test("with an external broker and an unreachable PostgreSQL, start fails with the store's one line and exits", async (t) => {
  t.timeout(30_000);
  const env = {
    SHIPGATE_STORE_URL: "postgres://shipgate:s3cret@127.0.0.1:1/shipgate",
    SHIPGATE_BROKER_URL: "mqtt://127.0.0.1:1",
    SHIPGATE_STATE_DIR: tempDir("shipgate-ha-nopg-"),
    SHIPGATE_HTTP_PORT: "0",
  };
  const run = runShipgate(["start"], env);
  t.is(await run.exit, 1);
  t.regex(run.stderr(), /^shipgate start: cannot open the PostgreSQL store postgres:\/\/shipgate:\*+@127\.0\.0\.1:1\/shipgate/m);
  t.notRegex(run.stderr() + run.stdout(), /s3cret/);
});

maybe("a paused leader (SIGSTOP) is replaced; woken up, it finds its lease and broker session gone and exits 75", async (t) => {
  t.timeout(90_000);
  const db = await createTestDatabase(pgUrl as string);
  t.teardown(() => db.drop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const start = (id: string) => {
    const run = runShipgate(["start"], { SHIPGATE_STORE_URL: db.url, SHIPGATE_BROKER_URL: broker.url, SHIPGATE_STATE_DIR: tempDir(), SHIPGATE_HTTP_PORT: "0", SHIPGATE_BRIDGE_ID: id });
    t.teardown(() => void run.child.kill("SIGKILL"));
    return run;
  };
  const a = start("pi-a");
  await waitFor("pi-a to lead", () => /bridge pi-a leads/.test(a.stderr()), 30_000);
  const b = start("pi-b");
  await waitFor("pi-b to stand by", () => /bridge pi-b is a standby/.test(b.stderr()), 30_000);
  a.child.kill("SIGSTOP");
  const paused = Date.now();
  await waitFor("pi-b to lead", () => /bridge pi-b leads \(lease token 2/.test(b.stderr()), 20_000);
  t.log(`takeover from a paused leader: ${Date.now() - paused} ms`);
  // A request while the old leader sleeps is the new leader's.
  const gate = runShipgate(["gate", "--pipeline", "api", "--step", "deploy", "--timeout", "1m"], { SHIPGATE_BROKER_URL: broker.url, SHIPGATE_STATE_DIR: tempDir() });
  await waitFor("the gate to wait", () => /waiting for approval/.test(gate.stderr()), 30_000);
  a.child.kill("SIGCONT");
  t.is(await a.exit, STEP_DOWN_EXIT_CODE, a.stdout().slice(-1500));
  t.regex(a.stdout(), /stepping down: lost the (lease|broker connection)/);
  const approve = runShipgate(["approve", "--username", "ops"], { SHIPGATE_BROKER_URL: broker.url, SHIPGATE_STATE_DIR: tempDir() });
  t.is(await approve.exit, 0, approve.stderr());
  t.is(await gate.exit, 0, gate.stderr());
  const rows = await db.admin.query<{ n: number }>("SELECT count(*)::int AS n FROM audit WHERE action = 'lock.approve'");
  t.is(rows.rows[0]?.n, 1);
});
