// The lock service's inputs and outputs, and what it is built from.

import type { LockState, Mode } from "@shipgate/protocol";
import type { AuditLog } from "../audit-log";
import type { Clock } from "../clock";
import type { GatesConfig } from "../config";
import type { EventBus } from "../events";
import type { KeyValue } from "../store";
import type { LockStore } from "./lock-store";
import type { Decider, GatePolicy } from "./policy";
import type { RequestLog } from "./request-log";

export interface DecideInput {
  decision: "approve" | "reject";
  /** A given lock; the head of the queue (that this decider may decide) when absent. */
  id?: string | undefined;
  decider: Decider;
  reason?: string | undefined;
}

export interface DecideOutcome {
  lock: LockState;
  /** True when this decision settled the lock; false when it added an approval that is not enough yet. */
  settled: boolean;
}

export interface ModeInput {
  mode: Mode;
  until?: number | null;
  reason?: string | null;
  actor: string;
}

/** An admin command's request id: who sent it and its correlation. */
export interface RequestKey {
  user: string;
  correlation: string;
  command: string;
}

/** Which gadgets are online now: the presence service answers it. */
export type OnlineGadgets = () => ReadonlySet<string>;

export interface LockServiceDeps {
  locks: LockStore;
  kv: KeyValue;
  config: GatesConfig;
  policy: GatePolicy;
  clock: Clock;
  bus: EventBus;
  /** Default: the audit and request tables in the locks' store. */
  audit?: AuditLog;
  requests?: RequestLog;
  /** A failure on a timer path (tick, position announcements): logged and counted by the caller. */
  onBackgroundError?: (what: string, err: unknown) => void;
}
