// deploy/shipgate.service and docs/deploy.md agree with the code: the unit's user, paths and
// environment are the ones the bridge reads and the doc sets up, systemd accepts the unit, and
// the bridge starts and stops cleanly under exactly the unit's ExecStart and Environment.
import test from "ava";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../src/cli/main";
import { loadConfig } from "../src/bridge-config";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const UNIT_TEXT = readFileSync(path.join(REPO, "deploy/shipgate.service"), "utf8");
const DOC = readFileSync(path.join(REPO, "docs/deploy.md"), "utf8");

/** systemd.syntax(7): [Section] headers, Key=Value lines, '#'/';' comments; keys may repeat. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = out[header[1] as string] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (section === undefined || eq < 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq);
    section[key] = [...(section[key] ?? []), line.slice(eq + 1)];
  }
  return out;
}

const UNIT = parseUnit(UNIT_TEXT);
const SERVICE = UNIT.Service ?? {};
const one = (key: string): string => {
  const values = SERVICE[key];
  if (values?.length !== 1) throw new Error(`[Service] ${key} should appear once, found ${values?.length ?? 0}`);
  return values[0] as string;
};
const ENV = Object.fromEntries((SERVICE.Environment ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const INSTALL_DIR = one("WorkingDirectory");
const [NODE, SCRIPT, ...ARGS] = one("ExecStart").split(/\s+/) as [string, string, ...string[]];
/** Where `npm install -g --prefix INSTALL_DIR` puts the package: its files are broker-bridge/'s. */
const PACKAGE_DIR = `${INSTALL_DIR}/lib/node_modules/@shipgate/broker-bridge`;
const inRepo = (installed: string): string => path.join(REPO, "broker-bridge", path.relative(PACKAGE_DIR, installed));

test("the unit runs the installed package's shipgate start as the shipgate user, from the install prefix", (t) => {
  t.is(one("User"), "shipgate");
  t.is(one("Group"), "shipgate");
  t.is(NODE, "/usr/bin/node");
  t.true(SCRIPT.startsWith(PACKAGE_DIR + "/"), "ExecStart runs the package installed under WorkingDirectory");
  const script = inRepo(SCRIPT);
  t.true(existsSync(script), `${script} exists in the package`);
  t.true((statSync(script).mode & 0o111) !== 0, "and is executable");
  const pkg = JSON.parse(readFileSync(path.join(REPO, "broker-bridge/package.json"), "utf8")) as { bin: Record<string, string>; files: string[] };
  t.is(path.join(PACKAGE_DIR, pkg.bin.shipgate ?? ""), SCRIPT, "the package's bin is the script the unit runs");
  t.true(pkg.files.includes("bin/"), "and the tarball holds it");
  t.deepEqual(ARGS, ["start"]);
  t.true("start" in COMMANDS);
  t.is(one("Restart"), "on-failure");
  t.is(one("KillSignal"), "SIGTERM");
});

test("state and config: the directories systemd makes are the ones the environment names and the bridge reads", (t) => {
  t.is(one("StateDirectory"), "shipgate");
  t.is(ENV.SHIPGATE_STATE_DIR, `/var/lib/${one("StateDirectory")}`);
  t.is(one("ConfigurationDirectory"), "shipgate");
  t.is(path.dirname(ENV.SHIPGATE_CONFIG ?? ""), `/etc/${one("ConfigurationDirectory")}`);
  // Every SHIPGATE_ variable of the unit is one the bridge reads: loadConfig follows them.
  t.deepEqual(
    Object.keys(ENV)
      .filter((k) => k.startsWith("SHIPGATE_"))
      .sort(),
    ["SHIPGATE_CONFIG", "SHIPGATE_STATE_DIR"],
  );
  const dir = mkdtempSync(path.join(tmpdir(), "unit-env-"));
  const file = path.join(dir, "shipgate.yml");
  writeFileSync(file, "log_level: warn\n");
  const config = loadConfig({ env: { SHIPGATE_CONFIG: file, SHIPGATE_STATE_DIR: path.join(dir, "state") } });
  t.is(config.file, file);
  t.is(config.log_level, "warn");
  t.is(config.state_dir, path.join(dir, "state"));
});

test("hardening options are set, and none that would break Node", (t) => {
  for (const [key, value] of Object.entries({ NoNewPrivileges: "yes", ProtectSystem: "strict", ProtectHome: "yes", PrivateTmp: "yes", PrivateDevices: "yes", CapabilityBoundingSet: "" })) {
    t.is(one(key), value, key);
  }
  t.false("MemoryDenyWriteExecute" in SERVICE, "V8's JIT needs writable executable memory");
  t.deepEqual(UNIT.Install?.WantedBy, ["multi-user.target"]);
});

test("docs/deploy.md sets up what the unit expects", (t) => {
  t.regex(DOC, /useradd --system .*--shell \/usr\/sbin\/nologin shipgate/);
  t.true(DOC.includes(`ExecStart=${one("ExecStart")}`), "the doc quotes the unit's ExecStart");
  t.true(DOC.includes(`sudo npm install -g --prefix ${INSTALL_DIR} --no-fund --no-audit ${INSTALL_DIR}/releases/shipgate-broker-bridge-`), "the doc installs the tarball into the unit's prefix");
  t.true(DOC.includes(`sudo tee ${ENV.SHIPGATE_CONFIG}`), "the doc writes the config file the unit names");
  t.true(DOC.includes(`exec ${NODE} ${SCRIPT} "$@"`), "the admin wrapper runs the same script");
  t.true(DOC.includes(`export SHIPGATE_STATE_DIR=${ENV.SHIPGATE_STATE_DIR} SHIPGATE_CONFIG=${ENV.SHIPGATE_CONFIG}`));
  // What ships is built JavaScript: no TypeScript loader or compiler among the package's dependencies.
  const pkg = JSON.parse(readFileSync(path.join(REPO, "broker-bridge/package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const dev of ["tsx", "esbuild", "typescript"]) t.false(dev in pkg.dependencies, dev);
  t.regex(DOC, /npm pack -w broker-bridge/);
  // The config the doc writes is valid.
  const yaml = /sudo tee \/etc\/shipgate\/shipgate\.yml >\/dev\/null <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(DOC)?.[1];
  t.truthy(yaml);
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-doc-"));
  writeFileSync(path.join(dir, "shipgate.yml"), yaml ?? "");
  const config = loadConfig({ file: path.join(dir, "shipgate.yml"), env: {} });
  t.like(config, { http: { host: "0.0.0.0", port: 8080 }, broker: { port: 1883 }, gates: { timezone: "Europe/Berlin" } });
  t.deepEqual(
    config.gadgets.map((g) => g.id),
    ["desk-1"],
  );
});

test("the metrics the doc lists are the bridge's", (t) => {
  const series = [...DOC.matchAll(/^\| `(shipgate_[a-z_]+)(?:\{[a-z]+\})?` \|/gm)].map((m) => m[1] as string);
  t.true(series.length >= 5);
  const sources = readdirSync(path.join(REPO, "broker-bridge/src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(path.join(REPO, "broker-bridge/src", f), "utf8"))
    .join("\n");
  for (const name of series) t.true(sources.includes(`name: "${name}"`), `${name} is registered by the bridge`);
});

test("systemd-analyze verify accepts the unit", (t) => {
  const probe = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
  if (probe.error) return t.pass("systemd-analyze is not installed here");
  // The unit as installed, with the install directory and node pointing at this checkout.
  const dir = mkdtempSync(path.join(tmpdir(), "unit-verify-"));
  const unit = path.join(dir, "shipgate.service");
  writeFileSync(unit, UNIT_TEXT.replaceAll(PACKAGE_DIR, path.join(REPO, "broker-bridge")).replaceAll(INSTALL_DIR, REPO.replace(/\/$/, "")).replaceAll(NODE, process.execPath));
  const verify = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
  t.is(verify.status, 0, verify.stderr);
  t.is(
    verify.stderr
      .split("\n")
      .filter((l) => l.includes("shipgate.service"))
      .join("\n"),
    "",
    "no warnings about the unit",
  );
});

test("the unit's ExecStart and Environment start the bridge, and SIGTERM stops it with exit 0", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "unit-run-"));
  const config = path.join(dir, "shipgate.yml");
  writeFileSync(config, "broker: { port: 0, host: 127.0.0.1 }\nhttp: { port: 0 }\nlog_level: warn\n");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir };
  for (const [k, v] of Object.entries(ENV)) env[k] = v;
  env.SHIPGATE_STATE_DIR = path.join(dir, "state");
  env.SHIPGATE_CONFIG = config;
  const child = spawn(process.execPath, [inRepo(SCRIPT), ...ARGS], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const end = Date.now() + 30_000;
  while (!/dashboard and API on http:\/\/127\.0\.0\.1:\d+\//.test(stderr)) {
    if (Date.now() > end || child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.regex(stderr, /state in .*state/);
  t.true(existsSync(path.join(dir, "state", "shipgate.db")));
  t.true(existsSync(path.join(dir, "state", "local-admin.json")));
  child.kill(one("KillSignal") as NodeJS.Signals);
  t.is(await exit, 0, stderr);
});
