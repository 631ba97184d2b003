// `npm run bench`: every figure of issue 9 in one run, side by side, written down.
//   bench/results.json           this run's figures: [{name, value, unit, better, section, conditions}]
//   bench/results.previous.json  the run before (the results.json this run replaced)
//   docs/performance.md          the tables, the machine, and the comparison with the run before
// A figure more than 20 % worse than before is flagged on the console and in the document.
// `npm run bench -- --quick` runs a small version of everything and writes nothing (a smoke test).
// `npm run bench -- --only ha` runs the two-bridge section alone (bench/ha.ts; SHIPGATE_TEST_PG_URL).

import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DEFAULT_DECISION_OPTIONS, type DecisionOptions, measureDecisions } from "./decisions";
import { FigureSink, describeMachine, machineLine } from "./figures";
import { measureFrames } from "./frames";
import { measureMemoryBudget } from "./memory";
import { measurePolling } from "./polling";
import { readFigures, runReport, updatePerformanceDoc } from "./report";
import { DEFAULT_SCALE_OPTIONS, type ScaleOptions, measureMemoryGrowth, measureThroughput } from "./scale";
import { measureFootprint } from "./footprint";
import { type HaPlan, measureHa } from "./ha";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const RESULTS = here("./results.json");
const PREVIOUS = here("./results.previous.json");
const DOC = here("../docs/performance.md");

interface Plan {
  decisions: DecisionOptions;
  scale: ScaleOptions;
  frameRepeats: number;
  startRuns: number;
  idleMs: number;
  polling: boolean;
  ha: HaPlan;
}

const FULL: Plan = {
  decisions: DEFAULT_DECISION_OPTIONS,
  scale: { ...DEFAULT_SCALE_OPTIONS, headDecisions: 10 },
  frameRepeats: 2000,
  startRuns: 3,
  idleMs: 5000,
  polling: true,
  ha: { kills: 20, gates: 20, storeSamples: 2000 },
};

const QUICK: Plan = {
  decisions: { decisions: 30, warmup: 5, rttSamples: 30, cliRuns: 1 },
  scale: { pipelines: 50, window: 16, levels: [10, 100], headDecisions: 3 },
  frameRepeats: 100,
  startRuns: 1,
  idleMs: 500,
  polling: false,
  ha: { kills: 2, gates: 4, storeSamples: 50 },
};

async function main(): Promise<number> {
  const quick = process.argv.includes("--quick");
  // `--only footprint`: that section alone; the other sections keep their figures from the last run.
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
  if (only !== undefined && only !== "footprint" && only !== "ha") throw new Error(`bench: --only knows footprint and ha, not ${only}`);
  const plan = quick ? QUICK : FULL;
  const machine = describeMachine();
  const date = new Date();
  const sink = new FigureSink(machine, date);
  const t0 = performance.now();
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  log(`bench on ${machineLine(machine)}${quick ? " (quick: nothing is written)" : ""}`);

  if (only === "ha") {
    await measureHa(sink, plan.ha, log);
    return finish(sink, machine, date, t0, quick, log);
  }
  await measureFootprint(sink, plan.startRuns, plan.idleMs, log);
  if (only === "footprint") return finish(sink, machine, date, t0, quick, log);
  await measureFrames(sink, plan.frameRepeats, log);
  await measureMemoryBudget(sink, log);
  await measureDecisions(sink, "embedded", plan.decisions, log);
  await measureDecisions(sink, "mosquitto", plan.decisions, log);
  await measureThroughput(sink, plan.scale, log);
  await measureMemoryGrowth(sink, plan.scale, log);
  if (plan.polling) await measurePolling(sink, log);
  await measureHa(sink, plan.ha, log);
  return finish(sink, machine, date, t0, quick, log);
}

async function finish(sink: FigureSink, machine: ReturnType<typeof describeMachine>, date: Date, t0: number, quick: boolean, log: (line: string) => void): Promise<number> {
  const durationS = (performance.now() - t0) / 1000;
  log(`done in ${durationS.toFixed(0)} s`);

  const previous = readFigures(RESULTS);
  const measured = new Set(sink.figures.map((f) => f.section));
  // A partial run (--only) keeps the other sections' figures as they were.
  const figures = [...sink.figures, ...previous.filter((f) => !measured.has(f.section) && f.section !== "Start-up")];
  const { comparisons, text } = runReport(previous, quick ? sink.figures : figures, quick);
  const previousDate = previous[0]?.conditions.date ?? null;
  process.stdout.write(`${text}\n`);
  if (quick) return 0;
  if (existsSync(RESULTS)) copyFileSync(RESULTS, PREVIOUS);
  writeFileSync(RESULTS, JSON.stringify(figures, null, 2) + "\n");
  updatePerformanceDoc(DOC, machine, date.toISOString(), durationS, figures, comparisons, previousDate);
  log(`wrote ${RESULTS} and ${DOC}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
