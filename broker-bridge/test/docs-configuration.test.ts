// docs/configuration.md against config.ts: the example loads with loadConfig, the documented keys
// are exactly the ones the checker knows, the defaults shown are the real ones, and the
// environment variables listed are the ones the code reads.
import test from "ava";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../src/config";
import { parseDuration } from "../src/duration";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const DOC = readFileSync(path.join(REPO, "docs/configuration.md"), "utf8");

function loadYaml(text: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "config-doc-"));
  const file = path.join(dir, "shipgate.yml");
  writeFileSync(file, text);
  return { dir, file, config: () => loadConfig({ file, env }) };
}

/** The key column of the table under a "## heading". */
function tableKeys(heading: string): { key: string; def: string }[] {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(heading + "\n"));
  if (section === undefined) throw new Error(`no section ${heading}`);
  return [...section.matchAll(/^\| `([a-z_\[\]\.]+)`(?:, `[a-z_\[\]\.]+`)? \| (.*?) \|/gm)].map((m) => ({ key: m[1] as string, def: m[2] as string }));
}

/** What the checker says it knows, from its own error for an unknown key. */
function known(raw: string): string[] {
  try {
    loadYaml(raw).config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const list = /\(known: ([^)]*)\)/.exec(err.reason)?.[1];
    if (list) return list.split(", ").sort();
    throw err;
  }
  throw new Error(`${raw} was accepted`);
}

test("the example loads with loadConfig and means what the doc says", (t) => {
  const example = /```yaml config-example\n([\s\S]*?)```/.exec(DOC)?.[1];
  if (example === undefined) return t.fail("no config-example block");
  const { dir, config } = loadYaml(example);
  const c = config();
  t.is(c.state_dir, "/var/lib/shipgate");
  t.like(c.broker, { url: null, port: 1883, host: "0.0.0.0", websocket: true, tls_port: 8883, tls: { cert: path.join(dir, "tls/fullchain.pem"), key: path.join(dir, "tls/privkey.pem") } });
  t.like(c.http, { host: "127.0.0.1", port: 8080, tls: null });
  t.like(c.gates, { default_timeout_ms: 3_600_000, grace_ms: 600_000, max_pending_per_pipeline: 100, timezone: "Europe/Berlin" });
  t.deepEqual(c.gates.rules, [{ pipeline: "api", step: "deploy-prod*", approvals: 2, deciders: ["gadget:desk-ops", "gadget:desk-dev", "user:alice"] }]);
  t.deepEqual(c.gates.freeze, [{ name: "weekend", from_day: 5, from_minute: 15 * 60, to_day: 1, to_minute: 6 * 60 }]);
  t.deepEqual(c.gadgets.map((g) => [g.id, g.pipelines, g.secret_file]), [["desk-ops", [], null], ["desk-dev", ["api", "web-*"], path.join(dir, "secrets/desk-dev")]]);
});

test("the documented keys are exactly the ones the checker knows", (t) => {
  const top = tableKeys("Top level").map((r) => r.key);
  const sections = ["broker", "http", "gates", "gadgets"];
  const services = [...DOC.matchAll(/^\| `([a-z]+)`(?:, `([a-z]+)`)?(?:, `([a-z]+)`)? \| (?:\[|described)/gm)].flatMap((m) => [m[1], m[2], m[3]]).filter((x): x is string => x !== undefined);
  t.deepEqual([...top, ...sections, ...services].sort(), known("colour: red\n"));
  t.deepEqual(tableKeys("`broker`").map((r) => r.key).sort(), known("broker: { colour: red }\n"));
  t.deepEqual(tableKeys("`http`").map((r) => r.key).sort(), known("http: { colour: red }\n"));
  const gates = tableKeys("`gates`").map((r) => r.key);
  t.deepEqual(gates.filter((k) => !k.includes("[")).sort(), known("gates: { colour: red }\n"));
  const ruleKeys = [...DOC.matchAll(/`rules\[\]\.([a-z_]+)`/g)].map((m) => m[1] as string);
  t.deepEqual([...new Set(ruleKeys)].sort(), known("gates: { rules: [ { colour: red } ] }\n"));
  const freezeKeys = [...DOC.matchAll(/`freeze\[\]\.([a-z_]+)`/g)].map((m) => m[1] as string);
  t.deepEqual([...new Set(freezeKeys)].sort(), known("gates: { freeze: [ { colour: red } ] }\n"));
});

test("the defaults the doc shows are the bridge's", (t) => {
  const c = loadConfig({ env: {}, cwd: "/srv" });
  const value = (section: "broker" | "http" | "gates", key: string): unknown => {
    if (section === "gates" && key === "default_timeout") return c.gates.default_timeout_ms;
    if (section === "gates" && key === "grace") return c.gates.grace_ms;
    return (c[section] as unknown as Record<string, unknown>)[key];
  };
  let compared = 0;
  for (const section of ["broker", "http", "gates"] as const) {
    for (const { key, def } of tableKeys(`\`${section}\``)) {
      const m = /^`([^`]+)`$/.exec(def);
      if (m === null || key.includes("[")) continue;
      const shown = m[1] as string;
      const actual = value(section, key);
      const expected = typeof actual === "number" && /[a-z]$/.test(shown) ? parseDuration(shown) : typeof actual === "number" ? Number(shown) : typeof actual === "boolean" ? shown === "true" : shown;
      t.deepEqual(actual, expected, `${section}.${key}`);
      compared++;
    }
  }
  t.true(compared >= 10);
  const top = Object.fromEntries(tableKeys("Top level").map((r) => [r.key, r.def]));
  t.is(top.state_dir, "`./.shipgate`");
  t.is(c.state_dir, "/srv/.shipgate");
  t.is(top.prefix, `\`${c.prefix}\``);
  t.is(top.log_level, `\`${c.log_level}\``);
});

test("the environment variables listed are the ones the code reads, and they override", (t) => {
  const listed = [...DOC.matchAll(/`(SHIPGATE_[A-Z_]+)`/g)].map((m) => m[1] as string);
  // The bridge and the pipeline client (which holds how every command finds the broker).
  const sources = ["broker-bridge/src", "pipeline-client/src"].flatMap((dir) => readdirSync(path.join(REPO, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts")).map((f) => readFileSync(path.join(REPO, dir, f), "utf8"))).join("\n");
  const read = [...sources.matchAll(/env\.(SHIPGATE_[A-Z_]+)/g)].map((m) => m[1] as string);
  t.deepEqual([...new Set(listed)].sort(), [...new Set(read)].sort());
  const { file } = loadYaml("broker: { port: 1883 }\n");
  const c = loadConfig({ env: { SHIPGATE_CONFIG: file, SHIPGATE_STATE_DIR: "/tmp/s", SHIPGATE_BROKER_PORT: "1999", SHIPGATE_HTTP_PORT: "8099", SHIPGATE_PREFIX: "acme/gate/" } });
  t.like(c, { file, state_dir: "/tmp/s", prefix: "acme/gate/", broker: { port: 1999 }, http: { port: 8099 } });
  const bad = t.throws(() => loadConfig({ env: { SHIPGATE_BROKER_PORT: "70000" } }), { instanceOf: ConfigError });
  t.true(DOC.includes(bad?.message ?? "?"), `the doc quotes the error: ${bad?.message}`);
});

test("the error line the doc shows is the one the bridge prints", (t) => {
  const { file, config } = loadYaml("gates: { timezone: Europe/Berln }\n");
  const err = t.throws(() => config(), { instanceOf: ConfigError });
  const shown = /shipgate start: invalid config: \/etc\/shipgate\/shipgate\.yml: (.*)/.exec(DOC)?.[1];
  t.is(err?.message, `${file}: ${shown}`);
});
