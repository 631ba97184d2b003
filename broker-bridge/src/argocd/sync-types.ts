// What a sync batch looks like, and what the sync runner is given: the shapes shared by the runner
// (sync.ts), the gadgets' view of it (view.ts) and the service that wires it (argocd-service.ts).

import type { Clock } from "../clock";
import type { EventBus } from "../events";
import type { Logger } from "../log";
import type { LockDecisionsPort, LockQueriesPort } from "../ports/gates";
import type { AppBook } from "./app-book";
import type { ArgoClient } from "./client";
import type { ArgoConfig } from "./config";

export type AppSyncState = "requested" | "refused" | "running" | "succeeded" | "failed" | "timeout";

export interface AppSyncProgress {
  name: string;
  state: AppSyncState;
  /** Argo CD's refusal or the operation's message. */
  message: string | null;
}

export interface SyncBatch {
  id: string;
  gadget: string;
  /** ISO time of the press, also sent as the `shipgate-at` info. */
  at: string;
  approved_by: string | null;
  apps: AppSyncProgress[];
  finished_at: string | null;
}

export const INFO_GADGET = "shipgate-gadget";
export const INFO_AT = "shipgate-at";
export const INFO_APPROVED_BY = "shipgate-approved-by";

export interface SyncDeps {
  config: ArgoConfig;
  client: ArgoClient;
  book: AppBook;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  kv: { get<T>(key: string): T | undefined; set(key: string, value: unknown): void };
  /** The gates, when they run: the mode, and lock requests for require_approval. */
  gates: () => (Pick<LockQueriesPort, "mode"> & Pick<LockDecisionsPort, "request">) | undefined;
  /** Whether app updates arrive by themselves (the watch stream); else the runner polls. */
  streaming: () => boolean;
  /** Something the gadgets show changed. */
  changed: () => void;
}
