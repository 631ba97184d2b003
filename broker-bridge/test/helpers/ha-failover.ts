// The failover storm: two real bridge processes on one PostgreSQL store and one external broker
// (Mosquitto, or the nodes of a NATS cluster), real `shipgate gate` processes waiting, decisions
// from an admin client and from `shipgate approve/reject`, and the leader SIGKILLed again and
// again; each killed bridge is started again as the new standby. Takeovers are timed from the
// kill to the new leader's "online" on the bridge's availability topic.

import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { type Spawned, freePort, runShipgate, tempDir, waitFor } from "./bridge";
import { seeded } from "./seeded";
import { topics } from "../security-support";

export interface StormOptions {
  /** Each bridge connects to the next URL in turn (one per cluster node, or the one broker). */
  brokerUrls: string[];
  storeUrl: string;
  kills: number;
  gates: number;
  seed: number;
  /** One state directory for every bridge (default: one each, as on separate machines). */
  stateDir?: string;
}

export interface StormGate {
  id: string;
  run: Spawned;
  code: number | null;
  decided: "approve" | "reject" | null;
}

export interface StormResult {
  gates: StormGate[];
  takeoversMs: number[];
  bridgeLogs: string[];
  cliDecisions: number;
}

interface Bridge {
  id: string;
  run: Spawned;
}

export async function runStorm(options: StormOptions, teardown: (fn: () => Promise<void> | void) => void): Promise<StormResult> {
  const random = seeded(options.seed);
  const ADMIN = "ops";
  const baseEnv = { SHIPGATE_STORE_URL: options.storeUrl, SHIPGATE_LOG_LEVEL: "info" };
  const bridges: Bridge[] = [];
  const logs: string[] = [];
  let started = 0;
  const startBridge = async (): Promise<Bridge> => {
    const n = started++;
    const id = `node-${n}`;
    const env = {
      ...baseEnv,
      SHIPGATE_BRIDGE_ID: id,
      SHIPGATE_STATE_DIR: options.stateDir ?? tempDir(`shipgate-ha-${id}-`),
      SHIPGATE_BROKER_URL: options.brokerUrls[n % options.brokerUrls.length],
      SHIPGATE_HTTP_PORT: String(await freePort()),
    };
    const b = { id, run: runShipgate(["start"], env) };
    bridges.push(b);
    void b.run.exit.then(() =>
      logs.push(
        `--- ${id} exit ${b.run.child.exitCode ?? b.run.child.signalCode}\n${b.run.stderr().slice(-3000)}\n${b.run
          .stdout()
          .split("\n")
          .filter((l) => /lease|leading|standby|stepping/.test(l))
          .join("\n")}`,
      ),
    );
    await waitFor(`${id} to run`, () => /leads \(lease token|is a standby/.test(b.run.stderr()) || b.run.child.exitCode !== null, 30_000, 20);
    if (b.run.child.exitCode !== null) throw new Error(`${id} exited: ${b.run.stderr()}`);
    return b;
  };
  teardown(async () => {
    for (const b of bridges) if (b.run.child.exitCode === null && b.run.child.signalCode === null) b.run.child.kill("SIGKILL");
  });

  // Who is live, as the availability topic says: the watcher times each takeover.
  const watcher: MqttClient = await mqtt.connectAsync(options.brokerUrls[0] as string, { clientId: `watcher-${randomUUID().slice(0, 8)}`, reconnectPeriod: 100 });
  teardown(() => watcher.endAsync(true));
  let live: { bridge: string; at: number } | null = null;
  watcher.on("message", (_topic, payload) => {
    const s = JSON.parse(payload.toString() || "{}") as { state?: string; bridge?: string };
    live = s.state === "online" && typeof s.bridge === "string" ? { bridge: s.bridge, at: performance.now() } : null;
  });
  await watcher.subscribeAsync(topics.bridgeStatus(), { qos: 1 });

  const first = await startBridge();
  await waitFor("a first leader", () => live?.bridge === first.id, 20_000);
  await startBridge();

  const decider: MqttClient = await mqtt.connectAsync(options.brokerUrls[1 % options.brokerUrls.length] as string, { clientId: `decider-${randomUUID().slice(0, 8)}`, reconnectPeriod: 100 });
  teardown(() => decider.endAsync(true));
  const decide = (gate: StormGate, decision: "approve" | "reject") => {
    gate.decided ??= decision;
    void decider.publish(topics.adminCommand(ADMIN, "decide"), JSON.stringify({ correlation: randomUUID().slice(0, 8), decision, id: gate.id }), { qos: 1 });
  };
  const cli: Spawned[] = [];
  const decideByCli = (gate: StormGate, decision: "approve" | "reject") => {
    gate.decided ??= decision;
    const env = { SHIPGATE_BROKER_URL: options.brokerUrls[2 % options.brokerUrls.length], SHIPGATE_STATE_DIR: tempDir("shipgate-ha-cli-") };
    cli.push(runShipgate([decision, gate.id, "--username", ADMIN], env));
  };

  const gates: StormGate[] = [];
  const launch = () => {
    const id = randomUUID();
    const env = { SHIPGATE_BROKER_URL: options.brokerUrls[gates.length % options.brokerUrls.length], SHIPGATE_STATE_DIR: tempDir("shipgate-ha-gate-") };
    const run = runShipgate(["gate", "--pipeline", `p${gates.length % 3}`, "--step", "deploy", "--id", id, "--timeout", "30m"], env);
    const gate: StormGate = { id, run, code: null, decided: null };
    void run.exit.then((code) => (gate.code = code));
    gates.push(gate);
  };

  const takeovers: number[] = [];
  const perKill = options.gates / options.kills;
  for (let k = 0; k < options.kills; k++) {
    while (gates.length < Math.min(options.gates, Math.round((k + 1) * perKill))) launch();
    // A few decisions in flight around the kill: some before, some during the takeover.
    const open = gates.filter((g) => g.decided === null);
    const pick = () => open.splice(Math.floor(random() * open.length), 1)[0];
    const before = pick();
    if (before) (k % 5 === 0 ? decideByCli : decide)(before, random() < 0.5 ? "approve" : "reject");
    await new Promise((r) => setTimeout(r, random() * 150));
    const leader = bridges.find((b) => b.id === (live as { bridge: string } | null)?.bridge && b.run.child.exitCode === null);
    if (leader === undefined) throw new Error(`no live leader before kill ${k + 1}`);
    const killedAt = performance.now();
    leader.run.child.kill("SIGKILL");
    const during = pick();
    if (during) decide(during, random() < 0.5 ? "approve" : "reject");
    // The killed bridge comes back as the new standby (as systemd would restart it) while the
    // other one takes over.
    const restart = leader.run.exit.then(() => startBridge());
    const next = await waitFor(`a new leader after kill ${k + 1}`, () => (live !== null && live.bridge !== leader.id && live.at > killedAt ? live : null), 20_000, 5);
    takeovers.push(Math.round(next.at - killedAt));
    await restart;
  }

  // Settle: decide whatever is still open until every gate has exited.
  await waitFor(
    "every gate to get its answer",
    async () => {
      for (const g of gates.filter((x) => x.code === null)) decide(g, g.decided ?? (random() < 0.5 ? "approve" : "reject"));
      await new Promise((r) => setTimeout(r, 500));
      return gates.every((g) => g.code !== null);
    },
    60_000,
    10,
  );
  await Promise.all(cli.map((c) => c.exit));
  for (const b of bridges) if (b.run.child.exitCode === null) b.run.child.kill("SIGTERM");
  await Promise.all(bridges.map((b) => b.run.exit));
  return { gates, takeoversMs: takeovers, bridgeLogs: logs, cliDecisions: cli.length };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}
