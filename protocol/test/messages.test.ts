// Every checker: valid payloads come back equal; each kind of wrong input is refused with the exact
// field path and a reason.
import test from "ava";
import { checkDecideCommand, checkGadgetEvent, checkGadgetView, checkLockRequest, checkLockState, type Checked, errorReplyFor, eventSigningText, invalid, TIMEOUT_MAX_S } from "@shipgate/protocol";
import { type Checker, LOCK_ID, MESSAGES } from "./fixtures";

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

for (const kind of MESSAGES) {
  test(`${kind.name}: every example is accepted and returned equal`, (t) => {
    for (const example of kind.examples) {
      t.deepEqual(kind.check(clone(example)), { ok: true, value: example });
    }
  });

  test(`${kind.name}: a missing required field is refused with its name`, (t) => {
    for (const field of kind.required) {
      const payload = clone(kind.examples[0]!);
      delete payload[field];
      t.deepEqual(kind.check(payload), { ok: false, field, error: "is required" }, field);
    }
  });

  test(`${kind.name}: a required field of the wrong type is refused with its name`, (t) => {
    for (const field of kind.required) {
      for (const wrong of [{}, [1], "12", 12.5, true]) {
        const payload = clone(kind.examples[0]!);
        if (typeof payload[field] === typeof wrong && !Array.isArray(wrong)) continue;
        payload[field] = wrong;
        const result = kind.check(payload);
        t.false(result.ok, `${field} = ${JSON.stringify(wrong)}`);
        if (!result.ok) {
          t.is(result.field.split(".")[0], field, `${field} = ${JSON.stringify(wrong)}`);
          t.regex(result.error, /^must /);
        }
      }
    }
  });

  test(`${kind.name}: a payload that is no object is refused at the root`, (t) => {
    t.deepEqual(kind.check(undefined), { ok: false, field: "", error: "is required" });
    for (const wrong of [null, [], [kind.examples[0]], "{}", 0, false]) {
      t.deepEqual(kind.check(wrong), { ok: false, field: "", error: "must be a JSON object" }, JSON.stringify(wrong));
    }
  });

  test(`${kind.name}: unknown keys are ignored and left out of the result`, (t) => {
    const example = kind.examples[0]!;
    t.deepEqual(kind.check({ ...clone(example), extra: 1, __proto__x: "y" }), { ok: true, value: example });
    // A "__proto__" key from JSON.parse is an own property and must not reach the result's prototype.
    const parsed = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(example).slice(1)}`) as object;
    const result = kind.check(parsed);
    t.true(result.ok);
    t.is((result as { value: { polluted?: unknown } }).value.polluted, undefined);
  });

  test(`${kind.name}: the path argument prefixes every field`, (t) => {
    const payload = clone(kind.examples[0]!);
    delete payload[kind.required[0]!];
    const result = kind.check(payload, "outer.2");
    t.deepEqual(result, { ok: false, field: `outer.2.${kind.required[0]}`, error: "is required" });
  });
}

/** [message, change to its first example, expected field, expected reason] */
const REFUSALS: [string, Record<string, unknown>, string, RegExp][] = [
  ["LockRequest", { id: "not-a-uuid" }, "id", /^must be a UUID/],
  ["LockRequest", { id: "" }, "id", /^must not be empty$/],
  ["LockRequest", { id: LOCK_ID + "0" }, "id", /UUID/],
  ["LockRequest", { pipeline: "" }, "pipeline", /^must not be empty$/],
  ["LockRequest", { pipeline: "x".repeat(101) }, "pipeline", /^must have at most 100 characters$/],
  ["LockRequest", { step: "deploy\nprod" }, "step", /printable text/],
  ["LockRequest", { summary: "tab\there" }, "summary", /printable text/],
  ["LockRequest", { summary: "s".repeat(201) }, "summary", /at most 200/],
  ["LockRequest", { timeout_s: 0 }, "timeout_s", /^must be between 1 and 604800$/],
  ["LockRequest", { timeout_s: TIMEOUT_MAX_S + 1 }, "timeout_s", /between 1 and/],
  ["LockRequest", { timeout_s: 1.5 }, "timeout_s", /^must be an integer$/],
  ["LockRequest", { timeout_s: "1800" }, "timeout_s", /^must be an integer$/],
  ["LockState", { state: "maybe" }, "state", /^must be one of pending, approved, rejected, expired, cancelled$/],
  ["LockState", { position: 0 }, "position", /between 1 and/],
  ["LockState", { requested_at: "2026-11-20 15:04:05" }, "requested_at", /ISO-8601/],
  ["LockState", { decided_at: "2026-11-20T15:04:05+01:00" }, "decided_at", /ISO-8601/],
  ["LockState", { decided_by: "" }, "decided_by", /must not be empty/],
  ["LockState", { time_locked_ms: -1 }, "time_locked_ms", /between 0 and/],
  ["LockState", { mode: "frozen" }, "mode", /one of default, released, blocked/],
  ["LockState", { approvals_needed: 17 }, "approvals_needed", /between 0 and 16/],
  ["LockState", { approved_by: ["ok", ""] }, "approved_by.1", /non-empty string/],
  ["LockState", { approved_by: "alice" }, "approved_by", /must be an array/],
  ["LockState", { approved_by: Array.from({ length: 17 }, () => "x") }, "approved_by", /at most 16 items/],
  ["LockState", { expires_at: 5 }, "expires_at", /must be a string/],
  ["ModeState", { until: "tomorrow" }, "until", /ISO-8601/],
  ["ModeState", { changed_by: "x".repeat(129) }, "changed_by", /at most 128/],
  ["ErrorReply", { error: "" }, "error", /must not be empty/],
  ["ModeCommand", { mode: "Blocked" }, "mode", /one of/],
  ["ModeCommand", { reason: "r".repeat(201) }, "reason", /at most 200/],
  ["DecideCommand", { decision: "maybe" }, "decision", /one of approve, reject/],
  ["DecideCommand", { id: "head" }, "id", /UUID/],
  ["GadgetEvent", { button: "power" }, "button", /one of approve, reject, release, sync/],
  ["GadgetEvent", { gesture: "double" }, "gesture", /one of short, long, hold/],
  ["GadgetEvent", { boot: -1 }, "boot", /between 0 and 2147483647/],
  ["GadgetEvent", { seq: 2 ** 31 }, "seq", /between 0 and 2147483647/],
  ["GadgetEvent", { seq: Number.NaN }, "seq", /must be an integer/],
  ["GadgetEvent", { sig: "A".repeat(64) }, "sig", /64 lowercase hex digits/],
  ["GadgetEvent", { sig: "a".repeat(63) }, "sig", /64 lowercase hex digits/],
  ["GadgetEvent", { lock_id: "x" }, "lock_id", /UUID/],
  ["GadgetAck", { ok: "true" }, "ok", /^must be true or false$/],
  ["GadgetAck", { message: "m".repeat(121) }, "message", /at most 120/],
  ["GadgetView", { head: { id: LOCK_ID, pipeline: "api", step: "s" } }, "head.summary", /^is required$/],
  ["GadgetView", { head: "none" }, "head", /must be a JSON object/],
  ["GadgetView", { rings: [{ scene: "idle" }, { scene: "disco" }] }, "rings.1.scene", /one of idle, locked/],
  ["GadgetView", { rings: [{ scene: "idle", progress: 1001 }] }, "rings.0.progress", /between 0 and 1000/],
  ["GadgetView", { rings: Array.from({ length: 5 }, () => ({ scene: "idle" })) }, "rings", /at most 4 items/],
  ["GadgetView", { rings: [{ scene: "idle", segments: [{ start: 0, count: 0, scene: "idle" }] }] }, "rings.0.segments.0.count", /between 1 and 256/],
  ["GadgetView", { rings: [{ scene: "idle", segments: [null] }] }, "rings.0.segments.0", /must be a JSON object/],
  ["GadgetView", { rings: [{ scene: "idle", segments: Array.from({ length: 25 }, () => ({ start: 0, count: 1, scene: "idle" })) }] }, "rings.0.segments", /at most 24/],
  ["GadgetView", { display: { kind: "marquee", text: "" } }, "display.kind", /one of text, counter/],
  ["GadgetView", { display: { kind: "counter", text: "n", value: 1e8 } }, "display.value", /between -99999999 and 99999999/],
  ["GadgetView", { display: null }, "display", /must be a JSON object/],
  ["GadgetView", { at: "" }, "at", /ISO-8601/],
  ["GadgetView", { queue: Number.POSITIVE_INFINITY }, "queue", /must be an integer/],
  ["Availability", { state: "away" }, "state", /one of online, offline/],
  ["Availability", { version: "v".repeat(41) }, "version", /at most 40/],
  ["Telemetry", { rssi: 3 }, "rssi", /between -127 and 0/],
  ["Telemetry", { version: "" }, "version", /must not be empty/],
  ["Telemetry", { interval_s: 0 }, "interval_s", /between 1 and 3600/],
  ["Telemetry", { outbox: 1001 }, "outbox", /between 0 and 1000/],
  ["PresenceBeat", { interval_s: 3601 }, "interval_s", /between 1 and 3600/],
  ["PresenceBeat", { label: "a\u007fb" }, "label", /printable text/],
  ["PresenceBeat", { part: "web/1" }, "part", /letters, digits/],
  ["PresenceBeat", { facts: ["addr"] }, "facts", /must be a JSON object/],
  ["PresenceBeat", { facts: { __proto__x: "1" } }, "facts", /starting with a letter or digit/],
  ["PresenceBeat", { facts: { addr: 1 } }, "facts.addr", /must be a string/],
  ["PresenceBeat", { facts: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }, "facts", /at most 16 facts/],
];

for (const [name, change, field, reason] of REFUSALS) {
  test(`${name}: refuses ${JSON.stringify(change).slice(0, 70)} at ${field}`, (t) => {
    const kind = MESSAGES.find((m) => m.name === name)!;
    const result = kind.check({ ...kind.examples[0], ...change });
    t.false(result.ok);
    if (!result.ok) {
      t.is(result.field, field);
      t.regex(result.error, reason);
    }
  });
}

test("the first failure is reported, in field order", (t) => {
  t.deepEqual(checkLockRequest({ id: "x", pipeline: "" }), { ok: false, field: "id", error: invalidUuid() });
  t.deepEqual(checkGadgetEvent({ button: "approve" }), { ok: false, field: "gesture", error: "is required" });
});

function invalidUuid(): string {
  const result = checkLockRequest({ id: "x", pipeline: "p", step: "s" });
  return result.ok ? "" : result.error;
}

test("null stands for absent in optional and nullable fields", (t) => {
  t.deepEqual(checkLockRequest({ id: LOCK_ID, pipeline: "p", step: "s", summary: null, timeout_s: null }), {
    ok: true,
    value: { id: LOCK_ID, pipeline: "p", step: "s" },
  });
  const state = checkLockState({ id: LOCK_ID, pipeline: "p", step: "s", summary: "", state: "expired", requested_at: "2026-01-01T00:00:00Z", mode: "default" });
  t.deepEqual(state, {
    ok: true,
    value: {
      id: LOCK_ID,
      pipeline: "p",
      step: "s",
      summary: "",
      state: "expired",
      position: null,
      requested_at: "2026-01-01T00:00:00Z",
      decided_at: null,
      decided_by: null,
      time_locked_ms: null,
      mode: "default",
      reason: null,
    },
  });
  const view = checkGadgetView({ mode: "default", queue: 0, rings: [], display: { kind: "text", text: "" }, can_decide: false, sync_ready: 0, at: "2026-01-01T00:00:00Z" });
  t.true(view.ok && view.value.head === null);
});

test("errorReplyFor names the field and the reason, or the payload itself", (t) => {
  const topic = "shipgate/v1/locks/request";
  const bad = checkLockRequest({ id: "x", pipeline: "p", step: "s" });
  if (bad.ok) return t.fail();
  t.deepEqual(errorReplyFor(topic, bad, "x"), { error: "id " + bad.error, topic, field: "id", id: "x" });
  t.deepEqual(errorReplyFor(topic, invalid("", "is not valid JSON")), { error: "payload is not valid JSON", topic, field: "" });
  // A reason that already names its field is not prefixed twice ("pipeline pipeline api").
  t.is(errorReplyFor(topic, invalid("pipeline", "pipeline api already has 3 pending locks")).error, "pipeline api already has 3 pending locks");
  t.is(errorReplyFor(topic, invalid("pipeline", "pipelines must be ...")).error, "pipeline pipelines must be ...");
});

test("eventSigningText covers every field but sig, in a fixed order", (t) => {
  const event = { button: "approve", gesture: "short", boot: 12, seq: 3, lock_id: LOCK_ID, sig: "f".repeat(64) } as const;
  t.is(eventSigningText("desk-1", event), `shipgate-event-v1|desk-1|12|3|approve|short|${LOCK_ID}`);
  t.is(eventSigningText("desk-1", { button: "sync", gesture: "hold", boot: 0, seq: 7 }), "shipgate-event-v1|desk-1|0|7|sync|hold|");
  // Changing any signed field changes the text: a signature cannot be moved to another event.
  const base = eventSigningText("desk-1", event);
  t.not(eventSigningText("desk-2", event), base);
  t.not(eventSigningText("desk-1", { ...event, seq: 4 }), base);
  t.not(eventSigningText("desk-1", { ...event, button: "reject" }), base);
  t.not(eventSigningText("desk-1", { ...event, lock_id: undefined }), base);
});

test("DecideCommand without an id decides the head", (t) => {
  const result: Checked<unknown> = checkDecideCommand({ decision: "approve", id: null });
  t.deepEqual(result, { ok: true, value: { decision: "approve" } });
});

test("every checker is listed in the fixtures", async (t) => {
  const protocol = (await import("@shipgate/protocol")) as Record<string, unknown>;
  const checkers = Object.keys(protocol).filter((k) => /^check[A-Z]/.test(k) && k !== "checkString");
  const covered = MESSAGES.map((m) => m.check as Checker);
  for (const name of checkers) t.true(covered.includes(protocol[name] as Checker), `${name} has fixtures`);
});
