// docs/configuration.md against the config schemas: its key tables are the generated ones (so
// `npm run docs:config` must have run), the example loads with loadConfig, the documented keys
// are exactly the ones the checker knows, the defaults shown are the real ones, and the
// environment variables listed are the ones the code reads.
import test from "ava";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkArgoConfig } from "../src/argocd/config";
import { checkCiSection } from "../src/ci/ci-config";
import { ConfigError, SERVICE_SECTIONS, loadConfig } from "../src/bridge-config";
import { configTables, markedTables, renderConfigDoc } from "../src/config-docs";
import { checkDashboardSection } from "../src/dashboard/dashboard-config";
import { checkNotificationsSection } from "../src/notify/notify-config";
import { checkSecuritySection } from "../src/security/security-config";
import { parseDuration } from "../src/duration";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const DOC = readFileSync(path.join(REPO, "docs/configuration.md"), "utf8");

function loadYaml(text: string, env: NodeJS.ProcessEnv = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "config-doc-"));
  const file = path.join(dir, "shipgate.yml");
  writeFileSync(file, text);
  return { dir, file, config: () => loadConfig({ file, env }) };
}

/** The rows of a generated table: its keys (a row may list several) and its default column. */
function tableKeys(id: string): { key: string; def: string }[] {
  const block = new RegExp(`<!-- config-table: ${id} -->\\n([\\s\\S]*?)<!-- /config-table -->`).exec(DOC)?.[1];
  if (block === undefined) throw new Error(`no table ${id}`);
  return block
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .flatMap((line) => {
      const [keys = "", , def = ""] = line.slice(2, -2).split(" | ");
      return [...keys.matchAll(/`([^`]+)`/g)].map((m) => ({ key: m[1] as string, def }));
    });
}

/** What the checker says it knows, from its own error for an unknown key. */
function known(raw: string): string[] {
  try {
    loadYaml(raw).config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return knownIn(err.reason);
  }
  throw new Error(`${raw} was accepted`);
}

function knownIn(reason: string): string[] {
  const list = /\(known: ([^)]*)\)/.exec(reason)?.[1];
  if (list) return list.split(", ").sort();
  throw new Error(reason);
}

/** A section checker's known keys, from its error for an unknown key. */
function knownBy(check: (value: unknown, at: string) => { ok: boolean; error?: string }, value: unknown): string[] {
  const result = check(value, "s");
  if (result.ok) throw new Error(`${JSON.stringify(value)} was accepted`);
  return knownIn(result.error ?? "");
}

/** Keys of a table one level down (`rules[].pipeline` -> `pipeline`), or at the top. */
function level(id: string, prefix: string): string[] {
  return [
    ...new Set(
      tableKeys(id)
        .map((r) => r.key)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length))
        .filter((k) => !/[.[]/.test(k)),
    ),
  ].sort();
}

test("the key tables are the ones the schemas generate (run npm run docs:config after a change)", (t) => {
  t.is(renderConfigDoc(DOC), DOC);
  t.deepEqual(markedTables(DOC).sort(), [...configTables().keys()].sort(), "every generated table has its place in the doc, once");
});

test("a changed schema shows as drift: the doc with a table edited is rewritten", (t) => {
  const edited = DOC.replace("| `grace` | duration | `10m` |", "| `grace` | duration | `15m` |");
  t.not(edited, DOC);
  t.is(renderConfigDoc(edited), DOC);
});

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
  t.deepEqual(
    c.gadgets.map((g) => [g.id, g.pipelines, g.secret_file]),
    [
      ["desk-ops", [], null],
      ["desk-dev", ["api", "web-*"], path.join(dir, "secrets/desk-dev")],
    ],
  );
});

test("the documented keys are exactly the ones the checker knows", (t) => {
  const top = level("top", "");
  const sections = ["broker", "http", "gates"];
  const services = tableKeys("sections").map((r) => r.key);
  t.deepEqual(services, [...SERVICE_SECTIONS]);
  t.deepEqual([...top, ...sections, ...services].sort(), known("colour: red\n"));
  t.deepEqual(level("broker", ""), known("broker: { colour: red }\n"));
  t.deepEqual(level("broker", "tls."), known("broker: { tls: { cert: a, key: b, colour: red } }\n"));
  t.deepEqual(level("http", ""), known("http: { colour: red }\n"));
  t.deepEqual(level("gates", ""), known("gates: { colour: red }\n"));
  t.deepEqual(level("gates", "rules[]."), known("gates: { rules: [ { colour: red } ] }\n"));
  t.deepEqual(level("gates", "freeze[]."), known("gates: { freeze: [ { colour: red } ] }\n"));
  t.deepEqual(level("dashboard", ""), knownBy(checkDashboardSection, { colour: "red" }));
  t.deepEqual(level("security", ""), knownBy(checkSecuritySection, { colour: "red" }));
  t.deepEqual(
    level("argocd", ""),
    knownBy((v, at) => checkArgoConfig(v, at, "/"), { url: "https://a", token_env: "T", colour: "red" }),
  );
  t.deepEqual(
    level("argocd", "segment."),
    knownBy((v, at) => checkArgoConfig(v, at, "/"), { url: "https://a", token_env: "T", segment: { start: 1, count: 1, colour: "red" } }),
  );
  t.deepEqual(
    level("notifications", "<name>."),
    knownBy((v, at) => checkNotificationsSection(v, at, {}), { slack: { colour: "red" } }),
  );
  t.deepEqual(
    level("ci", ""),
    knownBy((v, at) => checkCiSection(v, at, {}), { colour: "red" }),
  );
  const cctray = knownBy((v, at) => checkCiSection(v, at, {}), { pipelines: { p: { provider: "cctray", base_url: "http://x", colour: "red" } } });
  t.deepEqual([...level("ci", "pipelines.<name>."), "projects"].sort(), cctray);
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
    for (const { key, def } of tableKeys(section)) {
      const m = /^`([^`]+)`$/.exec(def);
      if (m === null || /[.[]/.test(key)) continue;
      const shown = m[1] as string;
      const actual = value(section, key);
      const expected = typeof actual === "number" && /[a-z]$/.test(shown) ? parseDuration(shown) : typeof actual === "number" ? Number(shown) : typeof actual === "boolean" ? shown === "true" : shown;
      t.deepEqual(actual, expected, `${section}.${key}`);
      compared++;
    }
  }
  t.true(compared >= 10);
  const top = Object.fromEntries(tableKeys("top").map((r) => [r.key, r.def]));
  t.is(top.state_dir, "`./.shipgate`");
  t.is(c.state_dir, "/srv/.shipgate");
  t.is(top.prefix, `\`${c.prefix}\``);
  t.is(top.log_level, `\`${c.log_level}\``);
});

test("the environment variables listed are the ones the code reads, and they override", (t) => {
  const listed = [...DOC.matchAll(/`(SHIPGATE_[A-Z_]+)`/g)].map((m) => m[1] as string);
  // The bridge and the pipeline client (which holds how every command finds the broker).
  const sources = ["broker-bridge/src", "pipeline-client/src"]
    .flatMap((dir) =>
      readdirSync(path.join(REPO, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => readFileSync(path.join(REPO, dir, f), "utf8")),
    )
    .join("\n");
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
