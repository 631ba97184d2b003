// Every message shipgate puts on MQTT, as types and as checks that never throw. The pipeline
// messages are the public contract (shared/docs/contract.md); the gadget's messages are ours and
// documented in docs/protocol.md. Both the bridge and the firmware import this file.

import { type Checked, Fields, type Invalid, invalid, object, valid } from "./check";
import { ID_MAX, NAME_MAX, REASON_MAX, SUMMARY_MAX, TIMEOUT_MAX_S } from "./limits";

export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Gadget ids and node ids appear in topics, so they are one safe topic level. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Printable text without control characters (the gadget's font has no glyph for them). */
// Written as the allowed ranges, not as a negated class: XS 13.3 gets a negated class that starts
// at U+0000 wrong (/[^\u0000]/.test("\u0000") is true there), so /^[^\u0000-\u001f]*$/ let every
// control character through on the gadget. Found by protocol/test/protocol.cases.ts in xsnap.
const TEXT_PATTERN = /^[\u0020-\u007e\u0080-\uffff]*$/;
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

const idRule = { min: 1, max: ID_MAX, pattern: UUID_PATTERN, patternText: "a UUID such as 3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10" };
const nameRule = { min: 1, max: NAME_MAX, pattern: TEXT_PATTERN, patternText: "printable text" };
const summaryRule = { max: SUMMARY_MAX, pattern: TEXT_PATTERN, patternText: "printable text" };
const reasonRule = { max: REASON_MAX, pattern: TEXT_PATTERN, patternText: "printable text" };
/** A view's freshness nonce: 16 lowercase hex digits (64 random bits), new with every view. */
export const VIEW_NONCE_PATTERN = /^[0-9a-f]{16}$/;
const nonceRule = { pattern: VIEW_NONCE_PATTERN, patternText: "16 lowercase hex digits" };
const isoRule = { pattern: ISO_PATTERN, patternText: "an ISO-8601 UTC time such as 2026-11-20T15:04:05.000Z" };
const nodeRule = { min: 1, max: 64, pattern: NODE_ID_PATTERN, patternText: "letters, digits, '_', '.' or '-'" };

// ---------------------------------------------------------------------------------------------
// Pipeline contract

export const LOCK_STATES = ["pending", "approved", "rejected", "expired", "cancelled"] as const;
export type LockStateName = (typeof LOCK_STATES)[number];

export const MODES = ["default", "released", "blocked"] as const;
export type Mode = (typeof MODES)[number];

/** shipgate/v1/locks/request */
export interface LockRequest {
  id: string;
  pipeline: string;
  step: string;
  summary?: string;
  /** Seconds the lock may wait before it expires. */
  timeout_s?: number;
}

export function checkLockRequest(value: unknown, path = ""): Checked<LockRequest> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const id = f.string("id", idRule);
  const pipeline = f.string("pipeline", nameRule);
  const step = f.string("step", nameRule);
  const summary = f.optionalString("summary", summaryRule);
  const timeout = f.optionalInteger("timeout_s", 1, TIMEOUT_MAX_S);
  return f.done(() => {
    const out: LockRequest = { id, pipeline, step };
    if (summary !== undefined) out.summary = summary;
    if (timeout !== undefined) out.timeout_s = timeout;
    return out;
  });
}

/** shipgate/v1/locks/<id>, retained: the lock's whole state. */
export interface LockState {
  id: string;
  pipeline: string;
  step: string;
  summary: string;
  state: LockStateName;
  /** 1-based place in the queue while pending; null once decided. */
  position: number | null;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
  time_locked_ms: number | null;
  mode: Mode;
  /** Why it waits or why it was decided so, for the pipeline's log. */
  reason: string | null;
  /** Approvals still needed (two-person rule); absent when one is enough. */
  approvals_needed?: number;
  /** Who approved so far, when more than one approval is needed. */
  approved_by?: string[];
  /** When the lock expires if nobody decides. */
  expires_at?: string;
}

export function checkLockState(value: unknown, path = ""): Checked<LockState> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const id = f.string("id", idRule);
  const pipeline = f.string("pipeline", nameRule);
  const step = f.string("step", nameRule);
  const summary = f.string("summary", summaryRule);
  const state = f.oneOf("state", LOCK_STATES);
  const position = f.has("position") ? f.integer("position", 1, 1_000_000) : null;
  const requestedAt = f.string("requested_at", isoRule);
  const decidedAt = f.has("decided_at") ? f.string("decided_at", isoRule) : null;
  const decidedBy = f.has("decided_by") ? f.string("decided_by", { min: 1, max: 128 }) : null;
  const timeLocked = f.has("time_locked_ms") ? f.integer("time_locked_ms", 0, Number.MAX_SAFE_INTEGER) : null;
  const mode = f.oneOf("mode", MODES);
  const reason = f.has("reason") ? f.string("reason", reasonRule) : null;
  const needed = f.optionalInteger("approvals_needed", 0, 16);
  const approvedBy = f.has("approved_by")
    ? f.array("approved_by", 16, (v, p) => (typeof v === "string" && v.length > 0 && v.length <= 128 ? valid(v) : invalid(p, "must be a non-empty string")))
    : undefined;
  const expiresAt = f.optionalString("expires_at", isoRule);
  return f.done(() => {
    const out: LockState = {
      id,
      pipeline,
      step,
      summary,
      state,
      position,
      requested_at: requestedAt,
      decided_at: decidedAt,
      decided_by: decidedBy,
      time_locked_ms: timeLocked,
      mode,
      reason,
    };
    if (needed !== undefined) out.approvals_needed = needed;
    if (approvedBy !== undefined) out.approved_by = approvedBy;
    if (expiresAt !== undefined) out.expires_at = expiresAt;
    return out;
  });
}

/** shipgate/v1/mode, retained. */
export interface ModeState {
  mode: Mode;
  changed_at: string;
  changed_by: string;
  until: string | null;
  reason: string | null;
}

export function checkModeState(value: unknown, path = ""): Checked<ModeState> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const mode = f.oneOf("mode", MODES);
  const changedAt = f.string("changed_at", isoRule);
  const changedBy = f.string("changed_by", { min: 1, max: 128 });
  const until = f.has("until") ? f.string("until", isoRule) : null;
  const reason = f.has("reason") ? f.string("reason", reasonRule) : null;
  return f.done(() => ({ mode, changed_at: changedAt, changed_by: changedBy, until, reason }));
}

/** shipgate/v1/errors/<client id>: the answer to anything the bridge refused. */
export interface ErrorReply {
  error: string;
  topic: string;
  field: string;
  /** The lock or event the refusal concerns, when it could be read. */
  id?: string;
}

export function checkErrorReply(value: unknown, path = ""): Checked<ErrorReply> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const error = f.string("error", { min: 1, max: 500 });
  const topic = f.string("topic", { max: 300 });
  const field = f.string("field", { max: 200 });
  const id = f.optionalString("id", { max: 200 });
  return f.done(() => (id === undefined ? { error, topic, field } : { error, topic, field, id }));
}

/** Turn a failed check into the contract's error answer. */
export function errorReplyFor(topic: string, failure: Invalid, id?: string): ErrorReply {
  // A reason that is already a sentence about its field ("pipeline api already has 3 pending
  // locks") is not prefixed again ("pipeline pipeline api ...").
  const named = failure.field === "" ? "payload" : failure.field;
  const reply: ErrorReply = {
    error: failure.error.startsWith(named + " ") ? failure.error : named + " " + failure.error,
    topic,
    field: failure.field,
  };
  if (id !== undefined) reply.id = id;
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Admin commands (<prefix>admin/<user>/<command>, used by the CLI and dashboard). Each carries a
// correlation id; the bridge answers on <prefix>replies/<user>/<correlation> with an AdminReply.

export interface AdminEnvelope {
  /** Chosen by the caller; names the reply topic. */
  correlation: string;
}

const correlationRule = { min: 1, max: 64, pattern: NODE_ID_PATTERN, patternText: "letters, digits, '_', '.' or '-'" };

export function checkAdminEnvelope(value: unknown, path = ""): Checked<AdminEnvelope> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const correlation = f.string("correlation", correlationRule);
  return f.done(() => ({ correlation }));
}

/** The bridge's answer to an admin command. */
export interface AdminReply {
  ok: boolean;
  error?: string;
  /** The command's result: the decided lock, the new mode, or the status snapshot. */
  result?: unknown;
}

export function checkAdminReply(value: unknown, path = ""): Checked<AdminReply> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const ok = f.boolean("ok");
  const error = f.optionalString("error", { max: 500 });
  return f.done(() => {
    const out: AdminReply = { ok };
    if (error !== undefined) out.error = error;
    if (value !== null && typeof value === "object" && "result" in value) out.result = (value as { result: unknown }).result;
    return out;
  });
}

/** <prefix>admin/mode: an admin asks for a mode change. */
export interface ModeCommand {
  mode: Mode;
  /** ISO-8601 time at which the mode reverts to default. */
  until?: string;
  reason?: string;
}

export function checkModeCommand(value: unknown, path = ""): Checked<ModeCommand> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const mode = f.oneOf("mode", MODES);
  const until = f.optionalString("until", isoRule);
  const reason = f.optionalString("reason", reasonRule);
  return f.done(() => {
    const out: ModeCommand = { mode };
    if (until !== undefined) out.until = until;
    if (reason !== undefined) out.reason = reason;
    return out;
  });
}

/** <prefix>admin/decide: an admin approves or rejects a lock (the head when id is absent). */
export interface DecideCommand {
  decision: "approve" | "reject";
  id?: string;
  reason?: string;
}

export function checkDecideCommand(value: unknown, path = ""): Checked<DecideCommand> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const decision = f.oneOf("decision", ["approve", "reject"] as const);
  const id = f.optionalString("id", idRule);
  const reason = f.optionalString("reason", reasonRule);
  return f.done(() => {
    const out: DecideCommand = { decision };
    if (id !== undefined) out.id = id;
    if (reason !== undefined) out.reason = reason;
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// The gadget's own topics

export const BUTTONS = ["approve", "reject", "release", "sync"] as const;
export type ButtonName = (typeof BUTTONS)[number];

/** short: pressed and let go; long: held past the long-press time; hold: held to confirm (sync). */
export const GESTURES = ["short", "long", "hold"] as const;
export type Gesture = (typeof GESTURES)[number];

/**
 * <prefix>gadgets/<gid>/event, QoS 1, gadget to bridge. (boot, seq) only grows: boot counts the
 * gadget's restarts (kept in NVS), seq counts events since boot. A repeated or older pair is a
 * duplicate or a replay and never decides anything. sig is the HMAC-SHA256 of eventSigningText().
 */
export interface GadgetEvent {
  button: ButtonName;
  gesture: Gesture;
  boot: number;
  seq: number;
  /** The lock the gadget showed when the button went down: the boss approves what she saw. */
  lock_id?: string;
  /** The nonce of the view the gadget showed (GadgetView.nonce): the bridge refuses an event
   *  answering a superseded or older-than-30-s view with TOO LATE. Signed with the rest. */
  nonce?: string;
  /** Lowercase hex HMAC-SHA256, when the gadget has a secret. */
  sig?: string;
}

export function checkGadgetEvent(value: unknown, path = ""): Checked<GadgetEvent> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const button = f.oneOf("button", BUTTONS);
  const gesture = f.oneOf("gesture", GESTURES);
  const boot = f.integer("boot", 0, 0x7fffffff);
  const seq = f.integer("seq", 0, 0x7fffffff);
  const lockId = f.optionalString("lock_id", idRule);
  const nonce = f.optionalString("nonce", nonceRule);
  const sig = f.optionalString("sig", { pattern: /^[0-9a-f]{64}$/, patternText: "64 lowercase hex digits" });
  return f.done(() => {
    const out: GadgetEvent = { button, gesture, boot, seq };
    if (lockId !== undefined) out.lock_id = lockId;
    if (nonce !== undefined) out.nonce = nonce;
    if (sig !== undefined) out.sig = sig;
    return out;
  });
}

/** The exact text a gadget signs: every field but sig, in a fixed order, so both sides agree. An
 *  event echoing a view nonce signs v2 (the nonce last), so the nonce cannot be swapped or removed. */
export function eventSigningText(gadgetId: string, event: GadgetEvent): string {
  const fields = [gadgetId, event.boot, event.seq, event.button, event.gesture, event.lock_id ?? ""];
  return event.nonce === undefined ? ["shipgate-event-v1", ...fields].join("|") : ["shipgate-event-v2", ...fields, event.nonce].join("|");
}

/** <prefix>gadgets/<gid>/ack, QoS 1, bridge to gadget: the bridge's answer to one event. */
export interface GadgetAck {
  boot: number;
  seq: number;
  ok: boolean;
  /** Short text for the display when ok is false ("blocked", "no lock", "sync window"...). */
  message?: string;
}

export function checkGadgetAck(value: unknown, path = ""): Checked<GadgetAck> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const boot = f.integer("boot", 0, 0x7fffffff);
  const seq = f.integer("seq", 0, 0x7fffffff);
  const ok = f.boolean("ok");
  const message = f.optionalString("message", { max: 120, pattern: TEXT_PATTERN, patternText: "printable text" });
  return f.done(() => (message === undefined ? { boot, seq, ok } : { boot, seq, ok, message }));
}

/** What one ring shows. The gadget animates it; local overlays (hold fill, blip) sit on top. */
export const SCENES = ["idle", "locked", "released", "blocked", "building", "failed", "passing", "out_of_sync", "syncing", "unknown", "offline"] as const;
export type SceneName = (typeof SCENES)[number];

export interface RingSegment {
  /** First LED of the segment, 0-based. */
  start: number;
  count: number;
  scene: SceneName;
}

export interface RingView {
  scene: SceneName;
  /** 0 to 1000 for progress scenes (syncing). */
  progress?: number;
  /** Parts of the ring that show their own scene over the base scene (per pipeline, Argo CD). */
  segments?: RingSegment[];
}

const checkSegment = (value: unknown, path: string): Checked<RingSegment> => {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const start = f.integer("start", 0, 255);
  const count = f.integer("count", 1, 256);
  const scene = f.oneOf("scene", SCENES);
  return f.done(() => ({ start, count, scene }));
};

export function checkRingView(value: unknown, path = ""): Checked<RingView> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const scene = f.oneOf("scene", SCENES);
  const progress = f.optionalInteger("progress", 0, 1000);
  const segments = f.has("segments") ? f.array("segments", 24, checkSegment) : undefined;
  return f.done(() => {
    const out: RingView = { scene };
    if (progress !== undefined) out.progress = progress;
    if (segments !== undefined) out.segments = segments;
    return out;
  });
}

/** What the matrix shows: scrolling text, or a counter with its label. */
export interface DisplayView {
  kind: "text" | "counter";
  text: string;
  /** For counters: the number shown. */
  value?: number;
}

export function checkDisplayView(value: unknown, path = ""): Checked<DisplayView> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const kind = f.oneOf("kind", ["text", "counter"] as const);
  const text = f.string("text", { max: 240, pattern: TEXT_PATTERN, patternText: "printable text" });
  const num = f.optionalInteger("value", -99_999_999, 99_999_999);
  return f.done(() => (num === undefined ? { kind, text } : { kind, text, value: num }));
}

export interface HeadLock {
  id: string;
  pipeline: string;
  step: string;
  summary: string;
}

/** <prefix>gadgets/<gid>/view, retained, QoS 1, bridge to gadget: everything the gadget shows. */
export interface GadgetView {
  mode: Mode;
  /** The lock an approve would decide now, if any. */
  head: HeadLock | null;
  queue: number;
  rings: RingView[];
  display: DisplayView;
  /** Whether this gadget may decide the head lock (allow-lists, two-person rule). */
  can_decide: boolean;
  /** Apps out of sync that a held sync button would sync. */
  sync_ready: number;
  at: string;
  /** Random, new with every view (also every ~15 s while unchanged); events echo it (issue 13). */
  nonce?: string;
}

const checkHead = (value: unknown, path: string): Checked<HeadLock | null> => {
  if (value === null || value === undefined) return valid(null);
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const id = f.string("id", idRule);
  const pipeline = f.string("pipeline", nameRule);
  const step = f.string("step", nameRule);
  const summary = f.string("summary", summaryRule);
  return f.done(() => ({ id, pipeline, step, summary }));
};

export function checkGadgetView(value: unknown, path = ""): Checked<GadgetView> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const mode = f.oneOf("mode", MODES);
  const head = f.nested("head", checkHead) ?? null;
  const queue = f.integer("queue", 0, 1_000_000);
  const rings = f.array("rings", 4, checkRingView);
  const display = f.nested("display", checkDisplayView);
  const canDecide = f.boolean("can_decide");
  const syncReady = f.integer("sync_ready", 0, 10_000);
  const at = f.string("at", isoRule);
  const nonce = f.optionalString("nonce", nonceRule);
  return f.done(() => {
    const view: GadgetView = { mode, head, queue, rings, display: display as DisplayView, can_decide: canDecide, sync_ready: syncReady, at };
    if (nonce !== undefined) view.nonce = nonce;
    return view;
  });
}

/** <prefix>gadgets/<gid>/status and <prefix>bridge/status, retained: availability. */
export interface Availability {
  state: "online" | "offline";
  /** Firmware or bridge version, when online. */
  version?: string;
  /** Bridge only: the id of the bridge that is live (with several bridges on one store, the leader). */
  bridge?: string;
  /** Bridge only: since when it is live (ISO-8601; for a leader, when it took the lease). */
  since?: string;
}

export function checkAvailability(value: unknown, path = ""): Checked<Availability> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const state = f.oneOf("state", ["online", "offline"] as const);
  const version = f.optionalString("version", { max: 40, pattern: TEXT_PATTERN, patternText: "printable text" });
  const bridge = f.optionalString("bridge", { max: NAME_MAX, pattern: TEXT_PATTERN, patternText: "printable text" });
  const since = f.optionalString("since", isoRule);
  return f.done(() => ({ state, ...(version === undefined ? {} : { version }), ...(bridge === undefined ? {} : { bridge }), ...(since === undefined ? {} : { since }) }));
}

/** <prefix>gadgets/<gid>/telemetry, QoS 0, the gadget's heartbeat. */
export interface Telemetry {
  uptime_s: number;
  rssi: number;
  free_heap: number;
  version: string;
  restart_reason: string;
  /** Events waiting in the offline outbox. */
  outbox: number;
  /** Seconds until the next heartbeat; the bridge marks the gadget stale after three misses. */
  interval_s: number;
}

export function checkTelemetry(value: unknown, path = ""): Checked<Telemetry> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const uptime = f.integer("uptime_s", 0, 0x7fffffff);
  const rssi = f.integer("rssi", -127, 0);
  const heap = f.integer("free_heap", 0, 0x7fffffff);
  const version = f.string("version", { min: 1, max: 40, pattern: TEXT_PATTERN, patternText: "printable text" });
  const reason = f.string("restart_reason", { max: 40, pattern: TEXT_PATTERN, patternText: "printable text" });
  const outbox = f.integer("outbox", 0, 1000);
  const interval = f.integer("interval_s", 1, 3600);
  return f.done(() => ({
    uptime_s: uptime,
    rssi,
    free_heap: heap,
    version,
    restart_reason: reason,
    outbox,
    interval_s: interval,
  }));
}

/** <prefix>presence/<node>, a heartbeat from any node on the team network (not only gadgets). */
export interface PresenceBeat {
  state: "online" | "offline";
  /** Seconds until the next beat; the node is absent after three missed beats. */
  interval_s: number;
  label?: string;
  /** The part of the fleet the node belongs to ("web", "db-eu"): a load balancer's pool. */
  part?: string;
  /** Free-form facts (address, version, zone...), up to PRESENCE_FACTS_MAX, keys like node ids. */
  facts?: { [key: string]: string };
}

export const PRESENCE_FACTS_MAX = 16;
const FACT_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const factRule = { max: 200, pattern: TEXT_PATTERN, patternText: "printable text" };

const checkFacts = (value: unknown, path: string): Checked<{ [key: string]: string }> => {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const keys = Object.keys(value as object);
  if (keys.length > PRESENCE_FACTS_MAX) return invalid(path, "must have at most " + PRESENCE_FACTS_MAX + " facts");
  const out: { [key: string]: string } = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (!FACT_KEY_PATTERN.test(key)) return invalid(path, 'fact "' + key.slice(0, 40) + "\": a fact's name must be 1 to 40 letters, digits, '_' or '-', starting with a letter or digit");
    out[key] = f.string(key, factRule);
  }
  return f.done(() => out);
};

export function checkPresenceBeat(value: unknown, path = ""): Checked<PresenceBeat> {
  const f = object(value, path);
  if (!(f instanceof Fields)) return f;
  const state = f.oneOf("state", ["online", "offline"] as const);
  const interval = f.integer("interval_s", 1, 3600);
  const label = f.optionalString("label", { max: NAME_MAX, pattern: TEXT_PATTERN, patternText: "printable text" });
  const part = f.optionalString("part", nodeRule);
  const facts = f.has("facts") ? f.nested("facts", checkFacts) : undefined;
  return f.done(() => {
    const out: PresenceBeat = { state, interval_s: interval };
    if (label !== undefined) out.label = label;
    if (part !== undefined) out.part = part;
    if (facts !== undefined) out.facts = facts;
    return out;
  });
}

export { nodeRule as NODE_ID_RULE };
