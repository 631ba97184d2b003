// docs/gates.md runs as written: every shell block marked `sh test=<name>` is executed with bash
// against a real, secured bridge whose gadget decides, and the outputs the doc shows are compared
// with what the bridge really says. A doc that drifts from the product fails here.
import test from "ava";
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Mosquitto, SHIPGATE_BIN, startMosquitto, waitFor } from "./helpers/bridge";
import { type GateRig, run, startGateRig } from "./integrations-support";

const DOC = readFileSync(fileURLToPath(new URL("../../docs/gates.md", import.meta.url)), "utf8");

/** The tested blocks by name, each with the fenced block that follows it (its shown output). */
function blocks(doc: string): Map<string, { code: string; shownJson: string | null }> {
  const out = new Map<string, { code: string; shownJson: string | null }>();
  const fence = /```sh test=([a-z-]+)\n([\s\S]*?)```\n([\s\S]*?)(?=```sh test=|$)/g;
  for (const m of doc.matchAll(fence)) {
    const shown = /^\s*```json\n([\s\S]*?)```/.exec(m[3] ?? "");
    if (out.has(m[1] as string)) throw new Error(`two blocks named ${m[1]}`);
    out.set(m[1] as string, { code: m[2] as string, shownJson: shown?.[1] ?? null });
  }
  return out;
}

const BLOCKS = blocks(DOC);

function block(name: string): string {
  const b = BLOCKS.get(name);
  if (b === undefined) throw new Error(`docs/gates.md has no block sh test=${name}`);
  return b.code;
}

function binDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "shipgate-path-"));
  symlinkSync(SHIPGATE_BIN, path.join(dir, "shipgate"));
  return dir;
}

/** Runs the setup block and then the named block in one bash, as a reader pastes them. */
function runBlock(g: GateRig, name: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), "docs-gates-"));
  const env = {
    SHIPGATE_HOST: g.host,
    SHIPGATE_PORT: String(g.port),
    SHIPGATE_USERNAME: g.pipelineUser.username,
    SHIPGATE_PASSWORD: g.pipelineUser.password,
    SHIPGATE_BROKER_URL: g.brokerUrl,
    PATH: `${binDir()}:${process.env.PATH}`,
    ...extraEnv,
  };
  const script = `${block("setup")}\n${block(name)}`;
  const decision = () => JSON.parse(readFileSync(path.join(cwd, "decision.json"), "utf8")) as Record<string, unknown>;
  return run("bash", ["-c", script], { env, cwd, timeoutMs: 60_000 }).then((ran) => ({ ...ran, cwd, decision }));
}

test("the doc's tested blocks are the ones this test knows", (t) => {
  t.deepEqual([...BLOCKS.keys()].sort(), ["ask", "cancel", "gate", "mode", "refused", "setup"]);
});

test.serial("shipgate gate as the doc shows it; the exit codes and record file", async (t) => {
  const g = await startGateRig();
  try {
    const gate = await runBlock(g, "gate");
    t.is(gate.code, 0, gate.stderr);
    t.regex(gate.stderr, /^shipgate: api\/deploy-prod waiting for approval \(position 1\)$/m);
    t.regex(gate.stderr, /^shipgate: api\/deploy-prod approved by gadget:desk-1$/m);
    const record = gate.decision();
    const shown = /### The `--record` file[\s\S]*?```json\n([\s\S]*?)```/.exec(DOC)?.[1];
    t.deepEqual(Object.keys(record).sort(), Object.keys(JSON.parse(shown ?? "{}") as object).sort(), "the record shown has the real record's fields");
    t.like(record, { pipeline: "api", step: "deploy-prod", state: "approved", decided_by: "gadget:desk-1", mode: "default" });

    const mode = await runBlock(g, "mode");
    t.is(mode.code, 0, mode.stderr);
    t.like(JSON.parse(mode.stdout), { mode: "default", changed_by: "default", until: null });
    t.deepEqual(Object.keys(JSON.parse(mode.stdout) as object).sort(), Object.keys(JSON.parse(BLOCKS.get("mode")?.shownJson ?? "{}") as object).sort());
  } finally {
    await g.stop();
  }
});

for (const kind of ["embedded", "mosquitto"] as const) {
  test.serial(`${kind}: the mosquitto_pub/mosquitto_sub flow asks, waits, and exits like shipgate gate`, async (t) => {
    let mosquitto: Mosquitto | null = null;
    if (kind === "mosquitto") mosquitto = await startMosquitto(["allow_anonymous true"]);
    const g = await startGateRig(mosquitto ? { broker: { url: mosquitto.url } } : {});
    try {
      const approved = await runBlock(g, "ask");
      t.is(approved.code, 0, approved.stderr);
      t.regex(approved.stderr, /^shipgate: pending /m);
      t.regex(approved.stderr, /^shipgate: approved /m);
      t.like(approved.decision(), { pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice", state: "approved", decided_by: "gadget:desk-1" });

      g.desk.decision = "reject";
      const rejected = await runBlock(g, "ask");
      t.is(rejected.code, 1, rejected.stderr);
      t.like(rejected.decision(), { state: "rejected" });

      // Nobody decides: the cancel block withdraws the lock the waiting flow asked for.
      g.desk.decision = null;
      const known = new Set(g.states.keys());
      const waiting = runBlock(g, "ask");
      const id = await waitFor("the flow's pending lock", () => [...g.states.values()].find((l) => !known.has(l.id) && l.state === "pending")?.id);
      const cancel = await runBlock(g, "cancel", { ID: id });
      t.is(cancel.code, 0, cancel.stderr);
      const cancelled = await waiting;
      t.is(cancelled.code, 1, cancelled.stderr);
      t.regex(cancelled.stderr, /^shipgate: cancelled cancelled by its pipeline$/m);

      const refused = await runBlock(g, "refused");
      t.is(refused.code, 0, refused.stderr);
      t.deepEqual(JSON.parse(refused.stdout), JSON.parse(BLOCKS.get("refused")?.shownJson ?? "null"), "the error the doc shows is the bridge's");
    } finally {
      await g.stop();
      await mosquitto?.stop();
    }
  });
}
