// Valid example payloads for every message, shared by the Node tests and the XS cases (so this file
// must run in XS too). Each is what a real sender would put on the wire.

import type { Checked } from "@shipgate/protocol";
import {
  checkAdminEnvelope,
  checkAdminReply,
  checkAvailability,
  checkDecideCommand,
  checkDisplayView,
  checkErrorReply,
  checkGadgetAck,
  checkGadgetEvent,
  checkGadgetView,
  checkLockRequest,
  checkLockState,
  checkModeCommand,
  checkModeState,
  checkPresenceBeat,
  checkRingView,
  checkTelemetry,
} from "@shipgate/protocol";

export const LOCK_ID = "3f2b8c1e-0d4a-4f7e-9c61-2a5d8e7f9b10";

export type Checker = (value: unknown, path?: string) => Checked<unknown>;

export interface MessageKind {
  name: string;
  check: Checker;
  /** Valid payloads; the first has every optional field, the last only the required ones. */
  examples: Record<string, unknown>[];
  /** Fields that must be present (absent or wrong-typed: refused with this field's path). */
  required: string[];
  /** Fields whose content the checker passes through unchecked. */
  opaque?: string[];
}

export const MESSAGES: MessageKind[] = [
  {
    name: "LockRequest",
    check: checkLockRequest,
    examples: [
      { id: LOCK_ID, pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice", timeout_s: 1800 },
      { id: LOCK_ID.toUpperCase(), pipeline: "web app", step: "release ✓", summary: "" },
      { id: LOCK_ID, pipeline: "api", step: "deploy-prod" },
    ],
    required: ["id", "pipeline", "step"],
  },
  {
    name: "LockState",
    check: checkLockState,
    examples: [
      {
        id: LOCK_ID,
        pipeline: "api",
        step: "deploy-prod",
        summary: "v1.4.2 by alice",
        state: "approved",
        position: null,
        requested_at: "2026-11-20T15:04:05.000Z",
        decided_at: "2026-11-20T15:06:00.123Z",
        decided_by: "gadget:desk-1",
        time_locked_ms: 114123,
        mode: "default",
        reason: "approved on desk-1",
        approvals_needed: 2,
        approved_by: ["gadget:desk-1", "user:bob"],
        expires_at: "2026-11-20T15:34:05Z",
      },
      {
        id: LOCK_ID,
        pipeline: "api",
        step: "deploy-prod",
        summary: "",
        state: "pending",
        position: 1,
        requested_at: "2026-11-20T15:04:05Z",
        decided_at: null,
        decided_by: null,
        time_locked_ms: null,
        mode: "default",
        reason: null,
      },
    ],
    required: ["id", "pipeline", "step", "summary", "state", "requested_at", "mode"],
  },
  {
    name: "ModeState",
    check: checkModeState,
    examples: [
      { mode: "blocked", changed_at: "2026-11-20T15:00:00Z", changed_by: "freeze:friday", until: "2026-11-23T06:00:00Z", reason: "weekend freeze" },
      { mode: "default", changed_at: "2026-11-20T15:00:00.000Z", changed_by: "user:admin", until: null, reason: null },
    ],
    required: ["mode", "changed_at", "changed_by"],
  },
  {
    name: "ErrorReply",
    check: checkErrorReply,
    examples: [
      { error: "id must be a UUID", topic: "shipgate/v1/locks/request", field: "id", id: "not-a-uuid" },
      { error: "payload is not valid JSON", topic: "shipgate/v1/locks/request", field: "" },
    ],
    required: ["error", "topic", "field"],
  },
  {
    name: "AdminEnvelope",
    check: checkAdminEnvelope,
    examples: [{ correlation: "cli-4f2a.1" }],
    required: ["correlation"],
  },
  {
    name: "AdminReply",
    check: checkAdminReply,
    examples: [{ ok: true, result: { mode: "blocked", pending: [LOCK_ID], nested: [null, 1.5, "x"] } }, { ok: false, error: "no pending lock" }, { ok: true }],
    required: ["ok"],
    opaque: ["result"],
  },
  {
    name: "ModeCommand",
    check: checkModeCommand,
    examples: [{ mode: "released", until: "2026-11-20T18:00:00Z", reason: "hotfix window" }, { mode: "default" }],
    required: ["mode"],
  },
  {
    name: "DecideCommand",
    check: checkDecideCommand,
    examples: [{ decision: "reject", id: LOCK_ID, reason: "tests are red" }, { decision: "approve" }],
    required: ["decision"],
  },
  {
    name: "GadgetEvent",
    check: checkGadgetEvent,
    examples: [
      { button: "approve", gesture: "short", boot: 12, seq: 3, lock_id: LOCK_ID, sig: "a".repeat(64) },
      { button: "sync", gesture: "hold", boot: 0, seq: 0 },
    ],
    required: ["button", "gesture", "boot", "seq"],
  },
  {
    name: "GadgetAck",
    check: checkGadgetAck,
    examples: [
      { boot: 12, seq: 3, ok: false, message: "blocked" },
      { boot: 12, seq: 3, ok: true },
    ],
    required: ["boot", "seq", "ok"],
  },
  {
    name: "GadgetView",
    check: checkGadgetView,
    examples: [
      {
        mode: "default",
        head: { id: LOCK_ID, pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice" },
        queue: 2,
        rings: [
          { scene: "locked" },
          {
            scene: "syncing",
            progress: 400,
            segments: [
              { start: 0, count: 6, scene: "passing" },
              { start: 6, count: 6, scene: "failed" },
            ],
          },
        ],
        display: { kind: "counter", text: "waiting", value: 2 },
        can_decide: true,
        sync_ready: 1,
        at: "2026-11-20T15:04:05.000Z",
      },
      {
        mode: "blocked",
        head: null,
        queue: 0,
        rings: [],
        display: { kind: "text", text: "" },
        can_decide: false,
        sync_ready: 0,
        at: "2026-11-20T15:04:05Z",
      },
    ],
    required: ["mode", "queue", "rings", "display", "can_decide", "sync_ready", "at"],
  },
  {
    name: "RingView",
    check: checkRingView,
    examples: [{ scene: "building", progress: 0, segments: [{ start: 255, count: 256, scene: "out_of_sync" }] }, { scene: "offline" }],
    required: ["scene"],
  },
  {
    name: "DisplayView",
    check: checkDisplayView,
    examples: [
      { kind: "counter", text: "queue", value: -99_999_999 },
      { kind: "text", text: "deploy api?" },
    ],
    required: ["kind", "text"],
  },
  {
    name: "Availability",
    check: checkAvailability,
    examples: [{ state: "online", version: "0.1.0" }, { state: "offline" }],
    required: ["state"],
  },
  {
    name: "Telemetry",
    check: checkTelemetry,
    examples: [{ uptime_s: 3600, rssi: -61, free_heap: 41234, version: "0.1.0", restart_reason: "power-on", outbox: 0, interval_s: 30 }],
    required: ["uptime_s", "rssi", "free_heap", "version", "restart_reason", "outbox", "interval_s"],
  },
  {
    name: "PresenceBeat",
    check: checkPresenceBeat,
    examples: [
      { state: "online", interval_s: 60, label: "Alice's laptop" },
      { state: "offline", interval_s: 60 },
      { state: "online", interval_s: 60, part: "web", label: "web-1", facts: { addr: "10.0.0.11:8080", version: "1.4.2" } },
    ],
    required: ["state", "interval_s"],
  },
];
