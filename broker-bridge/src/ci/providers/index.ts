// Every provider the bridge knows, by the name used in ci.pipelines.<name>.provider.

import { bamboo } from "./bamboo";
import { buildkite } from "./buildkite";
import { cctray } from "./cctray";
import { circleci } from "./circleci";
import { codeship } from "./codeship";
import { concourse } from "./concourse";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { jenkins } from "./jenkins";
import type { ProviderDefinition } from "./provider";

export const PROVIDERS: ReadonlyMap<string, ProviderDefinition<unknown>> = new Map(
  ([github, gitlab, jenkins, circleci, buildkite, concourse, bamboo, codeship, cctray] as ProviderDefinition<unknown>[]).map((d) => [d.kind, d]),
);
