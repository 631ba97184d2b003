// What the CI service offers: the watched pipelines and their health.

import { port } from "./port";

export type PipelineHealthState = "passing" | "failing" | "building" | "unknown";

export interface PipelinesPort<S = unknown> {
  pipelines(): ({ name: string; health: PipelineHealthState } & S)[];
  healthOf(name: string): PipelineHealthState;
}

export const Pipelines = port<PipelinesPort>("pipelines");
