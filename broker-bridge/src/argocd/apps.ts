// What the bridge keeps of an Argo CD Application (swagger definitions/v1alpha1Application): its
// name, project, labels, sync and health status, the last operation and the deploy history.
// Everything else in the (large) object is dropped at the edge.

import { isObject } from "@shipgate/protocol";

/** status.sync.status: Synced, OutOfSync, Unknown. status.health.status: Healthy, Progressing,
 *  Degraded, Suspended, Missing, Unknown. operationState.phase: Running, Terminating, Failed,
 *  Error, Succeeded (Argo CD's ApplicationStatus documentation). */
export interface AppOperation {
  phase: string;
  message: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The operation's info items (the `infos` of the sync request that started it). */
  info: Record<string, string>;
}

export interface HistoryEntry {
  id: number | null;
  revision: string;
  deployedAt: string;
}

export interface AppSummary {
  name: string;
  project: string;
  namespace: string | null;
  labels: Record<string, string>;
  sync: string;
  health: string;
  healthMessage: string;
  revision: string;
  /** A requested operation not yet picked up by the controller (Application.operation). */
  operationRequested: boolean;
  operation: AppOperation | null;
  history: HistoryEntry[];
  /** metadata.resourceVersion, when present. */
  resourceVersion: string | null;
}

export const TERMINAL_PHASES: readonly string[] = ["Succeeded", "Failed", "Error"];

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? (value as Record<string, unknown>) : {};
}

function infoMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    const i = obj(item);
    if (typeof i.name === "string") out[i.name] = str(i.value);
  }
  return out;
}

/** The summary of an Application JSON object, or null when it has no name. */
export function summarize(app: unknown): AppSummary | null {
  const a = obj(app);
  const meta = obj(a.metadata);
  const name = str(meta.name);
  if (name === "") return null;
  const spec = obj(a.spec);
  const status = obj(a.status);
  const sync = obj(status.sync);
  const health = obj(status.health);
  const op = isObject(status.operationState) ? obj(status.operationState) : null;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(meta.labels))) if (typeof v === "string") labels[k] = v;
  const history: HistoryEntry[] = [];
  if (Array.isArray(status.history)) {
    for (const h of status.history) {
      const e = obj(h);
      const deployedAt = str(e.deployedAt);
      if (deployedAt === "" || Number.isNaN(Date.parse(deployedAt))) continue;
      // int64 fields may come as JSON strings (protobuf JSON mapping); accept both.
      const id = typeof e.id === "number" ? e.id : typeof e.id === "string" && /^\d+$/.test(e.id) ? Number(e.id) : null;
      history.push({ id, revision: str(e.revision), deployedAt });
    }
  }
  return {
    name,
    project: str(spec.project) || "default",
    namespace: str(meta.namespace) || null,
    labels,
    sync: str(sync.status) || "Unknown",
    health: str(health.status) || "Unknown",
    healthMessage: str(health.message),
    revision: str(sync.revision),
    operationRequested: isObject(a.operation),
    operation:
      op === null
        ? null
        : {
            phase: str(op.phase),
            message: str(op.message),
            startedAt: str(op.startedAt) || null,
            finishedAt: str(op.finishedAt) || null,
            info: infoMap(obj(op.operation).info),
          },
    history,
    resourceVersion: str(meta.resourceVersion) || null,
  };
}

/** An app needs attention as an error: health Degraded, or its last operation failed. */
export function isInError(app: AppSummary): boolean {
  return app.health === "Degraded" || app.operation?.phase === "Failed" || app.operation?.phase === "Error";
}
