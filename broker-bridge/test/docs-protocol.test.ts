// docs/protocol.md's topic table is generated from the message descriptors; this fails when the
// committed doc drifts from them (fix: npm run docs:protocol), and the router subscribes exactly
// the descriptors' filters with the descriptors' limits.

import test from "ava";
import { readFileSync } from "node:fs";
import { ALL_MESSAGES, MESSAGES, type MessageDescriptor, Topics } from "@shipgate/protocol";
import { PROTOCOL_DOC, renderProtocolDoc } from "../../tools/protocol-doc";
import { MessageRouter } from "../src/link/message-router";
import type { InboundMessage, Link, MessageHandler } from "../src/link/link";
import { quietLog } from "./helpers/bridge";

test("the committed topic table is the one the descriptors give (else: npm run docs:protocol)", (t) => {
  const doc = readFileSync(PROTOCOL_DOC, "utf8");
  t.is(renderProtocolDoc(doc), doc);
});

test("a changed descriptor changes the table, so the check above can fail", (t) => {
  const doc = readFileSync(PROTOCOL_DOC, "utf8");
  const changed: MessageDescriptor[] = ALL_MESSAGES.map((m) => (m === MESSAGES.gadgetTelemetry ? { ...m, qos: [1] } : m));
  t.not(renderProtocolDoc(doc, changed), doc);
  t.throws(() => renderProtocolDoc("# no table here"), { message: /no generated topic table/ });
});

test("every descriptor's filter matches its own topics and parse() gives its kind", (t) => {
  const topics = new Topics();
  const sample = (m: MessageDescriptor) =>
    topics.prefix +
    m.topic
      .replace("<id>", "0b8f2f7e-6c1d-4a55-9d5e-2f0c7a1b3c4d")
      .replace("<command>", "mode")
      .replace(/<[^>]+>/g, "desk-1");
  for (const m of ALL_MESSAGES) t.is(topics.parse(sample(m)).kind, m.kind, m.topic);
  // Two descriptors may share a kind (locks/request and locks/request/<user> carry the same
  // request); the router keys its routes by filter, which stays one per descriptor.
  t.deepEqual(new Set(ALL_MESSAGES.map((m) => m.filter)).size, ALL_MESSAGES.length, "one descriptor per filter");
});

test("the router: one subscription per descriptor, limits before parsing, one refusal, checked values to every handler", (t) => {
  const handlers = new Map<string, MessageHandler>();
  const link = { kind: "embedded", subscribe: (f: string, h: MessageHandler) => void handlers.set(f, h) } as unknown as Link;
  const refused: string[] = [];
  const topics = new Topics();
  const router = new MessageRouter(link, topics, (m, field, error, id) => void refused.push(`${m.topic} ${field} ${error} ${id ?? ""}`.trim()), quietLog);
  const seen: string[] = [];
  router.on(MESSAGES.gadgetTelemetry, ({ topic, value }) => void seen.push(`presence ${topic.gadget} ${value.interval_s}`), { owner: "presence" });
  router.on(MESSAGES.gadgetTelemetry, () => void seen.push("dashboard"), { owner: "dashboard" });
  router.on(MESSAGES.lockRequest, () => void seen.push("request"), { owner: "gates" });
  t.throws(() => router.on(MESSAGES.lockState, () => {}, { owner: "x" }), { message: /publishes and does not receive/ });
  t.deepEqual([...handlers.keys()], [topics.allGadgetTelemetry(), topics.lockRequest()]);
  t.deepEqual(router.table(), [
    { filter: topics.allGadgetTelemetry(), message: "gadget-telemetry", owners: ["presence", "dashboard"] },
    { filter: topics.lockRequest(), message: "lock-request", owners: ["gates"] },
  ]);
  const send = (filter: string, topic: string, payload: string | Buffer) => handlers.get(filter)?.({ topic, payload: Buffer.from(payload), from: null } satisfies InboundMessage);
  const telemetry = { uptime_s: 5, rssi: -60, free_heap: 1000, version: "1.0", restart_reason: "power", outbox: 0, interval_s: 30 };
  send(topics.allGadgetTelemetry(), topics.gadgetTelemetry("desk-1"), JSON.stringify(telemetry));
  send(topics.allGadgetTelemetry(), topics.gadgetTelemetry("desk-1"), "{not json");
  send(topics.allGadgetTelemetry(), topics.gadgetTelemetry("desk-1"), Buffer.alloc(2000, 0x20));
  send(topics.lockRequest(), topics.lockRequest(), JSON.stringify({ id: "abc", pipeline: "" }));
  t.is(seen[0], "presence desk-1 30");
  t.is(seen[1], "dashboard");
  t.is(seen.length, 2, "refused payloads reach no handler");
  t.is(refused.length, 3, "each bad payload is refused once, not once per handler");
  t.regex(refused[1] ?? "", /1024/);
  t.regex(refused[2] ?? "", / abc$/, "a refused lock request is answered with its id");
});
