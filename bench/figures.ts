// What a benchmark run produces: figures (one measured number each, with its unit, which direction
// is better, and the conditions it was measured under), and the statistics the sections share.

import os from "node:os";

/** The machine and settings a figure was measured under (bench/results.json, one per figure). */
export interface Conditions {
  /** "embedded" (aedes inside the bridge), "mosquitto", "xs" (xsnap-worker), "fake-github", "none". */
  broker: string;
  node: string;
  cpus: number;
  machine: string;
  date: string;
  /** Samples behind the figure (decisions, frames, runs). */
  n: number;
  /** Anything else that matters for reading the number (e.g. how many locks were waiting). */
  note?: string;
}

export type Better = "lower" | "higher" | "none";

export interface Figure {
  /** Stable across runs: the comparison with the previous results matches figures by name. */
  name: string;
  /** null: not measured in this run (`conditions.note` says why). */
  value: number | null;
  unit: string;
  /** Which direction is an improvement; "none" for figures that are context, not goals (ratios to a baseline are "lower"). */
  better: Better;
  /** Section of docs/performance.md the figure belongs to. */
  section: string;
  conditions: Conditions;
}

export interface Machine {
  model: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    model: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function machineLine(m: Machine): string {
  return `${m.model}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`;
}

/** Collects figures, stamping each with the run's machine and date. */
export class FigureSink {
  readonly figures: Figure[] = [];
  readonly #machine: Machine;
  readonly #date: string;

  constructor(machine: Machine, date: Date) {
    this.#machine = machine;
    this.#date = date.toISOString();
  }

  add(section: string, name: string, value: number | null, unit: string, better: Better, c: { broker: string; n: number; note?: string }): Figure {
    const conditions: Conditions = {
      broker: c.broker,
      node: this.#machine.node,
      cpus: this.#machine.cores,
      machine: this.#machine.model,
      date: this.#date,
      n: c.n,
    };
    if (c.note !== undefined) conditions.note = c.note;
    const figure: Figure = { name, value: value === null ? null : round(value), unit, better, section, conditions };
    this.figures.push(figure);
    return figure;
  }

  /** A figure this run could not measure, kept in the table with the reason. */
  notMeasured(section: string, name: string, unit: string, better: Better, why: string): Figure {
    return this.add(section, name, null, unit, better, { broker: "none", n: 0, note: `not measured: ${why}` });
  }
}

/** Three significant digits at most, so results.json diffs stay readable. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  const f = 10 ** Math.min(digits, 6);
  return Math.round(value * f) / f;
}

/** The nearest-rank percentile (p in 0-100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError("percentile: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}
