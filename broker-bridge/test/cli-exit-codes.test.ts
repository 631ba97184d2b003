// The README's exit-code table is the commands' real behaviour: every command has its row, and the
// documented codes come out of the real commands (main(), in process, with real files and a real
// bridge for the refusals). Usage errors are 3 for every command; nothing ends in a stack trace.
import test from "ava";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS, main } from "../src/cli/main";
import { tempDir } from "./helpers/bridge";
import { startSecureBridge } from "./security-support";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const TABLE = README.slice(README.indexOf("### Exit codes"));

async function exitOf(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await main(argv, {
    out: () => {},
    err: (l) => {
      err += l + "\n";
    },
    env: { SHIPGATE_STATE_DIR: tempDir("shipgate-exit-"), ...env },
  });
  return { code, err };
}

test("every command has a row in the README's exit-code table", (t) => {
  const rows = [...TABLE.matchAll(/^\| (`shipgate[^|]*)\|/gm)].map((m) => m[1] as string);
  const named = new Set(rows.flatMap((r) => [...r.matchAll(/`(?:shipgate )?([a-z-]+)`/g)].map((m) => m[1] as string)));
  for (const name of Object.keys(COMMANDS)) t.true(named.has(name), `no row for shipgate ${name}`);
});

test("usage errors exit 3 for every command, with one line naming the command", async (t) => {
  for (const name of Object.keys(COMMANDS)) {
    const { code, err } = await exitOf([name, "--no-such-flag"]);
    t.is(code, 3, `${name}: ${err}`);
    t.regex(err, new RegExp(`^shipgate ${name}: `), name);
  }
  t.is((await exitOf(["start", "extra"])).code, 3);
  t.is((await exitOf(["mode", "sideways"])).code, 3);
  t.is((await exitOf(["mode", "released", "--until", "soon"])).code, 3);
  t.is((await exitOf(["user", "frobnicate"])).code, 3);
  t.is((await exitOf([])).code, 3);
  t.is((await exitOf(["no-such-command"])).code, 3);
  t.is((await exitOf(["--help"])).code, 0);
  const secret = await exitOf(["gadget", "--id", "desk-1", "--secret-file", "/nonexistent/secret"]);
  t.is(secret.code, 3);
  t.regex(secret.err, /^shipgate gadget: cannot read --secret-file \/nonexistent\/secret: ENOENT$/m);
  const ca = await exitOf(["gadget", "--id", "desk-1", "--broker", "mqtts://127.0.0.1:1", "--ca-file", "/nonexistent/ca.pem"]);
  t.is(ca.code, 3, ca.err);
  t.notRegex(ca.err, /\n\s+at /);
  const missing = await exitOf(["status", "--username", "x", "--password-file", "/nonexistent/pw"]);
  t.is(missing.code, 3);
  t.regex(missing.err, /^shipgate status: cannot read --password-file/m);
});

test("a refusal is 1: user remove of nobody, a second user add, approve with nothing pending", async (t) => {
  const state = tempDir("shipgate-exit-");
  t.is((await exitOf(["user", "remove", "nobody"], { SHIPGATE_STATE_DIR: state })).code, 1);
  t.is((await exitOf(["user", "add", "ci", "--role", "pipeline"], { SHIPGATE_STATE_DIR: state })).code, 0);
  t.is((await exitOf(["user", "add", "ci", "--role", "pipeline"], { SHIPGATE_STATE_DIR: state })).code, 1);

  const rig = await startSecureBridge();
  t.teardown(() => rig.stop());
  const { password } = rig.addUser("root", "admin");
  const dir = tempDir("shipgate-exit-");
  writeFileSync(path.join(dir, "pw"), password);
  const env = { SHIPGATE_BROKER_URL: rig.bridge.brokerUrl };
  const flags = ["--username", "root", "--password-file", path.join(dir, "pw")];
  const approve = await exitOf(["approve", ...flags], env);
  t.is(approve.code, 1, approve.err);
  t.is((await exitOf(["mode", "released", "--until", "5m", ...flags], env)).code, 0);
  t.is((await exitOf(["status", ...flags], env)).code, 0);
  const wrong = await exitOf(["status", "--username", "root", "--password-file", wrongPasswordFile(dir)], env);
  t.is(wrong.code, 3, wrong.err);
});

function wrongPasswordFile(dir: string): string {
  const f = path.join(dir, "wrong");
  writeFileSync(f, "not-the-password");
  return f;
}

test("shipgate user reads its settings as start does: a bad variable or config key is exit 3 naming it", async (t) => {
  // Without a file the settings come from the environment alone (no schemas loaded); with one,
  // from the whole checked file. Both name what is wrong and where.
  const port = await exitOf(["user", "list"], { SHIPGATE_BROKER_PORT: "18x3" });
  t.is(port.code, 3, port.err);
  t.regex(port.err, /^shipgate user: invalid config: environment: SHIPGATE_BROKER_PORT: must be a port number/m);
  const store = await exitOf(["user", "list"], { SHIPGATE_STORE_URL: "mysql://db/shipgate" });
  t.is(store.code, 3, store.err);
  t.regex(store.err, /environment: SHIPGATE_STORE_URL: must be a postgres:\/\/ URL/);
  const file = path.join(tempDir("shipgate-user-config-"), "shipgate.yml");
  writeFileSync(file, "http: { port: 99999 }\n");
  const bad = await exitOf(["user", "list", "--config", file]);
  t.is(bad.code, 3, bad.err);
  t.regex(bad.err, new RegExp(`invalid config: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: http\\.port: `));
  const empty = await exitOf(["user", "list"]);
  t.is(empty.code, 0, empty.err);
});
