// The `argocd` config section, its secrets, and the label selectors used for sync_selector.

import { writeFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { checkArgoConfig } from "../src/argocd/config";
import { readCredentials } from "../src/argocd/credentials";
import { matchesSelector, parseSelector } from "../src/argocd/labels";
import { ConfigError, checkConfig, sectionOf } from "../src/bridge-config";
import { tempDir } from "./helpers/bridge";

const check = (raw: unknown) => checkArgoConfig(raw, "argocd", "/etc/shipgate");

test("a token config gets the documented defaults and resolves files against the config's folder", (t) => {
  const c = check({ url: "https://argocd.example.com/", token_file: "argocd-token", allow: ["web-*"] });
  if (!c.ok) return t.fail(c.error);
  t.like(c.value, {
    url: "https://argocd.example.com",
    auth: { kind: "token", env: null, file: "/etc/shipgate/argocd-token" },
    projects: [],
    selector: null,
    allow: ["web-*"],
    require_approval: false,
    poll_interval_ms: 30_000,
    segment: { start: 20, count: 4 },
    insecure: false,
    ca: null,
  });
});

test("durations, segment, projects and selectors are read", (t) => {
  const c = check({
    url: "http://argocd:8080",
    username: "shipgate",
    password_env: "ARGOCD_PASSWORD",
    projects: ["shop"],
    selector: "team=web",
    sync_selector: "tier in (frontend), !frozen",
    poll_interval: "1m",
    sync_timeout: "15m",
    segment: { start: 0, count: 6 },
    require_approval: true,
    gadgets: ["desk-1"],
    ca: "ca.pem",
  });
  if (!c.ok) return t.fail(c.error);
  t.like(c.value, {
    auth: { kind: "password", username: "shipgate", env: "ARGOCD_PASSWORD", file: null },
    projects: ["shop"],
    selector: "team=web",
    sync_selector_text: "tier in (frontend), !frozen",
    poll_interval_ms: 60_000,
    sync_timeout_ms: 900_000,
    segment: { start: 0, count: 6 },
    require_approval: true,
    gadgets: ["desk-1"],
    ca: "/etc/shipgate/ca.pem",
  });
});

test("mistakes name the key and the reason", (t) => {
  const cases: [unknown, string, RegExp][] = [
    [{ token_env: "T" }, "argocd.url", /required/],
    [{ url: "ftp://x", token_env: "T" }, "argocd.url", /http/],
    [{ url: "https://x" }, "argocd.token_env", /exactly one of token_env or token_file/],
    [{ url: "https://x", token_env: "T", token_file: "f" }, "argocd.token_env", /exactly one/],
    [{ url: "https://x", token_env: "T", username: "u", password_env: "P" }, "argocd.username", /not both/],
    [{ url: "https://x", username: "u" }, "argocd.password_env", /exactly one of password_env or password_file/],
    [{ url: "https://x", token_env: "not a name" }, "argocd.token_env", /environment variable name/],
    [{ url: "https://x", token_env: "T", poll_interval: "soon" }, "argocd.poll_interval", /duration/],
    [{ url: "https://x", token_env: "T", sync_selector: "tier in (a" }, "argocd.sync_selector", /parentheses/],
    [{ url: "https://x", token_env: "T", segment: { start: 0 } }, "argocd.segment.count", /required/],
    [{ url: "https://x", token_env: "T", allow: "web" }, "argocd.allow", /array/],
    [{ url: "https://x", token_env: "T", hold: 2000 }, "argocd.hold", /not a known setting/],
  ];
  for (const [raw, field, error] of cases) {
    const c = check(raw);
    t.false(c.ok, JSON.stringify(raw));
    if (!c.ok) {
      t.is(c.field, field, JSON.stringify(raw));
      t.regex(c.error, error, JSON.stringify(raw));
    }
  }
});

test("sectionOf turns a bad section into a ConfigError naming the file", (t) => {
  const config = checkConfig({ argocd: { url: "https://x" } }, "shipgate.yaml", "/tmp");
  if (!config.ok) return t.fail(config.error);
  const err = t.throws(() => sectionOf(config.value, "argocd", (v, at) => checkArgoConfig(v, at, "/tmp")), { instanceOf: ConfigError });
  t.regex(err?.message ?? "", /^shipgate\.yaml: argocd\.token_env: /);
});

test("secrets come from the named variable or file, trimmed; a missing one is a ConfigError", (t) => {
  const dir = tempDir();
  const file = path.join(dir, "token");
  writeFileSync(file, "abc\n");
  t.deepEqual(readCredentials("c.yaml", { kind: "token", env: null, file }, {}), { kind: "token", token: "abc" });
  t.deepEqual(readCredentials("c.yaml", { kind: "password", username: "u", env: "PW", file: null }, { PW: " pw " }), { kind: "password", username: "u", password: "pw" });
  t.throws(() => readCredentials("c.yaml", { kind: "token", env: "NOPE", file: null }, {}), { instanceOf: ConfigError, message: /argocd\.token_env: environment variable NOPE/ });
  t.throws(() => readCredentials("c.yaml", { kind: "token", env: null, file: path.join(dir, "missing") }, {}), { instanceOf: ConfigError, message: /argocd\.token_file: cannot read .*ENOENT/ });
});

test("label selectors follow the Kubernetes grammar", (t) => {
  const labels = { tier: "frontend", team: "web", "app.kubernetes.io/part-of": "shop" };
  const cases: [string, boolean][] = [
    ["tier=frontend", true],
    ["tier==frontend", true],
    ["tier!=frontend", false],
    ["tier!=backend", true],
    ["missing!=x", true],
    ["tier in (frontend, backend)", true],
    ["tier notin (frontend)", false],
    ["missing notin (frontend)", true],
    ["team", true],
    ["!team", false],
    ["!frozen", true],
    ["app.kubernetes.io/part-of=shop,tier=frontend", true],
    ["app.kubernetes.io/part-of=shop,tier=backend", false],
  ];
  for (const [text, expected] of cases) {
    const parsed = parseSelector(text);
    if (!parsed.ok) {
      t.fail(`${text}: ${parsed.error}`);
      continue;
    }
    t.is(matchesSelector(parsed.value, labels), expected, text);
  }
  for (const bad of ["", "tier in (a", "tier=a b", "=x", "a,,b"]) t.false(parseSelector(bad).ok, bad);
});
