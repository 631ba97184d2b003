// Everything generated from pinout.json, as file contents keyed by path under hardware/: the
// wiring drawings and the README with its generated sections filled in. Pure, so the drift test
// and generate.ts share it.

import { parsePinout, type ManifestLike, type Pinout } from "./pinout";
import { fillReadme, primaryBuilds, readmeSections } from "./readme";
import { allProblems, checkPinout, type Build, type Problem } from "./validate";
import { wiringSvg } from "./wiring-svg";

export interface Outputs {
  pinout: Pinout;
  builds: Build[];
  problems: Problem[];
  /** File name under hardware/ to its full content. */
  files: Record<string, string>;
}

/** The drawing of the first board is wiring.svg (the README embeds it); others are wiring-<board>.svg. */
export function svgName(boardId: string, index: number): string {
  return index === 0 ? "wiring.svg" : `wiring-${boardId}.svg`;
}

export function renderOutputs(pinoutJson: unknown, readme: string, root?: ManifestLike): Outputs {
  const pinout = parsePinout(pinoutJson);
  const builds = checkPinout(pinout, root);
  const problems = allProblems(builds);
  const files: Record<string, string> = {};
  primaryBuilds(builds).forEach((build, i) => {
    files[svgName(build.board.id, i)] = wiringSvg(build.config, build.board, pinout.parts);
  });
  files["README.md"] = fillReadme(readme, readmeSections(pinout, builds));
  return { pinout, builds, problems, files };
}
