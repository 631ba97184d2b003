// A bridge on PostgreSQL when the store goes away and comes back: a killed session is reconnected
// at the next statement; a database that refuses connections makes requests fail (answered on
// the client's errors topic) while the bridge stays up; once it accepts connections again, the
// bridge stores requests again, without a restart.

import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import pg from "pg";
import { GatesService } from "../src/gates/gates-service";
import { testPostgresUrl } from "./helpers/ha-postgres";
import { waitFor } from "./helpers/bridge";
import { postgresOnly, storeConfig, storeUrl } from "./helpers/store-backends";
import { collect, startSecureBridge, topics } from "./security-support";

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() as string });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

postgresOnly("the store's session killed, then its database closed to connections and reopened: the bridge stays up and stores requests again", async (t) => {
  const rig = await startSecureBridge(storeConfig());
  t.teardown(() => rig.stop());
  const gates = rig.bridge.service(GatesService) as GatesService;
  const database = new URL(storeUrl() as string).pathname.slice(1);
  const client = await rig.connectAs("ci", "pipeline", { clientId: "ci-faults" });
  await client.subscribeAsync(topics.errors("ci-faults"), { qos: 1 });
  const received = collect(client);
  const request = async () => {
    const id = randomUUID();
    await client.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "deploy" }), { qos: 1 });
    return id;
  };

  const first = await request();
  await waitFor("the first request stored", () => gates.locks.get(first)?.state === "pending");

  await onServer(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND application_name = 'shipgate-bridge'`);
  const second = await request();
  await waitFor("a request after the session was killed", () => gates.locks.get(second)?.state === "pending");

  await onServer(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
  await onServer(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
  const refused = await request();
  await waitFor("the refusal on the errors topic", () => received.some((m) => m.topic === topics.errors("ci-faults") && m.payload.includes(refused)), 10_000);
  const health = await fetch(`${rig.bridge.httpUrl}/healthz`);
  t.is(health.status, 200, "the bridge is up while its store is not");

  await onServer(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
  const after = await request();
  await waitFor("a request once the store is back", () => gates.locks.get(after)?.state === "pending", 10_000);
  t.is(gates.locks.get(refused), undefined, "the refused request was not half stored");
  t.deepEqual(
    gates.locks.pending().map((l) => l.id),
    [first, second, after],
  );
  await client.endAsync();
  void mqtt;
});
