// store.url and SHIPGATE_STORE_URL: absent means the SQLite file; a postgres:// URL means
// PostgreSQL; anything else is refused with the key named, and an unreachable server ends
// `shipgate start` with one line, before anything listens.

import test from "ava";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../src/bridge-config";
import { storeUrlOf } from "../src/store-config";
import { freePort, runShipgate, tempDir } from "./helpers/bridge";

function configWith(yaml: string) {
  const dir = tempDir();
  const file = path.join(dir, "shipgate.yml");
  writeFileSync(file, yaml);
  return loadConfig({ file, env: {} });
}

test("absent: the SQLite file; store.url in the file; the environment wins", (t) => {
  t.is(storeUrlOf(configWith("{}\n"), {}), null);
  const config = configWith("store:\n  url: postgres://shipgate@db.internal:5432/shipgate\n");
  t.is(storeUrlOf(config, {}), "postgres://shipgate@db.internal:5432/shipgate");
  t.is(storeUrlOf(config, { SHIPGATE_STORE_URL: "postgresql://other@db2/x" }), "postgresql://other@db2/x");
});

test("a URL that is not PostgreSQL's, or not a string, is refused naming where it came from", (t) => {
  t.throws(() => storeUrlOf(configWith("store:\n  url: sqlite:///var/lib/x.db\n"), {}), { message: /shipgate\.yml: store\.url: must be a postgres:\/\/ URL/ });
  t.throws(() => storeUrlOf(configWith("store:\n  url: 5\n"), {}), { message: /store\.url: must be a string/ });
  t.throws(() => storeUrlOf(configWith("store:\n  uri: postgres://a@b/c\n"), {}), { message: /store\.uri: is not a known setting \(known: url\)/ });
  t.throws(() => storeUrlOf(configWith("{}\n"), { SHIPGATE_STORE_URL: "not a url" }), { message: /^environment: SHIPGATE_STORE_URL: must be a PostgreSQL URL/ });
});

test("shipgate start with an unreachable PostgreSQL: one line naming it (password hidden), exit 1, nothing left behind", async (t) => {
  const stateDir = path.join(tempDir(), "state");
  const run = runShipgate(["start"], {
    SHIPGATE_STATE_DIR: stateDir,
    SHIPGATE_BROKER_PORT: String(await freePort()),
    SHIPGATE_HTTP_PORT: String(await freePort()),
    SHIPGATE_STORE_URL: "postgres://shipgate:s3cret@127.0.0.1:1/shipgate",
    // A shared store goes with an external broker (nothing listens there either: the store fails first).
    SHIPGATE_BROKER_URL: "mqtt://127.0.0.1:1",
  });
  t.is(await run.exit, 1);
  t.regex(run.stderr(), /^shipgate start: .*ECONNREFUSED 127\.0\.0\.1:1/m);
  t.is(run.stderr().trim().split("\n").length, 1, run.stderr());
  t.notRegex(run.stderr(), /s3cret/);
  t.false(existsSync(stateDir), "no state directory made");
});
