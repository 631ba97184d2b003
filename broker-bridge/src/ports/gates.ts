// What the gates offer other services: queries on locks and mode, decisions, and the admin
// commands (shared by MQTT and HTTP). The shapes are structural, so this file imports no service.

import type { AdminCommandName, LockRequest, LockState, Mode, ModeState } from "@shipgate/protocol";
import { port } from "./port";

export interface Decider {
  kind: "gadget" | "user";
  name: string;
  admin: boolean;
}

export interface LockQueriesPort {
  mode(): ModeState;
  get(id: string): LockState | undefined;
  pending(): LockState[];
  pendingCount(): number;
  recent(limit: number): LockState[];
  /** The user that asked for a lock (for "a pipeline reads its own locks"). */
  requesterOf(id: string): string | null;
  /** The first pending lock this decider may decide. */
  headFor(decider: Decider): LockState | undefined;
}

export interface LockDecisionsPort {
  request(req: LockRequest, requester: string | null): { lock: LockState; created: boolean };
  decide(input: { decision: "approve" | "reject"; id?: string | undefined; decider: Decider; reason?: string | undefined }): { lock: LockState; settled: boolean };
  setMode(input: { mode: Mode; until?: number | null; reason?: string | null; actor: string }): ModeState;
}

export interface AdminCommandsPort {
  /** One admin command as a user; throws GATE_REFUSED or ADMIN_INPUT errors (isGateRefusal, isAdminInput). */
  runAdmin(user: string, command: AdminCommandName, body: unknown): unknown;
}

export const LockQueries = port<LockQueriesPort>("lock-queries");
export const LockDecisions = port<LockDecisionsPort>("lock-decisions");
export const AdminCommands = port<AdminCommandsPort>("admin-commands");

/** The gates refused (nothing changed); the message is for the asker. Set by gates/lock-service.ts. */
export function isGateRefusal(err: unknown): err is Error & { field: string } {
  return err instanceof Error && (err as { code?: unknown }).code === "GATE_REFUSED";
}

/** An admin command's input was wrong. */
export class AdminInputError extends Error {
  readonly code = "ADMIN_INPUT";
}
