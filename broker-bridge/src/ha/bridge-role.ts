// Which part this bridge plays, for `shipgate status`, /api/status and the availability topic:
// "single" on its own SQLite file (no lease), or "leader" / "standby" among bridges that share one
// PostgreSQL store (ha/leadership.ts). No database code here: single bridges load this file too.

import type { FastifyInstance } from "fastify";
import type { Link } from "../link/link";

export const STEP_DOWN_EXIT_CODE = 75;

export interface LeaderInfo {
  id: string;
  /** ISO-8601: when that bridge took the lease. */
  since: string;
}

/** What startBridge needs to know when it runs as one of several bridges (absent: "single"). */
export interface HaRole {
  readonly role: "leader" | "standby";
  /** This bridge's id among the bridges on the store (SHIPGATE_BRIDGE_ID, else host-pid). */
  readonly id: string;
  /** Leader: when it took the lease. */
  readonly since: Date | null;
  /** Leader: the lease token every write transaction is fenced with. */
  readonly token: number | null;
  /** The fence for the store's write transactions: the lease token while this bridge leads, else none. */
  fence(): { lease: string; token: number | null };
  /** Who leads, as the lease table says (the standby reads it on each status). */
  leader(): LeaderInfo | null;
  /** Standby: the link that stands in for the broker connection (it never connects). */
  readonly link?: Link;
  /** Standby: hooks on the HTTP server before any route is registered (write routes answer who leads). */
  configureHttp?(http: FastifyInstance): void;
}

export interface BridgeRoleStatus {
  role: "leader" | "standby" | "single";
  id: string;
  since: string;
  /** Standby: the bridge that leads, if any. */
  leader?: LeaderInfo | null;
}

export function bridgeRoleStatus(ha: HaRole | undefined, singleId: string, startedAt: number): BridgeRoleStatus {
  if (ha === undefined) return { role: "single", id: singleId, since: new Date(startedAt).toISOString() };
  if (ha.role === "leader") return { role: "leader", id: ha.id, since: (ha.since ?? new Date(startedAt)).toISOString() };
  return { role: "standby", id: ha.id, since: new Date(startedAt).toISOString(), leader: ha.leader() };
}
