// fast-check arbitraries that generate only valid messages, one per message kind, with optional
// fields present or not and strings that reach their length limits.
import fc from "fast-check";
import { BUTTONS, GESTURES, LOCK_STATES, MODES, NAME_MAX, REASON_MAX, SCENES, SUMMARY_MAX, TIMEOUT_MAX_S } from "@shipgate/protocol";

type Arb = fc.Arbitrary<Record<string, unknown>>;

/** Characters the TEXT rule allows: no C0 controls, no DEL. Lone surrogates are allowed by it too. */
const textChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }).filter((c) => c >= " " && c !== "\u007f") },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }).filter((c) => !/[\u0000-\u001f\u007f]/.test(c)) },
  { weight: 1, arbitrary: fc.constantFrom("é", "✓", "🚀", "\u2028", "\u00a0", "\ud800", "\udfff", "\ufeff", "'", '"', "\\", "/") },
);

/** Printable text of min..max UTF-16 code units (the unit the checkers count). */
function text(min: number, max: number): fc.Arbitrary<string> {
  return (
    fc
      .oneof(
        fc.array(textChar, { minLength: min, maxLength: max }).map((cs) => cs.join("")),
        fc.constant("x".repeat(max)),
      )
      // Slicing may split a surrogate pair; the TEXT rule allows the lone half that is left.
      .map((s) => s.slice(0, max))
      .filter((s) => s.length >= min)
  );
}

/** Any string without a length rule's pattern (decided_by, changed_by, error texts). */
function anyString(min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: "binary", minLength: min, maxLength: max }).filter((s) => s.length >= min && s.length <= max);
}

const uuid = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
);
const iso = fc
  .tuple(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }), fc.boolean())
  .map(([d, millis]) => (millis ? d.toISOString() : d.toISOString().replace(/\.\d{3}Z$/, "Z")));
export const nodeId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const u31 = fc.integer({ min: 0, max: 0x7fffffff });

const name = text(1, NAME_MAX);
const summary = text(0, SUMMARY_MAX);
const reason = text(0, REASON_MAX);

export const lockRequest: Arb = fc.record({ id: uuid, pipeline: name, step: name, summary, timeout_s: fc.integer({ min: 1, max: TIMEOUT_MAX_S }) }, { requiredKeys: ["id", "pipeline", "step"] });

export const lockState: Arb = fc.record(
  {
    id: uuid,
    pipeline: name,
    step: name,
    summary,
    state: fc.constantFrom(...LOCK_STATES),
    position: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
    requested_at: iso,
    decided_at: fc.option(iso),
    decided_by: fc.option(anyString(1, 128)),
    time_locked_ms: fc.option(fc.maxSafeNat()),
    mode: fc.constantFrom(...MODES),
    reason: fc.option(reason),
    approvals_needed: fc.integer({ min: 0, max: 16 }),
    approved_by: fc.array(anyString(1, 128), { maxLength: 16 }),
    expires_at: iso,
  },
  {
    requiredKeys: ["id", "pipeline", "step", "summary", "state", "position", "requested_at", "decided_at", "decided_by", "time_locked_ms", "mode", "reason"],
  },
);

export const modeState: Arb = fc.record({
  mode: fc.constantFrom(...MODES),
  changed_at: iso,
  changed_by: anyString(1, 128),
  until: fc.option(iso),
  reason: fc.option(reason),
});

export const errorReply: Arb = fc.record({ error: anyString(1, 500), topic: anyString(0, 300), field: anyString(0, 200), id: anyString(0, 200) }, { requiredKeys: ["error", "topic", "field"] });

export const adminEnvelope: Arb = fc.record({ correlation: nodeId });

export const adminReply: Arb = fc.record(
  // Through JSON text once, as results always travel: that turns -0 into 0.
  { ok: fc.boolean(), error: anyString(0, 500), result: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown) },
  { requiredKeys: ["ok"] },
);

export const modeCommand: Arb = fc.record({ mode: fc.constantFrom(...MODES), until: iso, reason }, { requiredKeys: ["mode"] });

export const decideCommand: Arb = fc.record({ decision: fc.constantFrom("approve", "reject"), id: uuid, reason }, { requiredKeys: ["decision"] });

export const gadgetEvent: Arb = fc.record(
  { button: fc.constantFrom(...BUTTONS), gesture: fc.constantFrom(...GESTURES), boot: u31, seq: u31, lock_id: uuid, sig: hex64 },
  { requiredKeys: ["button", "gesture", "boot", "seq"] },
);

export const gadgetAck: Arb = fc.record({ boot: u31, seq: u31, ok: fc.boolean(), message: text(0, 120) }, { requiredKeys: ["boot", "seq", "ok"] });

const scene = fc.constantFrom(...SCENES);
const segment = fc.record({ start: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 1, max: 256 }), scene });

export const ringView: Arb = fc.record({ scene, progress: fc.integer({ min: 0, max: 1000 }), segments: fc.array(segment, { maxLength: 24 }) }, { requiredKeys: ["scene"] });

export const displayView: Arb = fc.record(
  { kind: fc.constantFrom("text", "counter"), text: text(0, 240), value: fc.integer({ min: -99_999_999, max: 99_999_999 }) },
  { requiredKeys: ["kind", "text"] },
);

export const gadgetView: Arb = fc.record({
  mode: fc.constantFrom(...MODES),
  head: fc.option(fc.record({ id: uuid, pipeline: name, step: name, summary })),
  queue: fc.integer({ min: 0, max: 1_000_000 }),
  rings: fc.array(ringView, { maxLength: 4 }),
  display: displayView,
  can_decide: fc.boolean(),
  sync_ready: fc.integer({ min: 0, max: 10_000 }),
  at: iso,
});

const onOff = fc.constantFrom("online", "offline");

export const availability: Arb = fc.record({ state: onOff, version: text(0, 40) }, { requiredKeys: ["state"] });

export const telemetry: Arb = fc.record({
  uptime_s: u31,
  rssi: fc.integer({ min: -127, max: 0 }),
  free_heap: u31,
  version: text(1, 40),
  restart_reason: text(0, 40),
  outbox: fc.integer({ min: 0, max: 1000 }),
  interval_s: fc.integer({ min: 1, max: 3600 }),
});

export const presenceBeat: Arb = fc.record(
  {
    state: onOff,
    interval_s: fc.integer({ min: 1, max: 3600 }),
    label: text(0, NAME_MAX),
    part: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
    facts: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,10}$/), text(0, 200), { maxKeys: 16 }),
  },
  { requiredKeys: ["state", "interval_s"] },
);

/** Valid-message arbitrary per fixture kind name. */
export const VALID: Record<string, Arb> = {
  LockRequest: lockRequest,
  LockState: lockState,
  ModeState: modeState,
  ErrorReply: errorReply,
  AdminEnvelope: adminEnvelope,
  AdminReply: adminReply,
  ModeCommand: modeCommand,
  DecideCommand: decideCommand,
  GadgetEvent: gadgetEvent,
  GadgetAck: gadgetAck,
  RingView: ringView,
  DisplayView: displayView,
  GadgetView: gadgetView,
  Availability: availability,
  Telemetry: telemetry,
  PresenceBeat: presenceBeat,
};
