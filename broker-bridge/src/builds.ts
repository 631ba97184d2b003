// The normalized shapes every CI/CD provider is mapped onto. Providers translate their own status
// vocabulary into BuildState explicitly (see each file in providers/), so the rest of the bridge
// (change detection, views, feeds, notifications, counters) never sees a provider's words.

import type { SceneName } from "@shipgate/protocol";

/**
 * What one build (a workflow run, a pipeline, a job build...) says.
 * - passing / failing: it finished and it tells us something about the code.
 * - building: queued or running.
 * - awaiting: paused for a person (GitHub "waiting", GitLab "manual", CircleCI "on_hold",
 *   Buildkite "blocked"): the state cc.xml cannot express (Nevergreen's complaint, peers.md).
 * - cancelled: stopped or skipped; says nothing about the code, so the pipeline's state is taken
 *   from the newest build that is not cancelled.
 * - unknown: the provider answered with a value we do not know.
 */
export const BUILD_STATES = ["passing", "failing", "building", "awaiting", "cancelled", "unknown"] as const;
export type BuildState = (typeof BUILD_STATES)[number];

export interface Build {
  /** Provider kind: "github", "gitlab", ... */
  provider: string;
  /** The pipeline's name in the config (ci.pipelines.<name>). */
  pipeline: string;
  /** The provider's id for this build, unique within the pipeline. */
  id: string;
  number?: number;
  state: BuildState;
  branch: string | null;
  url: string | null;
  /** ISO 8601 times (UTC), null when the provider does not say. */
  started_at: string | null;
  finished_at: string | null;
  /** The part of the pipeline it belongs to (a workflow, a Concourse job, a Bamboo environment):
   *  the pipeline's health is the worst of each part's newest result. */
  workflow?: string;
}

/** A finished deployment to an environment. */
/** A build seen by a poll or a webhook, with what it was before (ci/build-log.ts decides). */
export interface BuildChange {
  build: Build;
  /** The state this build had when last seen; null for a new build. */
  previous: BuildState | null;
  /** Part of the pipeline's first poll ever (history, not news). */
  baseline: boolean;
}

export interface Deployment {
  provider: string;
  /** The config name of the pipeline that reported it (or the Argo CD app). */
  pipeline: string;
  environment: string;
  /** The provider's id, unique within provider + pipeline. */
  id: string;
  /** When it finished (ISO 8601, UTC). */
  at: string;
  ok: boolean;
}

export interface PollResult {
  /** Newest first, for the pipeline's configured branch. */
  builds: Build[];
  /** Finished deployments, any order. */
  deployments: Deployment[];
}

/** What a pipeline shows: the newest build's activity and the last finished build's result. */
export type PipelineHealth = "passing" | "failing" | "building" | "unknown";

/** Ring scene per health; the composer picks the worst by SEVERITY (failed > building > unknown > passing). */
export const HEALTH_SCENE: Readonly<Record<PipelineHealth, SceneName>> = Object.freeze({
  passing: "passing",
  failing: "failed",
  building: "building",
  unknown: "unknown",
});

export function isoOrNull(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value !== "string" || value === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
