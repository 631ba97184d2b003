// Presence as the nodes of a fleet know it, against a real bridge with its secure broker: the real
// `shipgate presence beat` announces nodes with a part and facts, the bridge keeps one JSON file
// per node in presence.directory (real files, replaced atomically), marks a node offline in its
// file once its beats stop, restores the files after a restart, and `presence list` and
// `shipgate status` show them. A viewer may beat only as itself.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import test from "ava";
import { FakeClock } from "./helpers/fake-clock";
import { runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { startSecureBridge } from "./security-support";
import { PresenceService } from "../src/presence/presence-service";

function readNode(dir: string, node: string): Record<string, unknown> | null {
  const file = path.join(dir, `${node}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : null;
}

test("beats become one file per node; a node whose beats stop is offline in its file; list, status and a restart agree", async (t) => {
  const dir = path.join(tempDir("shipgate-nodes-"), "nodes");
  const stateDir = tempDir("shipgate-presence-");
  const clock = new FakeClock(Date.parse("2026-12-01T10:00:00Z"));
  const rig = await startSecureBridge({ presence: { directory: dir } }, { clock, stateDir });
  const web1 = rig.addUser("web-1", "viewer");
  const env = { SHIPGATE_BROKER_URL: rig.bridge.brokerUrl, SHIPGATE_STATE_DIR: rig.stateDir };
  const asWeb1 = { ...env, SHIPGATE_USERNAME: web1.username, SHIPGATE_PASSWORD: web1.password };

  const beat = runShipgate(
    ["presence", "beat", "--node", "web-1", "--part", "web", "--label", "Web 1", "--interval", "60s", "--once", "--fact", "addr=10.0.0.11:8080", "--fact", "version=1.4.2"],
    asWeb1,
  );
  t.is(await beat.exit, 0, beat.stderr());
  // The local admin may beat for any node (the bridge's own machine, a timer there).
  const db = runShipgate(["presence", "beat", "--node", "db-1", "--part", "db", "--interval", "30s", "--once"], env);
  t.is(await db.exit, 0, db.stderr());

  const web = await waitFor("web-1's file", () => readNode(dir, "web-1"));
  t.like(web, { node: "web-1", online: true, part: "web", label: "Web 1", interval_s: 60, facts: { addr: "10.0.0.11:8080", version: "1.4.2" } });
  t.is(web.last_seen, "2026-12-01T10:00:00.000Z");
  await waitFor("db-1's file", () => readNode(dir, "db-1"));
  t.deepEqual(readdirSync(dir).sort(), ["db-1.json", "web-1.json"], "no temporary files are left behind");

  // A viewer beating as another node is refused by the broker's ACL.
  const spoof = runShipgate(["presence", "beat", "--node", "db-1", "--interval", "30s", "--once"], asWeb1);
  t.is(await spoof.exit, 1);
  t.regex(spoof.stderr(), /did not take the beat on shipgate\/v1\/presence\/db-1/);
  t.is((readNode(dir, "db-1") as { interval_s: number }).interval_s, 30);

  const list = runShipgate(["presence", "list", "--json", "--part", "web"], env);
  t.is(await list.exit, 0, list.stderr());
  const listed = JSON.parse(list.stdout()) as { id: string; online: boolean; last_seen: string; part: string }[];
  t.deepEqual(
    listed.map((n) => [n.id, n.online, n.part, n.last_seen]),
    [["web-1", true, "web", "2026-12-01T10:00:00.000Z"]],
  );

  // db-1 beats every 30 s: after 91 s without a beat it is offline, web-1 (60 s) is not yet.
  clock.advance(91_000);
  const presence = rig.bridge.service(PresenceService)!;
  presence.sweep();
  await waitFor("db-1 offline in its file", () => readNode(dir, "db-1")?.online === false);
  t.is(readNode(dir, "web-1")?.online, true);

  const status = runShipgate(["status"], env);
  t.is(await status.exit, 0, status.stderr());
  t.regex(status.stdout(), /nodes: 1 of 2 online/);
  t.regex(status.stdout(), /web-1 \[web\]: online \(last seen 2026-12-01T10:00:00.000Z\) "Web 1" addr=10.0.0.11:8080 version=1.4.2/);
  t.regex(status.stdout(), /db-1 \[db\]: offline/);

  const metrics = await (await fetch(`${rig.bridge.httpUrl}/metrics`)).text();
  t.regex(metrics, /^shipgate_nodes_online 1$/m);
  await rig.stop();

  // After a restart the files are read back: web-1 is still due (online), db-1 stays offline;
  // once web-1's beats are overdue too its file says so.
  clock.advance(60_000);
  const again = await startSecureBridge({ presence: { directory: dir } }, { clock, stateDir });
  t.teardown(() => again.stop());
  const restored = again.bridge.service(PresenceService)!;
  t.deepEqual(
    restored
      .list()
      .filter((n) => n.kind === "node")
      .map((n) => [n.id, n.online])
      .sort(),
    [
      ["db-1", false],
      ["web-1", true],
    ],
  );
  clock.advance(30_000);
  restored.sweep();
  t.is(readNode(dir, "web-1")?.online, false);
});

test("a beat with a bad fact or interval is refused by the command, naming the flag", async (t) => {
  const bad = runShipgate(["presence", "beat", "--node", "web-1", "--fact", "no-equals"]);
  t.is(await bad.exit, 3);
  t.regex(bad.stderr(), /--fact must be key=value/);
  const long = runShipgate(["presence", "beat", "--node", "web-1", "--interval", "2h"]);
  t.is(await long.exit, 3);
  t.regex(long.stderr(), /--interval must be a duration from 1s to 1h/);
  const part = runShipgate(["presence", "beat", "--node", "web-1", "--part", "a/b"]);
  t.is(await part.exit, 3);
  t.regex(part.stderr(), /--part: must be letters/);
});

test("presence.directory: an unknown key is a config error naming it", async (t) => {
  const err = await t.throwsAsync(startSecureBridge({ presence: { dir: "/tmp/x" } }));
  t.regex(err?.message ?? "", /presence\.dir: is not a known setting/);
});
