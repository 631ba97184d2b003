// Malformed requests are never dropped silently (contract): each gets an answer on
// errors/<client id> naming the field, and nothing else changes.
import test from "ava";
import { DEFAULT_PREFIX, type ErrorReply, LOCK_REQUEST_MAX_BYTES, Topics } from "@shipgate/protocol";
import { GatesService } from "../src/gates/gates-service";
import { connectClient, nextMessage, startTestBridge } from "./helpers/bridge";

const topics = new Topics(DEFAULT_PREFIX);
const ID = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";

const cases: { name: string; payload: string; field: string; error: RegExp }[] = [
  { name: "bad JSON", payload: '{"id": "x",', field: "", error: /not valid JSON/ },
  { name: "not an object", payload: "[1,2]", field: "", error: /JSON object/ },
  { name: "missing pipeline", payload: JSON.stringify({ id: ID, step: "prod" }), field: "pipeline", error: /required/ },
  { name: "wrong type", payload: JSON.stringify({ id: ID, pipeline: 7, step: "prod" }), field: "pipeline", error: /string/ },
  { name: "unknown id format", payload: JSON.stringify({ id: "build-42", pipeline: "api", step: "prod" }), field: "id", error: /UUID/ },
  { name: "timeout out of range", payload: JSON.stringify({ id: ID, pipeline: "api", step: "prod", timeout_s: -5 }), field: "timeout_s", error: /between/ },
  { name: "oversized", payload: JSON.stringify({ id: ID, pipeline: "api", step: "prod", summary: "x".repeat(LOCK_REQUEST_MAX_BYTES) }), field: "", error: /limit of 4096/ },
  { name: "empty", payload: "", field: "", error: /empty/ },
];

test("each malformed lock request is answered on errors/<client id> with its field, and creates nothing", async (t) => {
  const bridge = await startTestBridge();
  const client = await connectClient(bridge.brokerUrl, { clientId: "pipeline-7" });
  try {
    await client.subscribeAsync(topics.errors("pipeline-7"), { qos: 1 });
    for (const c of cases) {
      const answer = nextMessage(client, topics.errors("pipeline-7"));
      await client.publishAsync(topics.lockRequest(), c.payload, { qos: 1 });
      const reply = JSON.parse((await answer).toString()) as ErrorReply;
      t.is(reply.topic, topics.lockRequest(), c.name);
      t.is(reply.field, c.field, c.name);
      t.regex(reply.error, c.error, c.name);
    }
    const gates = bridge.service(GatesService)!;
    t.is(gates.locks.pendingCount(), 0, "no lock was created");
    t.deepEqual(bridge.context.store.db.prepare("SELECT COUNT(*) AS n FROM locks").get(), { n: 0 });

    // A well-formed request still works afterwards: the bridge kept going.
    const state = nextMessage(client, topics.lockState(ID));
    await client.subscribeAsync(topics.lockState(ID), { qos: 1 });
    await client.publishAsync(topics.lockRequest(), JSON.stringify({ id: ID, pipeline: "api", step: "prod" }), { qos: 1 });
    t.is(JSON.parse((await state).toString()).state, "pending");
    // The same id for another pipeline is refused, naming the id.
    const clash = nextMessage(client, topics.errors("pipeline-7"));
    await client.publishAsync(topics.lockRequest(), JSON.stringify({ id: ID, pipeline: "web", step: "prod" }), { qos: 1 });
    const reply = JSON.parse((await clash).toString()) as ErrorReply;
    t.is(reply.field, "id");
    t.is(reply.id, ID);
  } finally {
    await client.endAsync();
    await bridge.stop();
  }
});

test("malformed cancels and admin commands are answered too", async (t) => {
  const bridge = await startTestBridge();
  const client = await connectClient(bridge.brokerUrl, { clientId: "ops" });
  try {
    await client.subscribeAsync(topics.errors("ops"), { qos: 1 });
    let answer = nextMessage(client, topics.errors("ops"));
    await client.publishAsync(topics.lockCancel(ID), "", { qos: 1 });
    t.regex(JSON.parse((await answer).toString()).error, /no lock/);
    answer = nextMessage(client, topics.errors("ops"));
    await client.publishAsync(topics.adminCommand("anonymous", "mode"), '{"mode":"party"}', { qos: 1 });
    const reply = JSON.parse((await answer).toString()) as ErrorReply;
    t.is(reply.field, "correlation");
  } finally {
    await client.endAsync();
    await bridge.stop();
  }
});
