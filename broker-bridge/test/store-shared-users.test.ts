// With a shared PostgreSQL store, users and credentials live in it: `shipgate user add` run with
// SHIPGATE_STORE_URL (the real executable, no bridge involved) is seen by every bridge on the
// store at the user's next connection, a removal locks the user out of all of them, and a
// gadget's signing secret reaches each bridge without a file on its machine.

import test from "ava";
import mqtt from "mqtt";
import { existsSync } from "node:fs";
import path from "node:path";
import { runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { postgresOnly, storeConfig, storeUrl } from "./helpers/store-backends";
import { type SecureRig, startSecureBridge } from "./security-support";

async function connects(rig: SecureRig, username: string, password: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(rig.bridge.brokerUrl, { username, password, reconnectPeriod: 0, connectTimeout: 5000 });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

postgresOnly("shipgate user add/list/remove against the shared store: every bridge on it authorizes the same", async (t) => {
  const a = await startSecureBridge(storeConfig());
  t.teardown(() => a.stop());
  const b = await startSecureBridge(storeConfig());
  t.teardown(() => b.stop());
  // One first start made the admin; the other bridge found it there.
  t.deepEqual(
    a.users.users().map((u) => u.username),
    ["admin"],
  );
  t.false(existsSync(path.join(a.stateDir, "users.json")) || existsSync(path.join(b.stateDir, "users.json")), "no users file on either machine");

  const env = { SHIPGATE_STORE_URL: storeUrl() as string, SHIPGATE_STATE_DIR: tempDir("shipgate-cli-") };
  const add = runShipgate(["user", "add", "ci", "--role", "pipeline"], env);
  t.is(await add.exit, 0, add.stderr());
  const password = /password: (\S+)/.exec(add.stdout())?.[1] as string;
  t.truthy(password);
  t.true(await connects(a, "ci", password), "bridge A authorizes the new user");
  t.true(await connects(b, "ci", password), "bridge B authorizes the new user");
  t.false(await connects(b, "ci", "not-its-password"));

  const twice = runShipgate(["user", "add", "ci", "--role", "viewer"], env);
  t.is(await twice.exit, 1);
  t.regex(twice.stderr(), /already exists/);

  const gadget = runShipgate(["user", "add", "desk-1", "--role", "gadget"], env);
  t.is(await gadget.exit, 0, gadget.stderr());
  const secret = /secret: (\S+)/.exec(gadget.stdout())?.[1];
  t.truthy(secret);
  t.is(a.users.gadgetSecret("desk-1"), secret, "the signing secret is in the store, where each bridge reads it");
  t.is(b.users.gadgetSecret("desk-1"), secret);

  const list = runShipgate(["user", "list", "--json"], env);
  t.is(await list.exit, 0, list.stderr());
  t.deepEqual(
    (JSON.parse(list.stdout()) as { username: string; secret: boolean }[]).map((u) => [u.username, u.secret]),
    [
      ["admin", false],
      ["ci", false],
      ["desk-1", true],
    ],
  );

  // The gadget twin on bridge A's machine (its local admin file) makes its own account in the store.
  const twin = runShipgate(["gadget", "--id", "twin-1"], { SHIPGATE_STORE_URL: storeUrl() as string, SHIPGATE_STATE_DIR: a.stateDir, SHIPGATE_BROKER_PORT: new URL(a.bridge.brokerUrl).port });
  t.teardown(() => twin.child.kill("SIGKILL"));
  await waitFor("the twin's account in the store", () => b.users.get("twin-1")?.role === "gadget", 20_000);
  t.false(existsSync(path.join(a.stateDir, "users.json")), "not in a users file");
  const online = () => (a.bridge.context.status.snapshot().gadgets as { id: string; online?: boolean; state?: string }[]).find((g) => g.id === "twin-1");
  await waitFor("the twin online at bridge A", () => online(), 20_000);
  t.deepEqual(
    a.audit("auth.connect.denied").filter((r) => r.detail?.user === "twin-1"),
    [],
    `no refused connection: ${twin.stderr()}`,
  );
  twin.child.kill("SIGTERM");
  await twin.exit;

  const remove = runShipgate(["user", "remove", "ci"], env);
  t.is(await remove.exit, 0, remove.stderr());
  t.false(await connects(a, "ci", password), "removed: refused by A");
  t.false(await connects(b, "ci", password), "removed: refused by B");
});

// No server needed: nothing listens on port 1.
test("an unreachable store is a clear error from shipgate user, not a stack trace", async (t) => {
  const env = { SHIPGATE_STORE_URL: "postgres://shipgate@127.0.0.1:1/none", SHIPGATE_STATE_DIR: tempDir("shipgate-cli-") };
  const list = runShipgate(["user", "list"], env);
  t.is(await list.exit, 1);
  t.regex(list.stderr(), /^shipgate user: cannot open the PostgreSQL store postgres:\/\/shipgate@127\.0\.0\.1:1\/none: .*ECONNREFUSED/m);
  const bad = runShipgate(["user", "list"], { ...env, SHIPGATE_STORE_URL: "mysql://x@y/z" });
  t.is(await bad.exit, 3);
  t.regex(bad.stderr(), /invalid config: environment: SHIPGATE_STORE_URL: must be a postgres:\/\/ URL/);
});
