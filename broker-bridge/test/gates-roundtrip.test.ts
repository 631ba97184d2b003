// Full round trips through a real broker: `shipgate gate` (the real executable) asks, a gadget
// (a real MQTT client speaking the gadget protocol) or an admin decides, the CLI exits with the
// contract's code and writes its record. Once on the embedded broker and once on Mosquitto.
import test, { type ExecutionContext } from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { MqttClient } from "mqtt";
import { DEFAULT_PREFIX, type GadgetEvent, type LockState, Topics } from "@shipgate/protocol";
import { type Mosquitto, connectClient, runShipgate, startMosquitto, startTestBridge, waitFor } from "./helpers/bridge";

const topics = new Topics(DEFAULT_PREFIX);

interface Rig {
  brokerUrl: string;
  stateDir: string;
  gadget(id: string): Promise<Gadget>;
  lockState(id: string): Promise<LockState | undefined>;
  close(): Promise<void>;
}

interface Gadget {
  press(button: GadgetEvent["button"], gesture: GadgetEvent["gesture"], lockId?: string): Promise<void>;
  client: MqttClient;
}

async function rig(kind: "embedded" | "mosquitto", config: Record<string, unknown> = {}): Promise<Rig> {
  let mosquitto: Mosquitto | null = null;
  if (kind === "mosquitto") mosquitto = await startMosquitto();
  const bridge = await startTestBridge({ config: mosquitto ? { ...config, broker: { url: mosquitto.url } } : config });
  const clients: MqttClient[] = [];
  const watcher = await connectClient(bridge.brokerUrl);
  clients.push(watcher);
  const states = new Map<string, LockState>();
  watcher.on("message", (topic, payload) => {
    const parsed = topics.parse(topic);
    if (parsed.kind === "lock-state" && payload.length > 0) states.set(parsed.id, JSON.parse(payload.toString()) as LockState);
  });
  await watcher.subscribeAsync(topics.allLockStates(), { qos: 1 });
  return {
    brokerUrl: bridge.brokerUrl,
    stateDir: bridge.stateDir,
    async gadget(id) {
      const client = await connectClient(bridge.brokerUrl, { clientId: `gadget-${id}`, will: { topic: topics.gadgetStatus(id), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true } });
      clients.push(client);
      await client.publishAsync(topics.gadgetStatus(id), '{"state":"online","version":"test"}', { qos: 1, retain: true });
      let seq = 0;
      return {
        client,
        async press(button, gesture, lockId) {
          const event: GadgetEvent = { button, gesture, boot: 1, seq: ++seq };
          if (lockId) event.lock_id = lockId;
          await client.publishAsync(topics.gadgetEvent(id), JSON.stringify(event), { qos: 1 });
        },
      };
    },
    lockState: async (id) => states.get(id),
    async close() {
      await Promise.all(clients.map((c) => c.endAsync()));
      await bridge.stop();
      await mosquitto?.stop();
    },
  };
}

function gate(r: Rig, args: string[], id = randomUUID()) {
  const record = path.join(r.stateDir, `record-${id}.json`);
  const run = runShipgate(["gate", "--id", id, "--record", record, ...args], { SHIPGATE_BROKER_URL: r.brokerUrl, SHIPGATE_STATE_DIR: r.stateDir });
  return { ...run, id, record: () => JSON.parse(readFileSync(record, "utf8")) as Record<string, unknown> };
}

async function pendingLock(t: ExecutionContext, r: Rig, id: string): Promise<LockState> {
  const lock = await waitFor(
    `lock ${id} pending`,
    async () => {
      const s = await r.lockState(id);
      return s?.state === "pending" ? s : undefined;
    },
    30_000,
  );
  t.is(lock.position !== null && lock.position >= 1, true);
  return lock;
}

for (const kind of ["embedded", "mosquitto"] as const) {
  test.serial(`${kind}: a gadget approves the lock it shows; the CLI exits 0 and writes the record`, async (t) => {
    const r = await rig(kind);
    try {
      const desk = await r.gadget("desk-1");
      const g = gate(r, ["--pipeline", "api", "--step", "deploy-prod", "--summary", "v1.4.2 by alice"]);
      const lock = await pendingLock(t, r, g.id);
      t.is(lock.summary, "v1.4.2 by alice");
      await desk.press("approve", "short", g.id);
      t.is(await g.exit, 0, g.stderr());
      const record = g.record();
      t.like(record, { id: g.id, pipeline: "api", step: "deploy-prod", state: "approved", decided_by: "gadget:desk-1", mode: "default" });
      t.true(typeof record.time_locked_ms === "number" && record.time_locked_ms >= 0);
      t.regex(g.stderr(), /waiting for approval \(position 1\)/);
      t.regex(g.stderr(), /approved by gadget:desk-1/);
    } finally {
      await r.close();
    }
  });

  test.serial(`${kind}: reject exits 1, expiry exits 2, and Ctrl-C cancels the lock`, async (t) => {
    const r = await rig(kind);
    try {
      const desk = await r.gadget("desk-1");
      const rejected = gate(r, ["--pipeline", "api", "--step", "deploy-prod"]);
      await pendingLock(t, r, rejected.id);
      await desk.press("reject", "short", rejected.id);
      t.is(await rejected.exit, 1);
      t.is(rejected.record().state, "rejected");

      const expiring = gate(r, ["--pipeline", "api", "--step", "deploy-prod", "--timeout", "2s"]);
      t.is(await expiring.exit, 2, expiring.stderr());
      t.like(expiring.record(), { state: "expired", decided_by: "timeout" });

      const cancelled = gate(r, ["--pipeline", "api", "--step", "deploy-prod"]);
      await pendingLock(t, r, cancelled.id);
      cancelled.child.kill("SIGINT");
      t.is(await cancelled.exit, 130);
      const state = await waitFor("cancelled state", async () => ((await r.lockState(cancelled.id))?.state === "cancelled" ? true : undefined));
      t.true(state);
    } finally {
      await r.close();
    }
  });

  test.serial(`${kind}: released mode approves at once, blocked mode rejects at once (gadget buttons)`, async (t) => {
    const r = await rig(kind);
    try {
      const desk = await r.gadget("desk-1");
      const modeMsg = async (mode: string) => {
        const c = await connectClient(r.brokerUrl);
        const got = new Promise<void>((resolve) =>
          c.on("message", (_t, p) => {
            if (JSON.parse(p.toString()).mode === mode) resolve();
          }),
        );
        await c.subscribeAsync(topics.mode(), { qos: 1 });
        await got;
        await c.endAsync();
      };
      await desk.press("release", "short");
      await modeMsg("released");
      const g1 = gate(r, ["--pipeline", "api", "--step", "deploy-prod"]);
      t.is(await g1.exit, 0, g1.stderr());
      t.like(g1.record(), { state: "approved", decided_by: "mode:released", mode: "released" });
      await desk.press("reject", "long");
      await modeMsg("blocked");
      const g2 = gate(r, ["--pipeline", "api", "--step", "deploy-prod"]);
      t.is(await g2.exit, 1);
      t.like(g2.record(), { state: "rejected", decided_by: "mode:blocked", mode: "blocked" });
      await desk.press("approve", "long");
      await modeMsg("default");
    } finally {
      await r.close();
    }
  });

  test.serial(`${kind}: a freeze window rejects with its name, and the two-person rule needs two gadgets`, async (t) => {
    // A freeze window that covers the whole week except one minute keeps this test independent of the clock.
    const now = new Date();
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const from = new Date(now.getTime() - 60_000);
    const to = new Date(now.getTime() - 120_000);
    const hm = (d: Date) => `${days[d.getUTCDay()]} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
    const frozen = await rig(kind, { gates: { timezone: "UTC", freeze: [{ name: "test-freeze", from: hm(from), to: hm(to) }] } });
    try {
      const g = gate(frozen, ["--pipeline", "api", "--step", "deploy-prod"]);
      t.is(await g.exit, 1);
      t.like(g.record(), { state: "rejected", decided_by: "freeze:test-freeze", mode: "blocked" });
    } finally {
      await frozen.close();
    }
    const r = await rig(kind, { gadgets: { a: {}, b: {} }, gates: { rules: [{ pipeline: "api", step: "deploy-*", approvals: 2 }] } });
    try {
      const a = await r.gadget("a");
      const b = await r.gadget("b");
      const g = gate(r, ["--pipeline", "api", "--step", "deploy-prod"]);
      await pendingLock(t, r, g.id);
      await a.press("approve", "short", g.id);
      const half = await waitFor("first approval", async () => {
        const s = await r.lockState(g.id);
        return s?.approved_by?.length === 1 ? s : undefined;
      });
      t.is(half.state, "pending");
      t.regex(half.reason ?? "", /needs 1 more approval/);
      await a.press("approve", "short", g.id);
      await b.press("approve", "short", g.id);
      t.is(await g.exit, 0, g.stderr());
      t.like(g.record(), { state: "approved", decided_by: "gadget:a,gadget:b" });
      t.regex(g.stderr(), /needs 1 more approval/);
    } finally {
      await r.close();
    }
  });
}

test.serial("an admin approves and rejects from the terminal (the head of the queue, or a given lock)", async (t) => {
  const r = await rig("embedded");
  try {
    const env = { SHIPGATE_BROKER_URL: r.brokerUrl, SHIPGATE_STATE_DIR: r.stateDir };
    const first = gate(r, ["--pipeline", "api", "--step", "one"]);
    await pendingLock(t, r, first.id);
    const second = gate(r, ["--pipeline", "api", "--step", "two"]);
    await pendingLock(t, r, second.id);
    const rej = runShipgate(["reject", second.id, "--reason", "not today"], env);
    t.is(await rej.exit, 0, rej.stderr());
    t.is(await second.exit, 1);
    t.like(second.record(), { state: "rejected" });
    const app = runShipgate(["approve"], env);
    t.is(await app.exit, 0, app.stderr());
    t.regex(app.stdout(), /api\/one .* approved/);
    t.is(await first.exit, 0);
    const none = runShipgate(["approve"], env);
    t.is(await none.exit, 1);
    t.regex(none.stderr(), /no lock is pending/);
  } finally {
    await r.close();
  }
});
