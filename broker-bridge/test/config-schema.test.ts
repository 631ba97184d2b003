// The config schemas as an operator meets them: a bad file gives one ConfigError naming the file,
// the key path and the reason (wrong type, unknown key, out of range, bad duration), null is the
// same as leaving a key out, the defaults are the documented ones, environment variables override,
// and each service's section is registered from its own module.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import fc from "fast-check";
import { checkArgoConfig } from "../src/argocd/config";
import { CI_DEFAULTS, checkCiSection } from "../src/ci/ci-config";
import { ConfigError, DEFAULTS, SERVICE_SECTIONS, checkConfig, loadConfig, sectionOf } from "../src/bridge-config";
import { showDuration } from "../src/config-schema";
import { SECTIONS } from "../src/config-sections";
import { checkCountersSection } from "../src/counters/counter-config";
import { DASHBOARD_DEFAULTS, checkDashboardSection } from "../src/dashboard/dashboard-config";
import { parseDuration } from "../src/duration";
import { checkNotificationsSection } from "../src/notify/notify-config";
import { SECURITY_DEFAULTS, checkSecuritySection } from "../src/security/security-config";

const dir = mkdtempSync(path.join(tmpdir(), "config-schema-"));
let files = 0;

/** Loads YAML text from a file of its own; the ConfigError it throws, or undefined. */
function loadError(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigError | undefined {
  const file = path.join(dir, `c${files++}.yml`);
  writeFileSync(file, yaml);
  try {
    loadConfig({ file, env });
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.file !== file) throw new Error(`error names ${err.file}, not ${file}`);
    return err;
  }
}

const BAD_FILES: [string, string, RegExp][] = [
  // wrong types
  ["broker: { port: '1883' }\n", "broker.port", /^must be an integer$/],
  ["broker: { websocket: yes please }\n", "broker.websocket", /^must be true or false$/],
  ["broker: 5\n", "broker", /^must be a JSON object$/],
  ["http: { tls: { cert: a } }\n", "http.tls.key", /^is required$/],
  ["gates: { rules: { pipeline: api } }\n", "gates.rules", /^must be an array$/],
  ["gates: { rules: [ { deciders: [ '' ] } ] }\n", "gates.rules.0.deciders.0", /^must be a non-empty string$/],
  ["gadgets: [desk-1]\n", "gadgets", /^must map gadget ids to their settings$/],
  ["gadgets: { 'desk 1': {} }\n", "gadgets.desk 1", /^gadget id must be letters/],
  ["gadgets: { desk-1: { pipelines: api } }\n", "gadgets.desk-1.pipelines", /^must be an array$/],
  ["log_level: loud\n", "log_level", /^must be one of fatal, error, warn, info, debug, trace, silent$/],
  // unknown keys, with the known ones listed
  ["brokr: {}\n", "brokr", /^is not a known setting \(known: state_dir, prefix, log_level, broker, http, gates, gadgets, ci, argocd/],
  ["broker: { prot: 1884 }\n", "broker.prot", /^is not a known setting \(known: url, port, host, websocket, tls, tls_port, username, password_file, ca\)$/],
  ["gates: { freeze: [ { from: fri 15:00, to: mon 06:00, until: x } ] }\n", "gates.freeze.0.until", /known: name, from, to\)$/],
  // out of range
  ["broker: { port: 65536 }\n", "broker.port", /^must be between 0 and 65535$/],
  ["gates: { rules: [ { approvals: 17 } ] }\n", "gates.rules.0.approvals", /^must be between 1 and 16$/],
  ["gates: { max_pending_per_pipeline: 0 }\n", "gates.max_pending_per_pipeline", /^must be between 1 and 100000$/],
  ["prefix: ''\n", "prefix", /^must not be empty$/],
  ["prefix: a/#/\n", "prefix", /./],
  // bad durations, times and zones
  ["gates: { grace: soon }\n", "gates.grace", /^must be a duration such as "90s", "30m", "1h" or "500ms"$/],
  ["gates: { default_timeout: 0s }\n", "gates.default_timeout", /^must be a duration/],
  ["gates: { freeze: [ { from: fri 25:00, to: mon 06:00 } ] }\n", "gates.freeze.0.from", /^must be a weekday and a time such as "fri 15:00"$/],
  ["gates: { timezone: Europe/Berln }\n", "gates.timezone", /^"Europe\/Berln" is not an IANA time zone such as Europe\/Berlin$/],
  // an unknown key is reported before the problems of the settings beside it
  ["broker: { port: -1, prot: 1 }\n", "broker.prot", /^is not a known setting/],
  ["state_dir: 5\nbroker: { prot: 1 }\n", "state_dir", /^must be a string$/],
];

test("a bad file names the file, the key and the reason", (t) => {
  for (const [yaml, key, reason] of BAD_FILES) {
    const err = loadError(yaml);
    if (err === undefined) {
      t.fail(`accepted: ${yaml}`);
      continue;
    }
    t.is(err.key, key, yaml);
    t.regex(err.reason, reason, yaml);
    t.true(err.message.startsWith(`${err.file}: ${key}: `), err.message);
  }
});

test("any port outside 0..65535 is refused with its key", (t) => {
  fc.assert(
    fc.property(fc.constantFrom("broker.port", "broker.tls_port", "http.port"), fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 65536 })), (key, port) => {
      const [section, name] = key.split(".") as [string, string];
      const err = checkConfig({ [section]: { [name]: port } }, "f.yml", "/");
      return !err.ok && err.field === key && err.error === "must be between 0 and 65535";
    }),
  );
  t.pass();
});

test("any key a mapping does not know is named, whatever it is", (t) => {
  const known: Record<string, string[]> = {
    "": ["state_dir", "prefix", "log_level", "broker", "http", "gates", "gadgets", ...SERVICE_SECTIONS],
    broker: ["url", "port", "host", "websocket", "tls", "tls_port", "username", "password_file", "ca"],
    http: ["host", "port", "tls"],
    gates: ["default_timeout", "grace", "max_pending_per_pipeline", "rules", "timezone", "freeze"],
  };
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(known)), fc.string({ minLength: 1, maxLength: 20 }), (section, key) => {
      fc.pre(!(known[section] ?? []).includes(key) && key !== "__proto__");
      const raw = section === "" ? { [key]: 1 } : { [section]: { [key]: 1 } };
      const result = checkConfig(raw, "f.yml", "/");
      return !result.ok && result.field === (section === "" ? key : `${section}.${key}`) && result.error.startsWith("is not a known setting (known: ");
    }),
  );
  t.pass();
});

test("any text that is not a duration is refused; any duration is read in milliseconds", (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), (text) => {
      fc.pre(text.length > 0 && (parseDuration(text) === undefined || parseDuration(text) === 0));
      const result = checkConfig({ gates: { grace: text } }, "f.yml", "/");
      return !result.ok && result.field === "gates.grace" && result.error.startsWith("must be a duration");
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000_000 }), (seconds) => {
      const result = checkConfig({ gates: { default_timeout: showDuration(seconds * 1000) } }, "f.yml", "/");
      return result.ok && result.value.gates.default_timeout_ms === seconds * 1000;
    }),
  );
  t.pass();
});

test("defaults: the documented values, and a bare `key:` (null) is the same as leaving it out", (t) => {
  const c = loadConfig({ env: {}, cwd: "/srv" });
  t.like(c, {
    file: "<defaults>",
    state_dir: "/srv/.shipgate",
    prefix: "shipgate/v1/",
    log_level: "info",
    broker: { url: null, port: DEFAULTS.broker_port, host: DEFAULTS.broker_host, websocket: true, tls: null, tls_port: DEFAULTS.tls_port, username: null, password_file: null, ca: null },
    http: { host: DEFAULTS.http_host, port: DEFAULTS.http_port, tls: null },
    gates: { default_timeout_ms: 3_600_000, grace_ms: 600_000, max_pending_per_pipeline: 100, rules: [], timezone: "UTC", freeze: [] },
    gadgets: [],
    sections: {},
  });
  const nulls = checkConfig({ state_dir: null, broker: { port: null, tls: null }, http: null, gates: { rules: null, grace: null }, gadgets: { "desk-1": null } }, "f.yml", "/srv");
  if (!nulls.ok) return t.fail(nulls.error);
  t.is(nulls.value.broker.port, 1883);
  t.is(nulls.value.gates.grace_ms, 600_000);
  t.deepEqual(nulls.value.gadgets, [{ id: "desk-1", pipelines: [], secret_file: null, extra: {} }]);
  t.deepEqual(checkDashboardSection(undefined, "dashboard"), { ok: true, value: { ...DASHBOARD_DEFAULTS } });
  t.deepEqual(checkSecuritySection(null, "security"), { ok: true, value: { ...SECURITY_DEFAULTS, lockRequests: { ...SECURITY_DEFAULTS.lockRequests }, events: { ...SECURITY_DEFAULTS.events } } });
  t.like(checkCiSection(undefined, "ci", {}), {
    ok: true,
    value: { freshness_ms: CI_DEFAULTS.freshness_ms, reserve: CI_DEFAULTS.reserve, backoff_cap_ms: CI_DEFAULTS.backoff_cap_ms, pipelines: [], webhooks: { github_secret: null, gitlab_token: null } },
  });
  const ci = checkCiSection({ interval: "2m", pipelines: { api: { provider: "github", repo: "acme/api" } } }, "ci", {});
  t.like(ci, { ok: true, value: { pipelines: [{ name: "api", base_url: "https://api.github.com", branch: "main", interval_ms: 120_000, timeout_ms: CI_DEFAULTS.timeout_ms, token: null }] } });
});

test("a gadget's other keys stay for the services that own them; paths resolve against the file's folder", (t) => {
  const c = checkConfig(
    { state_dir: "state", broker: { tls: { cert: "c.pem", key: "/k.pem" } }, gadgets: { "desk-1": { secret_file: "../s", watch: ["api"], counter: "friday" } } },
    "f.yml",
    "/etc/shipgate",
  );
  if (!c.ok) return t.fail(c.error);
  t.is(c.value.state_dir, "/etc/shipgate/state");
  t.deepEqual(c.value.broker.tls, { cert: "/etc/shipgate/c.pem", key: "/k.pem" });
  t.deepEqual(c.value.gadgets, [{ id: "desk-1", pipelines: [], secret_file: "/etc/s", extra: { watch: ["api"], counter: "friday" } }]);
});

test("environment variables override the file, and a bad one names the variable", (t) => {
  const file = path.join(dir, "env.yml");
  writeFileSync(file, "state_dir: /var/lib/x\nprefix: a/\nbroker: { port: 1000, url: mqtt://file.example }\nhttp: { port: 2000 }\n");
  const c = loadConfig({
    env: { SHIPGATE_CONFIG: file, SHIPGATE_STATE_DIR: "rel", SHIPGATE_BROKER_PORT: "0", SHIPGATE_HTTP_PORT: "65535", SHIPGATE_BROKER_URL: "mqtts://env.example:8883", SHIPGATE_PREFIX: "b/" },
    cwd: "/home/op",
  });
  t.like(c, { file, state_dir: "/home/op/rel", prefix: "b/", broker: { port: 0, url: "mqtts://env.example:8883" }, http: { port: 65535 } });
  t.like(loadConfig({ file, env: {} }), { state_dir: "/var/lib/x", prefix: "a/", broker: { port: 1000, url: "mqtt://file.example" }, http: { port: 2000 } });
  const bad: [NodeJS.ProcessEnv, string, RegExp][] = [
    [{ SHIPGATE_BROKER_PORT: "1e3" }, "SHIPGATE_BROKER_PORT", /port number/],
    [{ SHIPGATE_HTTP_PORT: "65536" }, "SHIPGATE_HTTP_PORT", /port number/],
    [{ SHIPGATE_BROKER_URL: "http://x" }, "SHIPGATE_BROKER_URL", /mqtt:\/\//],
    [{ SHIPGATE_PREFIX: "$SYS/" }, "SHIPGATE_PREFIX", /./],
  ];
  for (const [env, key, reason] of bad) {
    const err = t.throws(() => loadConfig({ file, env }), { instanceOf: ConfigError });
    t.like(err, { file: "environment", key });
    t.regex(err?.reason ?? "", reason);
  }
});

test("each registered service's section: accepted at the top, kept for its service, checked by it with file and key", (t) => {
  t.deepEqual(
    [...SERVICE_SECTIONS],
    SECTIONS.map((s) => s.key),
  );
  t.is(new Set(SERVICE_SECTIONS).size, SERVICE_SECTIONS.length);
  const raw = Object.fromEntries(SERVICE_SECTIONS.map((k) => [k, { colour: "red" }]));
  const c = checkConfig(raw, "shipgate.yml", "/");
  if (!c.ok) return t.fail(c.error);
  t.deepEqual(Object.keys(c.value.sections), [...SERVICE_SECTIONS]);
  const checkers: Record<string, (v: unknown, at: string) => { ok: boolean }> = {
    ci: (v, at) => checkCiSection(v, at, {}),
    argocd: (v, at) => checkArgoConfig(v, at, "/"),
    notifications: (v, at) => checkNotificationsSection(v, at, {}),
    security: checkSecuritySection,
    counters: checkCountersSection,
    dashboard: checkDashboardSection,
  };
  for (const [key, check] of Object.entries(checkers)) {
    t.true(SERVICE_SECTIONS.includes(key), key);
    const err = t.throws(() => sectionOf(c.value, key, check as never), { instanceOf: ConfigError });
    t.regex(err?.message ?? "", new RegExp(`^shipgate\\.yml: ${key}\\.`), key);
    // The registered schema is the one the checker uses: it refuses the same section.
    const section = SECTIONS.find((s) => s.key === key);
    t.false(section?.schema.safeParse(raw[key]).success, key);
  }
});

test("service sections: wrong type, unknown key, out of range and a missing secret name their key", (t) => {
  const cases: [{ ok: boolean; field?: string; error?: string }, string, RegExp][] = [
    [checkDashboardSection({ max_streams: 0 }, "dashboard"), "dashboard.max_streams", /^must be between 1 and 10000$/],
    [checkDashboardSection({ title: 5 }, "dashboard"), "dashboard.title", /^must be a string$/],
    [checkSecuritySection({ session_ttl: "30s" }, "security"), "security.session_ttl", /at least a minute/],
    [
      checkSecuritySection({ event_burts: 3 }, "security"),
      "security.event_burts",
      /not a known setting \(known: lock_requests_per_minute, lock_request_burst, events_per_minute, event_burst, session_ttl\)/,
    ],
    [checkNotificationsSection({ slack: { url_env: "HOOK" } }, "notifications", {}), "notifications.slack.url_env", /^environment variable HOOK is not set$/],
    [checkNotificationsSection({ slack: { url: "ftp://x" } }, "notifications", {}), "notifications.slack.url", /http/],
    [checkNotificationsSection({ slack: { url: "https://x", events: ["lock.nope"] } }, "notifications", {}), "notifications.slack.events.0", /^must be one of lock.pending/],
    [checkCountersSection({ f: { day: "fri", pipelines: [] } }, "counters"), "counters.f.pipelines", /^is not a setting of a deploy-day counter \(known: kind, day, timezone, environment, label\)$/],
    [checkCountersSection({ f: { kind: "first-green" } }, "counters"), "counters.f.kind", /^must be one of deploy-day, last-red$/],
    [
      checkCiSection({ pipelines: { api: { provider: "jenkins", base_url: "http://j", job: "x", colour: 1 } } }, "ci", {}),
      "ci.pipelines.api.colour",
      /known: provider, base_url, branch, token_env, interval, timeout, job, user, history\)$/,
    ],
    [checkCiSection({ pipelines: { api: { provider: "travis" } } }, "ci", {}), "ci.pipelines.api.provider", /^must be one of github, gitlab/],
    [checkCiSection({ pipelines: { api: { provider: "github", repo: "a/b", token_env: "GH" } } }, "ci", {}), "ci.pipelines.api.token_env", /^environment variable GH is not set$/],
    [checkCiSection({ pipelines: { "a b": { provider: "github" } } }, "ci", {}), "ci.pipelines.a b", /^pipeline names are letters/],
    [checkCiSection({ webhooks: { github: {} } }, "ci", {}), "ci.webhooks.github.secret_env", /^is required: the environment variable holding the secret$/],
    [checkCiSection({ reserve: -1 }, "ci", {}), "ci.reserve", /^must be between 0 and 100000$/],
    [checkCiSection({ freshness: "later" }, "ci", {}), "ci.freshness", /^must be a duration/],
    [checkArgoConfig({ url: "https://a", token_env: "T", stream_failures: 0 }, "argocd", "/"), "argocd.stream_failures", /^must be between 1 and 100$/],
  ];
  for (const [result, field, error] of cases) {
    t.false(result.ok, field);
    t.is(result.field, field);
    t.regex(result.error ?? "", error, field);
  }
});

test("durations shown in the docs read back as the same value", (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 ** 10 }), (ms) => parseDuration(showDuration(ms)) === ms));
  t.is(showDuration(3_600_000), "1h");
  t.is(showDuration(2_500), "2500ms");
});
