// Every topic the bridge subscribes to is fed random and mutated payloads (fast-check) over a real
// connection, as an admin so the broker's ACL does not close the connection first: the bridge
// stays up and answers each one with an error (errors/<client id>, or a failed admin reply), and
// nothing changes. The topics come from the bridge itself: a first service records every filter
// the others subscribe, and the test checks its concrete topics cover them all.
import test from "ava";
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import mqtt from "mqtt";
import {
  type Checked,
  GADGET_EVENT_MAX_BYTES,
  HEARTBEAT_MAX_BYTES,
  LOCK_REQUEST_MAX_BYTES,
  checkAvailability,
  checkGadgetEvent,
  checkLockRequest,
  checkPresenceBeat,
  checkTelemetry,
  decode,
} from "@shipgate/protocol";
import { startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { GatesService } from "../src/gates/gates-service";
import { topicMatches } from "../src/link/topic-filter";
import type { Service } from "../src/service";
import { AuditService } from "../src/audit/audit-service";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService as Gates } from "../src/gates/gates-service";
import { PresenceService } from "../src/presence/presence-service";
import { SecurityService } from "../src/security/security-service";
import { quietLog, tempDir, waitFor } from "./helpers/bridge";
import { topics } from "./security-support";

interface Target {
  topic: string;
  /** A valid payload to mutate. */
  sample: Record<string, unknown>;
  /** Whether the bridge would accept this payload (those are not fed: each fed payload must be refused). */
  accepted(payload: Buffer): boolean;
}

const valid =
  <T>(max: number, check: (v: unknown) => Checked<T>) =>
  (p: Buffer) =>
    decode(p, max, check).ok;

const TARGETS: Target[] = [
  { topic: topics.lockRequestFor("fuzzer"), sample: { id: randomUUID(), pipeline: "api", step: "deploy" }, accepted: valid(LOCK_REQUEST_MAX_BYTES, checkLockRequest) },
  { topic: topics.lockRequest(), sample: { id: randomUUID(), pipeline: "api", step: "deploy", summary: "v1", timeout_s: 60 }, accepted: valid(LOCK_REQUEST_MAX_BYTES, checkLockRequest) },
  // No such lock: every cancel is refused, whatever its payload.
  { topic: topics.lockCancel(randomUUID()), sample: {}, accepted: () => false },
  { topic: topics.lockCancelFor(randomUUID(), "fuzzer"), sample: {}, accepted: () => false },
  // No lock is pending: a decide is refused even when well-formed.
  { topic: topics.adminCommand("admin", "decide"), sample: { correlation: "c1", decision: "approve" }, accepted: () => false },
  { topic: topics.gadgetEvent("fz-1"), sample: { button: "approve", gesture: "short", boot: 1, seq: 1 }, accepted: valid(GADGET_EVENT_MAX_BYTES, checkGadgetEvent) },
  // An empty status is a cleared retained message, silently fine.
  { topic: topics.gadgetStatus("fz-1"), sample: { state: "online", version: "1.0" }, accepted: (p) => p.length === 0 || valid(HEARTBEAT_MAX_BYTES, checkAvailability)(p) },
  {
    topic: topics.gadgetTelemetry("fz-1"),
    sample: { uptime_s: 1, rssi: -50, free_heap: 1000, version: "1", restart_reason: "power", outbox: 0, interval_s: 30 },
    accepted: valid(HEARTBEAT_MAX_BYTES, checkTelemetry),
  },
  { topic: topics.presence("fz-node"), sample: { state: "online", interval_s: 30 }, accepted: valid(HEARTBEAT_MAX_BYTES, checkPresenceBeat) },
];

/** Random bytes, random JSON, and valid payloads mutated by text edits or by wrong field values. */
function payloads(sample: Record<string, unknown>): fc.Arbitrary<Buffer> {
  const text = JSON.stringify(sample);
  const keys = [...Object.keys(sample), "extra"];
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)),
    fc.string({ maxLength: 200, unit: "binary" }).map((s) => Buffer.from(s)),
    fc
      .record({ at: fc.nat(), cut: fc.nat({ max: 6 }), insert: fc.string({ maxLength: 4, unit: "binary" }) })
      .map(({ at, cut, insert }) => Buffer.from(text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + cut))),
    fc.record({ key: fc.constantFrom(...keys), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ key, value }) => Buffer.from(JSON.stringify({ ...sample, [key]: value }))),
    fc.constantFrom(...keys).map((key) => {
      const { [key]: _gone, ...rest } = sample;
      return Buffer.from(JSON.stringify(rest));
    }),
    fc.nat({ max: 3 }).map((n) => Buffer.from(text + " ".repeat(LOCK_REQUEST_MAX_BYTES + n))),
  );
}

test("random and mutated payloads on every subscribed topic: the bridge stays up and answers each with an error", async (t) => {
  t.timeout(110_000);
  const filters: string[] = [];
  const recorder: Service = {
    name: "subscription-recorder",
    start(ctx) {
      const subscribe = ctx.link.subscribe.bind(ctx.link);
      ctx.link.subscribe = (filter, handler) => {
        filters.push(filter);
        subscribe(filter, handler);
      };
    },
  };
  const stateDir = tempDir();
  const checked = checkConfig(
    {
      state_dir: stateDir,
      broker: { port: 0, host: "127.0.0.1" },
      http: { port: 0 },
      security: { lock_requests_per_minute: 1_000_000, lock_request_burst: 100_000, events_per_minute: 1_000_000, event_burst: 100_000 },
    },
    "<test>",
    stateDir,
  );
  if (!checked.ok) throw new Error(checked.error);
  const services = [recorder, new AuditService(), new SecurityService(), new PresenceService(), new Gates(), new GadgetService()];
  const bridge = await startBridge({ config: checked.value, log: quietLog, services });
  t.teardown(() => bridge.stop());
  for (const filter of filters)
    t.true(
      TARGETS.some((target) => topicMatches(filter, target.topic)),
      `the fuzz covers ${filter}`,
    );

  const security = bridge.service(SecurityService) as SecurityService;
  // The bridge's own role: an admin may no longer publish gadget events (issue 13).
  const { password } = security.users.add("fuzzer", "bridge");
  const client = await mqtt.connectAsync(bridge.brokerUrl, { username: "fuzzer", password, clientId: "fuzzer", reconnectPeriod: 0 });
  t.teardown(() => client.endAsync(true));
  let answers = 0;
  let closed = false;
  client.on("close", () => (closed = true));
  client.on("message", (topic, payload) => {
    if (topic === topics.errors("fuzzer")) answers++;
    else if (topic.startsWith(topics.reply("fuzzer", "")) && JSON.parse(payload.toString()).ok === false) answers++;
  });
  await client.subscribeAsync([topics.errors("fuzzer"), `${topics.prefix}replies/fuzzer/+`], { qos: 1 });

  let fed = 0;
  for (const target of TARGETS) {
    // Admin commands are answered on replies/<user>/..., so send them as this user.
    const topic = target.topic.replace("/admin/admin/", "/admin/fuzzer/");
    await fc.assert(
      fc.asyncProperty(
        payloads(target.sample).filter((p) => !target.accepted(p)),
        async (payload) => {
          const before = answers;
          await client.publishAsync(topic, payload, { qos: 1 });
          fed++;
          await waitFor(`an error answer for ${payload.toString("hex").slice(0, 80)} on ${topic}`, () => answers > before, 5000, 2);
          return !closed;
        },
      ),
      { numRuns: 40, seed: 424242 },
    );
  }
  t.false(closed, "the connection was never dropped");
  t.is(answers, fed, "one error answer per payload");
  t.is((await fetch(`${bridge.httpUrl}/healthz`)).status, 200, "the bridge is still up");
  const gates = bridge.service(GatesService) as GatesService;
  t.is(gates.locks.pending().length, 0, "no payload created a lock");
  t.is(gates.locks.mode().mode, "default", "no payload changed the mode");
  // And it still works.
  const id = randomUUID();
  await client.publishAsync(topics.lockRequest(), JSON.stringify({ id, pipeline: "api", step: "s" }), { qos: 1 });
  await waitFor("a valid request to be taken", () => gates.locks.get(id));
});
