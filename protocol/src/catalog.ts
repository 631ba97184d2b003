// One descriptor per message on the wire: its topic, who sends it, QoS, retain flag, size limit
// and checker. The bridge's router (broker-bridge/src/link/message-router.ts) subscribes, limits,
// parses and checks by these, and docs/protocol.md's "Topics at a glance" table is generated from
// them (npm run docs:protocol), so the three cannot drift apart. Plain data: runs in XS too.

import {
  type AdminEnvelope,
  checkAdminEnvelope,
  checkAvailability,
  checkErrorReply,
  checkGadgetAck,
  checkGadgetEvent,
  checkGadgetView,
  checkLockRequest,
  checkLockState,
  checkModeState,
  checkPresenceBeat,
  checkTelemetry,
  checkAdminReply,
} from "./messages";
import type { Checked } from "./check";
import { COMMAND_MAX_BYTES, GADGET_EVENT_MAX_BYTES, GADGET_VIEW_MAX_BYTES, HEARTBEAT_MAX_BYTES, LOCK_REQUEST_MAX_BYTES } from "./limits";
import type { ParsedTopic } from "./topics";

export type Check<T> = (value: unknown, path: string) => Checked<T>;

export interface MessageDescriptor<T = unknown, K extends ParsedTopic["kind"] = ParsedTopic["kind"]> {
  /** The kind Topics.parse() gives its topics. */
  readonly kind: K;
  /** The topic after the prefix, with <placeholders> for its variable levels (as the docs write it). */
  readonly topic: string;
  /** The subscription filter after the prefix ("+" for each variable level). */
  readonly filter: string;
  /** "in": the bridge receives it; "out": the bridge publishes it. */
  readonly direction: "in" | "out";
  /** Sender and receivers, as the docs say it. */
  readonly route: string;
  /** The QoS levels a sender may use; the first is the one shipgate's own senders use. */
  readonly qos: readonly (0 | 1)[];
  readonly retain: boolean;
  /** What the docs add to the retain flag. */
  readonly retainNote?: string;
  /** Largest payload in bytes the receiver parses; null when the payload is not read. */
  readonly maxBytes: number | null;
  /** The payload's checker; null when the payload is not read (it must be empty or is ignored). */
  readonly check: Check<T> | null;
  /** The payload's name in the docs. */
  readonly payload: string;
  /** An empty payload clears a retained message (MQTT 3.1.1 section 3.3.1.3): nothing to check. */
  readonly emptyClears?: boolean;
  /** A refusal answers with this string field of the payload, when it can be read (the lock id). */
  readonly answerWith?: string;
}

/** An admin command: its envelope (the correlation naming the reply topic) and the whole body. */
export interface AdminCommandMessage {
  envelope: AdminEnvelope;
  body: unknown;
}

function checkAdminCommandMessage(value: unknown, path: string): Checked<AdminCommandMessage> {
  const envelope = checkAdminEnvelope(value, path);
  return envelope.ok ? { ok: true, value: { envelope: envelope.value, body: value } } : envelope;
}

function describe<T, K extends ParsedTopic["kind"]>(d: MessageDescriptor<T, K>): MessageDescriptor<T, K> {
  return Object.freeze(d);
}

export const MESSAGES = Object.freeze({
  lockRequest: describe({
    kind: "lock-request",
    topic: "locks/request",
    filter: "locks/request",
    direction: "in",
    route: "pipeline → bridge",
    qos: [1],
    retain: false,
    maxBytes: LOCK_REQUEST_MAX_BYTES,
    check: checkLockRequest,
    payload: "LockRequest",
    answerWith: "id",
  }),
  userLockRequest: describe({
    kind: "lock-request",
    topic: "locks/request/<user>",
    filter: "locks/request/+",
    direction: "in",
    route: "pipeline (its own user) → bridge",
    qos: [1],
    retain: false,
    maxBytes: LOCK_REQUEST_MAX_BYTES,
    check: checkLockRequest,
    payload: "LockRequest",
    answerWith: "id",
  }),
  lockState: describe({
    kind: "lock-state",
    topic: "locks/<id>",
    filter: "locks/+",
    direction: "out",
    route: "bridge → pipelines, dashboards",
    qos: [1],
    retain: true,
    retainNote: "cleared after a grace period",
    maxBytes: null,
    check: checkLockState,
    payload: "LockState",
  }),
  ownerLockState: describe({
    kind: "owner-lock-state",
    topic: "owners/<user>/locks/<id>",
    filter: "owners/+/locks/+",
    direction: "out",
    route: "bridge → the pipeline (user) that requested it",
    qos: [1],
    retain: true,
    retainNote: "cleared with locks/<id>",
    maxBytes: null,
    check: checkLockState,
    payload: "LockState",
  }),
  lockCancel: describe({
    kind: "lock-cancel",
    topic: "locks/<id>/cancel",
    filter: "locks/+/cancel",
    direction: "in",
    route: "pipeline → bridge",
    qos: [1],
    retain: false,
    maxBytes: null,
    check: null,
    payload: "empty",
  }),
  userLockCancel: describe({
    kind: "lock-cancel",
    topic: "locks/<id>/cancel/<user>",
    filter: "locks/+/cancel/+",
    direction: "in",
    route: "pipeline (its own user) → bridge",
    qos: [1],
    retain: false,
    maxBytes: null,
    check: null,
    payload: "empty",
  }),
  mode: describe({ kind: "mode", topic: "mode", filter: "mode", direction: "out", route: "bridge → everyone", qos: [1], retain: true, maxBytes: null, check: checkModeState, payload: "ModeState" }),
  error: describe({
    kind: "error",
    topic: "errors/<client id>",
    filter: "errors/+",
    direction: "out",
    route: "bridge → the client it refused",
    qos: [1],
    retain: false,
    maxBytes: null,
    check: checkErrorReply,
    payload: "ErrorReply",
  }),
  adminCommand: describe({
    kind: "admin",
    topic: "admin/<user>/<command>",
    filter: "admin/+/+",
    direction: "in",
    route: "admin (CLI, dashboard) → bridge",
    qos: [1],
    retain: false,
    maxBytes: COMMAND_MAX_BYTES,
    check: checkAdminCommandMessage,
    payload: "admin command",
  }),
  adminReply: describe({
    kind: "reply",
    topic: "replies/<user>/<correlation>",
    filter: "replies/+/+",
    direction: "out",
    route: "bridge → that admin",
    qos: [1],
    retain: false,
    maxBytes: null,
    check: checkAdminReply,
    payload: "AdminReply",
  }),
  gadgetEvent: describe({
    kind: "gadget-event",
    topic: "gadgets/<gid>/event",
    filter: "gadgets/+/event",
    direction: "in",
    route: "gadget → bridge",
    qos: [1],
    retain: false,
    maxBytes: GADGET_EVENT_MAX_BYTES,
    check: checkGadgetEvent,
    payload: "GadgetEvent",
  }),
  gadgetAck: describe({
    kind: "gadget-ack",
    topic: "gadgets/<gid>/ack",
    filter: "gadgets/+/ack",
    direction: "out",
    route: "bridge → gadget",
    qos: [1],
    retain: false,
    maxBytes: null,
    check: checkGadgetAck,
    payload: "GadgetAck",
  }),
  gadgetView: describe({
    kind: "gadget-view",
    topic: "gadgets/<gid>/view",
    filter: "gadgets/+/view",
    direction: "out",
    route: "bridge → gadget",
    qos: [1],
    retain: true,
    maxBytes: GADGET_VIEW_MAX_BYTES,
    check: checkGadgetView,
    payload: "GadgetView",
  }),
  gadgetStatus: describe({
    kind: "gadget-status",
    topic: "gadgets/<gid>/status",
    filter: "gadgets/+/status",
    direction: "in",
    route: "gadget (and its Will) → bridge",
    qos: [1],
    retain: true,
    maxBytes: HEARTBEAT_MAX_BYTES,
    check: checkAvailability,
    payload: "Availability",
    emptyClears: true,
  }),
  gadgetTelemetry: describe({
    kind: "gadget-telemetry",
    topic: "gadgets/<gid>/telemetry",
    filter: "gadgets/+/telemetry",
    direction: "in",
    route: "gadget → bridge",
    qos: [0],
    retain: false,
    maxBytes: HEARTBEAT_MAX_BYTES,
    check: checkTelemetry,
    payload: "Telemetry",
  }),
  presence: describe({
    kind: "presence",
    topic: "presence/<node>",
    filter: "presence/+",
    direction: "in",
    route: "any node → bridge",
    qos: [0, 1],
    retain: false,
    maxBytes: HEARTBEAT_MAX_BYTES,
    check: checkPresenceBeat,
    payload: "PresenceBeat",
  }),
  bridgeStatus: describe({
    kind: "bridge-status",
    topic: "bridge/status",
    filter: "bridge/status",
    direction: "out",
    route: "bridge (and its Will) → everyone",
    qos: [1],
    retain: true,
    maxBytes: HEARTBEAT_MAX_BYTES,
    check: checkAvailability,
    payload: "Availability",
  }),
});

/** Every descriptor, in the order the docs list them. */
export const ALL_MESSAGES: readonly MessageDescriptor[] = Object.freeze(Object.keys(MESSAGES).map((k) => (MESSAGES as Record<string, MessageDescriptor>)[k] as MessageDescriptor));

/** The "Topics at a glance" table of docs/protocol.md, as Markdown lines. */
export function topicTable(messages: readonly MessageDescriptor[] = ALL_MESSAGES): string[] {
  const lines = ["| topic | from → to | QoS | retained | payload |", "| --- | --- | --- | --- | --- |"];
  for (const m of messages) {
    const retained = m.retain ? (m.retainNote ? `yes (${m.retainNote})` : "yes") : "no";
    lines.push(`| \`<p>${m.topic}\` | ${m.route} | ${m.qos.join(" or ")} | ${retained} | ${m.payload} |`);
  }
  return lines;
}
