// What the CI service offers: the watched pipelines and their health, as other services read them
// (ci/ci-service.ts's PipelineStatus carries more; it fits this shape).

import { port } from "./port";

export type PipelineHealthState = "passing" | "failing" | "building" | "unknown";

/** A build as the feeds label and link it. */
export interface BuildRef {
  id: string;
  number?: number;
  url: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface PipelineView {
  name: string;
  provider: string;
  /** Health as shown: unknown when the data is older than the freshness bound. */
  health: PipelineHealthState;
  fresh: boolean;
  summary: {
    result: "passing" | "failing" | null;
    awaiting: boolean;
    building: boolean;
    newest: BuildRef | null;
    lastFinished: BuildRef | null;
  };
}

export interface PipelinesPort {
  pipelines(): PipelineView[];
  healthOf(name: string): PipelineHealthState;
}

export const Pipelines = port<PipelinesPort>("pipelines");
