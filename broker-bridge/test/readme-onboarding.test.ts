// The README's first hour, exactly as written: `npm start`'s bridge, then the onboarding the bridge
// itself suggests (`shipgate user add desk-1 --role gadget`), then the README's
// `npx shipgate gate ...` waiting and `npx shipgate gadget --id desk-1` in a terminal (a real pty,
// through util-linux script) where pressing "a" approves. The twin finds the provisioned gadget's
// secret in the local state by itself; before, every press came back "refused BAD SIGNATURE".
import test from "ava";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, runShipgate, tempDir, waitFor } from "./helpers/bridge";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's command line that starts with `start`, without its trailing comment. */
function readmeLine(start: string): string {
  const line = README.split("\n").find((l) => l.startsWith(start));
  if (line === undefined) throw new Error(`README.md has no line starting ${start}`);
  return line.replace(/\s+#.*$/, "");
}

const plain = (s: string) => s.replace(/\x1b\[[0-9;:?<>=]*[A-Za-z~]/g, "").replace(/\x1b[()][0-9A-Za-z]/g, "");

test("the README's onboarding: the hinted user add, then npx shipgate gadget --id desk-1 approves with a press", async (t) => {
  const state = tempDir("shipgate-readme-");
  // A clone's shell: shipgate is not on PATH (npm and npx put node_modules/.bin there for their own children).
  const PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((d) => !d.split("/").includes("node_modules"))
    .join(":");
  const env = { ...process.env, PATH, SHIPGATE_STATE_DIR: state, SHIPGATE_BROKER_PORT: String(await freePort()), SHIPGATE_HTTP_PORT: String(await freePort()), SHIPGATE_CONFIG: undefined };
  const bridge = runShipgate(["start"], env, ROOT);
  const children: { kill(signal?: NodeJS.Signals): unknown }[] = [bridge.child];
  try {
    // The hints are printed after the listening lines, and may arrive in a later chunk.
    await waitFor("the bridge's start-up hints", () => /^shipgate: add a pipeline: /m.test(bridge.stderr()), 60_000);
    // The start-up hint, run as printed (it names this state directory).
    const hint = /^shipgate: add a gadget: +(.*?) {3}\(/m.exec(bridge.stderr())?.[1];
    t.truthy(hint, bridge.stderr());
    t.regex(hint ?? "", / npx shipgate user add desk-1 --role gadget$/);
    const add = spawn("bash", ["-c", hint ?? "false"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let added = "";
    add.stdout.on("data", (d: Buffer) => (added += d.toString()));
    t.is(await new Promise((r) => add.once("exit", r)), 0);
    t.regex(added, /^added gadget desk-1$/m);
    // The device resolves no bare host name (firmware/README.md): the line gives an IP address.
    const host = / broker=mqtt:\/\/([^:\s]+):(\d+) /.exec(added);
    t.truthy(host, added);
    t.regex(host?.[1] ?? "", /^(\d{1,3}\.){3}\d{1,3}$|^<bridge-ip>$/);
    t.not(host?.[1], hostname());
    t.is(host?.[2], env.SHIPGATE_BROKER_PORT);
    t.regex(added, /^or run it here: npx shipgate gadget --id desk-1 /m);

    const gateLine = readmeLine("npx shipgate gate ");
    const gate = spawn("bash", ["-c", gateLine], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(gate);
    let gateErr = "";
    gate.stderr.on("data", (d: Buffer) => (gateErr += d.toString()));
    const gateExit = new Promise((r) => gate.once("exit", r));
    await waitFor("the gate to wait", () => /waiting for approval/.test(gateErr), 30_000);

    const gadgetLine = readmeLine("npx shipgate gadget ");
    t.is(gadgetLine, "npx shipgate gadget --id desk-1");
    const twin = spawn("script", ["-qfec", gadgetLine, "/dev/null"], { cwd: ROOT, env: { ...env, COLUMNS: "80", LINES: "24" }, stdio: ["pipe", "pipe", "pipe"] });
    children.push(twin);
    let screen = "";
    twin.stdout.on("data", (d: Buffer) => (screen += d.toString()));
    await waitFor("the twin to show the waiting lock", () => /waiting: api\/deploy-prod v1\.4\.2 by alice/.test(plain(screen)), 30_000);
    twin.stdin.write("a");
    t.is(await gateExit, 0, gateErr);
    t.regex(gateErr, /^shipgate: api\/deploy-prod approved by gadget:desk-1$/m);
    await waitFor("the twin to show the ack", () => /ack seq \d+: ok/.test(plain(screen)), 10_000);
    t.notRegex(plain(screen), /BAD SIGNATURE/);
    twin.stdin.write("q");
    await new Promise((r) => twin.once("exit", r));
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await bridge.exit;
  }
});
