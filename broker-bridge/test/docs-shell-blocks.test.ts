// Every shell block in README.md and docs/*.md is accounted for, and the ones a reader runs on
// their own machine run here as written, with bash, against a real `shipgate start`:
//   ```sh test=NAME   docs/gates.md's blocks, run by docs-gates.test.ts (with their shown output)
//   ```sh run=NAME    run below, line by line as a reader pastes them
//   ```sh run=npm-start  `npm start`, run by npm-start.test.ts (`npm ci` would reinstall the
//                        node_modules every test shares)
//   ```sh run=server  docs/deploy.md's root and systemd steps on a Debian server (its unit and
//                     paths are checked by docs-deploy.test.ts)
//   ```sh run=device  mcconfig for a real ESP32 (the Moddable SDK is not installed here)
// A new block without a known tag fails the first test, so no block goes untried unnoticed.
import test from "ava";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOCS = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const RUN_HERE = ["readme-commands", "gates-modes", "security-users", "security-mosquitto"];
const ELSEWHERE = ["npm-start", "server", "device"];

interface Block { doc: string; tag: string; code: string }

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
/** A block's command lines, comments and blank lines dropped (a reader pastes them one by one). */
const lines = (b: Block) => b.code.split("\n").map((l) => l.replace(/\s+#.*$/, "")).filter((l) => l.trim() !== "" && !l.startsWith("#"));

test("every shell block in README.md and docs/ is run by a test, or says why it cannot be", (t) => {
  t.true(BLOCKS.length >= 20, `${BLOCKS.length} blocks`);
  for (const b of BLOCKS) {
    const ok = (b.doc === "docs/gates.md" && /^test=[a-z-]+$/.test(b.tag)) || RUN_HERE.includes(b.tag.slice(4)) || ELSEWHERE.includes(b.tag.slice(4));
    t.true(ok && (b.tag.startsWith("run=") || b.tag.startsWith("test=")), `${b.doc}: a shell block tagged "${b.tag}" that no test runs:\n${b.code}`);
  }
  for (const name of RUN_HERE) t.notThrows(() => block(name));
});

interface Rig { env: NodeJS.ProcessEnv; state: string; stop(): Promise<void> }

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
  t.deepEqual(ran.out.trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" ")), ["mode released", "mode blocked", "mode default"]);
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
