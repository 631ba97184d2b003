// What the page reads from the bridge: the dashboard state pushed on /api/events (the shape of
// broker-bridge/src/dashboard/dashboard-service.ts DashboardState) and the audit entries. The
// gates' and presence's sections are typed from the protocol; CI and Argo CD are read generically
// (builds.ts) because their services add fields as they grow.

import type { GadgetView, LockState, ModeState, Telemetry } from "@shipgate/protocol/messages";

export type { GadgetView, LockState, ModeState, Telemetry };

export interface GadgetPresence {
  id: string;
  online: boolean;
  last_seen: string | null;
  interval_s: number;
  telemetry?: Telemetry;
}

/** A fleet node from its presence beats (shipgate presence beat). */
export interface NodeItem {
  id: string;
  online: boolean;
  last_seen: string | null;
  interval_s: number;
  part?: string;
  label?: string;
  facts?: Record<string, string>;
}

export interface FreezeInfo {
  timezone: string;
  windows: { name: string; from: string; to: string }[];
  next_change_at: string | null;
}

export interface PageState {
  at: string;
  title: string;
  prefix: string;
  mode: ModeState | null;
  locks: LockState[];
  recent: LockState[];
  gadgets: GadgetPresence[];
  nodes: NodeItem[];
  views: Record<string, GadgetView>;
  ci: unknown;
  argocd: unknown;
  freeze: FreezeInfo;
}

export interface AuditItem {
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown> | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** Reads a pushed state; a missing section becomes empty, never an exception in a render. */
export function readPageState(raw: unknown): PageState {
  const o = isObj(raw) ? raw : {};
  const status = isObj(o.status) ? o.status : {};
  const mode = isObj(status.mode) && typeof status.mode.mode === "string" ? (status.mode as unknown as ModeState) : null;
  const freeze = isObj(o.freeze) ? (o.freeze as unknown as FreezeInfo) : { timezone: "", windows: [], next_change_at: null };
  return {
    at: typeof o.at === "string" ? o.at : new Date().toISOString(),
    title: typeof o.title === "string" ? o.title : "shipgate",
    prefix: typeof o.prefix === "string" ? o.prefix : "shipgate/v1/",
    mode,
    locks: arr<LockState>(status.locks),
    recent: arr<LockState>(o.recent),
    gadgets: arr<GadgetPresence>(status.gadgets),
    nodes: arr<NodeItem>(status.nodes).filter((n) => isObj(n) && typeof n.id === "string"),
    views: isObj(status.views) ? (status.views as Record<string, GadgetView>) : {},
    ci: status.ci,
    argocd: status.argocd,
    freeze: { timezone: freeze.timezone ?? "", windows: arr(freeze.windows), next_change_at: freeze.next_change_at ?? null },
  };
}

export function readAuditItem(raw: unknown): AuditItem | null {
  if (!isObj(raw)) return null;
  const { at, actor, action, subject } = raw;
  if (typeof at !== "string" || typeof actor !== "string" || typeof action !== "string" || typeof subject !== "string") return null;
  return { at, actor, action, subject, detail: isObj(raw.detail) ? raw.detail : null };
}
