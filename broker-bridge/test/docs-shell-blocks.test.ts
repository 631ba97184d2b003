// Every shell block in README.md, docs/*.md and the other READMEs is accounted for, and the ones a reader runs on
// their own machine run here as written, with bash, against a real `shipgate start`:
//   ```sh test=NAME   docs/gates.md's blocks, run by docs-gates.test.ts (with their shown output)
//   ```sh run=NAME    run below, line by line as a reader pastes them
//   ```sh run=npm-start  `npm start`, run by npm-start.test.ts (`npm ci` would reinstall the
//                        node_modules every test shares)
//   ```sh run=server  docs/deploy.md's root and systemd steps on a Debian server (its unit and
//                     paths are checked by docs-deploy.test.ts)
//   ```sh run=server  also docs/presence.md's systemd timer (root, systemd; its unit's command
//                     line runs in deploy-presence-timer.test.ts) and docs/deploy.md's rollback
//   ```sh run=device  mcconfig for a real ESP32 or the SDK's simulator (the Moddable SDK is not
//                     installed here)
//   ```sh run=docker  integrations/concourse/README.md's image build (a Docker daemon and the
//                     registry's base image; the resource it packs runs in integrations-*.test.ts)
// A new block without a known tag fails the first test, so no block goes untried unnoticed.
import test from "ava";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { signEvent, topics } from "./security-support";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOCS = [
  "README.md",
  "firmware/README.md",
  "hardware/README.md",
  "integrations/concourse/README.md",
  "tools/xs/README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const RUN_HERE = ["readme-commands", "gates-modes", "security-users", "security-mosquitto", "audit-export", "presence-beat", "presence-account", "presence-list", "homeassistant-account"];
const ELSEWHERE = ["npm-start", "server", "device", "docker"];

interface Block {
  doc: string;
  tag: string;
  code: string;
}

function shellBlocks(): Block[] {
  const out: Block[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    for (const m of text.matchAll(/^```(?:sh|bash|shell|console)([^\n]*)\n([\s\S]*?)^```$/gm)) out.push({ doc, tag: (m[1] ?? "").trim(), code: m[2] as string });
  }
  return out;
}

const BLOCKS = shellBlocks();
const block = (name: string): Block => {
  const found = BLOCKS.filter((b) => b.tag === `run=${name}`);
  if (found.length !== 1) throw new Error(`${found.length} blocks tagged run=${name}`);
  return found[0] as Block;
};
/** A block's commands, comments and blank lines dropped, a line ending in `\` joined with the
 *  next (a reader pastes them one by one). */
const lines = (b: Block) => {
  const out: string[] = [];
  for (const l of b.code
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, ""))
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))) {
    const last = out.at(-1);
    if (last?.endsWith("\\")) out[out.length - 1] = `${last.slice(0, -1)} ${l.trim()}`;
    else out.push(l);
  }
  return out;
};

test("every shell block in README.md and docs/ is run by a test, or says why it cannot be", (t) => {
  t.true(BLOCKS.length >= 20, `${BLOCKS.length} blocks`);
  for (const b of BLOCKS) {
    const ok = (b.doc === "docs/gates.md" && /^test=[a-z-]+$/.test(b.tag)) || RUN_HERE.includes(b.tag.slice(4)) || ELSEWHERE.includes(b.tag.slice(4));
    t.true(ok && (b.tag.startsWith("run=") || b.tag.startsWith("test=")), `${b.doc}: a shell block tagged "${b.tag}" that no test runs:\n${b.code}`);
  }
  for (const name of RUN_HERE) t.notThrows(() => block(name));
});

interface Rig {
  env: NodeJS.ProcessEnv;
  state: string;
  stop(): Promise<void>;
}

async function startBridge(): Promise<Rig> {
  const state = tempDir("shipgate-docs-");
  const env = { ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(await freePort()), SHIPGATE_HTTP_PORT: String(await freePort()), SHIPGATE_CONFIG: undefined };
  const bridge = runShipgate(["start"], env, ROOT);
  await waitFor("the bridge to listen", () => /dashboard and API on/.test(bridge.stderr()), 60_000);
  return { env, state, stop: async () => void (bridge.child.kill("SIGTERM"), await bridge.exit) };
}

function bash(line: string, env: NodeJS.ProcessEnv, cwd = ROOT): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn("bash", ["-c", line], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return { child, done: new Promise((resolve) => child.once("exit", (code) => resolve({ code, out, err }))) };
}

/** `shipgate` on PATH, as the docs outside the README call it. */
function withShipgateOnPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${path.join(ROOT, "node_modules/.bin")}:${env.PATH}` };
}

test.serial("README: the commands block, line by line (the gadget line runs in readme-onboarding.test.ts)", async (t) => {
  const rig = await startBridge();
  t.teardown(() => rig.stop());
  const [gateLine, gadgetLine, ...rest] = lines(block("readme-commands"));
  t.regex(gadgetLine ?? "", /^npx shipgate gadget --id desk-1\s*$/);
  const gate = bash(gateLine as string, rig.env);
  t.teardown(() => void gate.child.kill());
  let gateErr = "";
  gate.child.stderr?.on("data", (d: Buffer) => (gateErr += d.toString()));
  await waitFor("the gate to wait", () => /waiting for approval/.test(gateErr), 30_000);
  const expected: [RegExp, RegExp][] = [
    [/^npx shipgate status/, /^pending locks: 1$/m],
    [/^npx shipgate approve/, /^api\/deploy-prod \(.*\) approved$/m],
    [/^npx shipgate mode released --until 2h/, /^mode released until \d{4}-/m],
    [/^npx shipgate mode default/, /^mode default$/m],
  ];
  t.is(rest.length, expected.length, rest.join("\n"));
  for (const [i, line] of rest.entries()) {
    const [shape, shows] = expected[i] as [RegExp, RegExp];
    t.regex(line, shape);
    const ran = await bash(line, rig.env).done;
    t.is(ran.code, 0, `${line}\n${ran.err}`);
    t.regex(ran.out, shows, line);
  }
  const gated = await gate.done;
  t.is(gated.code, 0, gated.err);
  t.regex(gated.err, /approved by user:admin$/m);
});

test.serial("docs/gates.md: the mode block runs as written", async (t) => {
  const rig = await startBridge();
  t.teardown(() => rig.stop());
  const ran = await bash(block("gates-modes").code, withShipgateOnPath(rig.env)).done;
  t.is(ran.code, 0, ran.err);
  t.deepEqual(
    ran.out
      .trim()
      .split("\n")
      .map((l) => l.split(" ").slice(0, 2).join(" ")),
    ["mode released", "mode blocked", "mode default"],
  );
});

test.serial("docs/security.md: the users block runs as written, each line succeeding", async (t) => {
  const state = tempDir("shipgate-docs-");
  const env = withShipgateOnPath({ ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_CONFIG: undefined });
  const ran = await bash(`set -e\n${block("security-users").code}`, env, state).done;
  t.is(ran.code, 0, ran.err);
  t.regex(ran.out, /^added gadget desk-1$/m);
  t.regex(ran.out, /^added admin deployer$/m);
  t.regex(ran.out, /^removed ci /m);
  t.true(existsSync(path.join(state, "gadget-secrets", "desk-1")));
});

test.serial("docs/security.md: the Mosquitto block runs as written (into a temporary --dir, not /etc)", async (t) => {
  const state = tempDir("shipgate-docs-");
  const dir = path.join(tempDir("shipgate-docs-"), "mosquitto");
  const env = withShipgateOnPath({ ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_CONFIG: undefined });
  const code = block("security-mosquitto").code;
  t.true(code.includes("--dir /etc/mosquitto/shipgate"));
  const ran = await bash(`set -e\n${code.replaceAll("/etc/mosquitto/shipgate", dir)}`, env, state).done;
  t.is(ran.code, 0, ran.err);
  for (const f of ["password_file", "acl_file", "mosquitto.conf"]) t.true(existsSync(path.join(dir, f)), f);
  t.notRegex(ran.out, /note: add the bridge's own account first/);
});

/** The reader's bridge listens on 8080; the test's on a free port. */
const onPort = (line: string, rig: Rig) => line.replaceAll("127.0.0.1:8080", `127.0.0.1:${rig.env.SHIPGATE_HTTP_PORT}`);

test.serial("docs/audit.md: the export block runs as written, after a gadget's approval and a person's rejection", async (t) => {
  const rig = await startBridge();
  t.teardown(() => rig.stop());
  const env = withShipgateOnPath(rig.env);
  // A real gadget account approves one lock with a signed press; the local admin rejects another.
  const added = await bash("shipgate user add desk-1 --role gadget", env).done;
  t.is(added.code, 0, added.err);
  const password = /^password: (\S+)$/m.exec(added.out)?.[1] as string;
  const secret = /^secret: ([0-9a-f]{64})$/m.exec(added.out)?.[1] as string;
  const { default: mqtt } = await import("mqtt");
  const desk = await mqtt.connectAsync(`mqtt://127.0.0.1:${rig.env.SHIPGATE_BROKER_PORT}`, { username: "desk-1", password, clientId: "desk-1", reconnectPeriod: 0 });
  t.teardown(() => desk.endAsync(true));
  const decide = async (how: (seq: number) => Promise<unknown>, seq: number, step: string) => {
    const gate = bash(`shipgate gate --pipeline api --step ${step}`, env);
    let err = "";
    gate.child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    await waitFor("the gate to wait", () => /waiting for approval/.test(err), 30_000);
    await how(seq);
    // A press the bridge refuses leaves the gate waiting: fail instead of hanging the run.
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the gate for ${step} got no decision: ${err}`)), 60_000).unref());
    return (await Promise.race([gate.done, timeout])).code;
  };
  // The press answers the view the gadget shows: it echoes that view's nonce (fresh events).
  let shown: { head: { id: string } | null; nonce?: string } | undefined;
  desk.on("message", (topic, payload) => {
    if (topic === topics.gadgetView("desk-1") && payload.length > 0) shown = JSON.parse(payload.toString());
  });
  await desk.subscribeAsync(topics.gadgetView("desk-1"), { qos: 1 });
  await desk.publishAsync(topics.gadgetStatus("desk-1"), JSON.stringify({ state: "online" }), { qos: 1, retain: true });
  const press = async (seq: number) => {
    await waitFor("desk-1's view to show the waiting lock", () => shown?.head != null && shown.nonce !== undefined, 15_000);
    const event = { button: "approve", gesture: "short", boot: 1, seq, nonce: shown?.nonce } as const;
    await desk.publishAsync(topics.gadgetEvent("desk-1"), JSON.stringify(signEvent(secret, "desk-1", event)), { qos: 1 });
  };
  t.is(await decide(press, 1, "deploy-prod"), 0);
  t.is(await decide(() => bash("shipgate reject", env).done, 2, "migrate"), 1);

  const code = block("audit-export").code;
  const cmds = lines(block("audit-export"));
  t.true(
    cmds.some((l) => l.includes("127.0.0.1:8080")),
    "the curl line asks the default port",
  );
  const cwd = tempDir("shipgate-docs-");
  const script = ["set -euo pipefail", ...cmds.flatMap((l, i) => [`echo "@@ ${i}"`, onPort(l, rig)])].join("\n");
  const ran = await bash(script, env, cwd).done;
  t.is(ran.code, 0, `${code}\n${ran.err}`);
  const out = Object.fromEntries(
    ran.out
      .split(/^@@ /m)
      .slice(1)
      .map((part) => [Number(part.slice(0, part.indexOf("\n"))), part.slice(part.indexOf("\n") + 1)]),
  );
  // 0: the table, with both decisions in it.
  t.regex(out[0] ?? "", /lock\.approve/);
  t.regex(out[0] ?? "", /lock\.reject/);
  // 1: decisions.csv: RFC 4180, header first, only lock.* actions, both decisions.
  const csv = readFileSync(path.join(cwd, "decisions.csv"), "utf8");
  t.true(csv.startsWith("id,at,actor,action,subject,detail\r\n"), csv.slice(0, 80));
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  t.true(rows.length >= 4, csv);
  t.true(
    rows.every((r) => r.action?.startsWith("lock.")),
    csv,
  );
  t.true(
    rows.some((r) => r.action === "lock.approve" && r.actor === "gadget:desk-1"),
    csv,
  );
  t.true(
    rows.some((r) => r.action === "lock.reject" && r.actor === "user:admin"),
    csv,
  );
  // 2: jq keeps the gadget's rows only.
  const jq = (out[2] ?? "")
    .trim()
    .split(/\n(?=\{)/)
    .map((j) => JSON.parse(j) as { actor: string; action: string });
  t.true(jq.length >= 1 && jq.every((r) => r.actor === "gadget:desk-1"), out[2]);
  t.true(jq.some((r) => r.action === "lock.approve"));
  // The curl line, with the token the block makes: the CSV, this time over HTTP.
  const last = out[cmds.length - 1] ?? "";
  t.true(last.startsWith("id,at,actor,action,subject,detail\r\n"), last.slice(0, 200));
  t.regex(last, /lock\.reject/);
});

test.serial("docs/presence.md: the beat, account and list blocks run as written", async (t) => {
  const rig = await startBridge();
  t.teardown(() => rig.stop());
  const env = withShipgateOnPath(rig.env);
  const [forever, once, ...more] = lines(block("presence-beat"));
  t.is(more.length, 0);
  t.regex(forever ?? "", /--interval 60s +--fact addr=10\.0\.0\.11:8080 --fact version=1\.4\.2$/);
  const beating = bash(forever as string, env);
  t.teardown(() => void beating.child.kill());
  const list = async (line: string) => {
    const ran = await bash(line, env).done;
    t.is(ran.code, 0, `${line}\n${ran.err}`);
    return ran.out;
  };
  const [plain, json] = lines(block("presence-list"));
  await waitFor("web-1 online", async () => /^\s*web-1 \[web\]: online/m.test(await list(plain as string)), 20_000);
  const nodes = JSON.parse(await list(json as string)) as { id: string; kind: string; online: boolean; part: string; label: string; facts: Record<string, string>; interval_s: number }[];
  t.is(nodes.length, 1);
  t.like(nodes[0], { id: "web-1", kind: "node", online: true, part: "web", label: "Web 1", interval_s: 60, facts: { addr: "10.0.0.11:8080", version: "1.4.2" } });
  beating.child.kill("SIGINT");
  const one = await bash(once as string, env).done;
  t.is(one.code, 0, one.err);

  // The node's own viewer account, then the rule the doc states: it beats as itself only.
  const [account] = lines(block("presence-account"));
  const added = await bash(account as string, env).done;
  t.is(added.code, 0, added.err);
  t.regex(added.out, /^added viewer web-1$/m);
  const password = /^password: (\S+)$/m.exec(added.out)?.[1] as string;
  const file = path.join(rig.state, "web-1.password");
  writeFileSync(file, password + "\n");
  const as = `shipgate presence beat --username web-1 --password-file ${file} --once`;
  t.is((await bash(`${as} --node web-1 --part web`, env).done).code, 0);
  t.is((await bash(`${as} --node web-2 --part web`, env).done).code, 1);
});

test.serial("docs/homeassistant.md: the account block runs as written", async (t) => {
  const state = tempDir("shipgate-docs-");
  const env = withShipgateOnPath({ ...process.env, SHIPGATE_STATE_DIR: state, SHIPGATE_CONFIG: undefined });
  const ran = await bash(block("homeassistant-account").code, env, state).done;
  t.is(ran.code, 0, ran.err);
  t.regex(ran.out, /^added viewer homeassistant\npassword: \S{16,}$/m);
});
