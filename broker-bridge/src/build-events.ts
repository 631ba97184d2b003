// The CI facts on the bridge's bus. Pollers and webhooks only emit these; views, notifications,
// feeds and counters subscribe without the pollers knowing them.

import type { BuildChange } from "./builds";
import type { Deployment, PipelineHealth } from "./builds";

export interface PipelineResultChange {
  pipeline: string;
  provider: string;
  /** The last finished result before and after; null before the first one. */
  before: "passing" | "failing" | null;
  after: "passing" | "failing";
  /** Parts (workflows, jobs) whose last build failed. */
  failing: string[];
  url: string | null;
}

declare module "./events" {
  interface BridgeEvents {
    /** A build is new or its state changed (or, with baseline, was first seen in a pipeline's history). */
    "ci:build": BuildChange;
    /** A pipeline's last finished result changed (failed, recovered), persisted across restarts. */
    "ci:result": PipelineResultChange;
    /** A finished deployment not seen before: any provider (Argo CD emits these too). */
    "ci:deploy": { deployment: Deployment; baseline: boolean };
    /** A pipeline's data went stale (shown as unknown) or became fresh again. */
    "ci:freshness": { pipeline: string; fresh: boolean; health: PipelineHealth };
  }
}
