// Portable case files, run on Node and inside XS.
//
// A case file (`*.cases.ts`) default-exports an object that maps a case name to a function with no
// arguments that returns a JSON-serializable value (or a Promise of one). The same cases run on
// Node (imported) and in xsnap-worker (bundled by esbuild), each XS case as one command, so that
// each is metered on its own. Results are compared after a JSON round trip on both sides, which is
// how they leave XS anyway.

import path from "node:path";
import { pathToFileURL } from "node:url";
import type { TestFn } from "ava";
import { bundleForXs } from "./bundle";
import { type Meter, XsError, XsWorker } from "./worker";

export type CaseFn = () => unknown;
export type Cases = Readonly<Record<string, CaseFn>>;

export type CaseOutcome = { ok: true; value: unknown } | { ok: false; error: string };

export interface XsCaseOutcome {
  outcome: CaseOutcome;
  /** Computrons the case's command spent, including the harness's small dispatch and JSON reply. */
  compute: number;
  /** Change in slots in use over the command; understated when a GC ran (then `gc` is true). */
  slots: number;
  /** Bytes the XS machine had taken from the OS after the case (cumulative). */
  allocate: number;
  /** Whether XS collected garbage while the case ran. */
  gc: boolean;
}

async function loadCases(file: string): Promise<Cases> {
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
  const cases = module.default;
  if (typeof cases !== "object" || cases === null) throw new Error(`${file}: must export default an object of cases`);
  for (const [name, fn] of Object.entries(cases)) {
    if (typeof fn !== "function") throw new Error(`${file}: case "${name}" is not a function`);
  }
  return cases as Cases;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** What a case gives once its result has been through JSON, as it is when it leaves XS. */
function normalize(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

const NOT_SETTLED = "the case returned a promise that had not settled when the job queue drained";

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

export async function runCaseOnNode(cases: Cases, name: string): Promise<CaseOutcome> {
  const fn = cases[name];
  if (fn === undefined) return { ok: false, error: `no case named "${name}"` };
  try {
    const value = fn();
    if (!isThenable(value)) return { ok: true, value: normalize(value) };
    // XS reads a command's result once its job queue has drained; the same rule here keeps a
    // promise that waits for anything else (a timer, I/O) from passing on Node only.
    const unsettled = Symbol("unsettled");
    const settled = await Promise.race([value, new Promise((resolve) => setImmediate(() => resolve(unsettled)))]);
    if (settled === unsettled) return { ok: false, error: NOT_SETTLED };
    return { ok: true, value: normalize(settled) };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** Import a case file and run every case on Node. */
export async function runCasesOnNode(file: string): Promise<Record<string, CaseOutcome>> {
  const cases = await loadCases(file);
  const out: Record<string, CaseOutcome> = {};
  for (const name of Object.keys(cases)) out[name] = await runCaseOnNode(cases, name);
  return out;
}

// The entry bundled with a case file. It runs inside XS, so it sticks to what XS 13.3 has.
// Requests are JSON: {op:"run", name} runs one case; {op:"repeat", name|null, times} calls a case
// (or an empty function) that many times for benchmarks; {op:"gc"} collects garbage. A WeakRef to a
// fresh object, made at the end of every command, tells the next command whether a GC ran.
function entrySource(file: string): string {
  return `
import cases from ${JSON.stringify(path.resolve(file))};
const encoder = new TextEncoder();
const decoder = new TextDecoder();
let probe = new WeakRef({});
function describe(error) {
  return error instanceof Error ? error.name + ": " + error.message : String(error);
}
function reply(body) {
  const gc = probe.deref() === undefined;
  probe = new WeakRef({});
  body.gc = gc;
  return encoder.encode(JSON.stringify(body)).buffer;
}
function finish(report, value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    report.result = reply({ ok: false, error: "result is not JSON: " + describe(error) });
    return;
  }
  report.result = reply({ ok: true, value: text === undefined ? null : JSON.parse(text) });
}
globalThis.handleCommand = function (buffer) {
  const request = JSON.parse(decoder.decode(new Uint8Array(buffer)));
  const report = {};
  if (request.op === "names") {
    report.result = reply({ ok: true, value: Object.keys(cases) });
    return report;
  }
  if (request.op === "gc") {
    gc();
    report.result = reply({ ok: true, value: null });
    return report;
  }
  const fn = request.name === null ? function () {} : cases[request.name];
  if (typeof fn !== "function") {
    report.result = reply({ ok: false, error: "no case named " + JSON.stringify(request.name) });
    return report;
  }
  if (request.op === "repeat") {
    try {
      for (let i = 0; i < request.times; i++) fn();
      report.result = reply({ ok: true, value: null });
    } catch (error) {
      report.result = reply({ ok: false, error: describe(error) });
    }
    return report;
  }
  let value;
  try {
    value = fn();
  } catch (error) {
    report.result = reply({ ok: false, error: describe(error) });
    return report;
  }
  if (value !== null && typeof value === "object" && typeof value.then === "function") {
    // xsnap reads report.result after the job queue has drained, so a settled promise is in time.
    value.then(
      function (resolved) { finish(report, resolved); },
      function (error) { report.result = reply({ ok: false, error: describe(error) }); },
    );
  } else {
    finish(report, value);
  }
  return report;
};
`;
}

interface RawReply {
  ok: boolean;
  value?: unknown;
  error?: string;
  gc: boolean;
}

/** One xsnap-worker loaded with one case file; commands run one after another. */
export class XsCaseRunner {
  readonly file: string;
  readonly #worker: XsWorker;
  #heap: number;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string, worker: XsWorker, heap: number) {
    this.file = file;
    this.#worker = worker;
    this.#heap = heap;
  }

  /** `modules` maps module specifiers to files (bundle.ts, moduleMap): SDK modules to their fakes. */
  static async start(file: string, modules: Readonly<Record<string, string>> = {}): Promise<XsCaseRunner> {
    const script = await bundleForXs(entrySource(file), path.basename(file) + ".xs-entry.ts", modules);
    const worker = new XsWorker({ name: path.basename(file).replace(/[^A-Za-z0-9_.-]/g, "-") });
    try {
      const loaded = await worker.evaluate(script);
      return new XsCaseRunner(file, worker, loaded.meter.currentHeapCount);
    } catch (error) {
      await worker.close();
      throw error;
    }
  }

  /** Run one case as one command. A case that throws, or a dead worker, gives ok:false with XS's text. */
  runCase(name: string): Promise<XsCaseOutcome> {
    return this.#serial(async () => {
      const { raw, meter, slots } = await this.#request({ op: "run", name });
      const outcome: CaseOutcome = raw.ok ? { ok: true, value: raw.value } : { ok: false, error: raw.error ?? "failed without a message" };
      return { outcome, compute: meter.compute, slots, allocate: meter.allocate, gc: raw.gc };
    });
  }

  /** The names of the file's cases, as XS sees them. */
  names(): Promise<string[]> {
    return this.#serial(async () => {
      const { raw } = await this.#request({ op: "names" });
      if (!raw.ok) throw new XsError(`${this.file}: listing its cases failed in XS: ${raw.error}`, raw.error ?? "");
      return raw.value as string[];
    });
  }

  /** Cost of one call of a case: computrons and slots, with the harness's loop subtracted. */
  measure(name: string, repeats: number): Promise<XsMeasurement> {
    return this.#serial(async () => {
      let times = Math.max(1, Math.floor(repeats));
      for (;;) {
        const base = await this.#repeat(null, times);
        const run = await this.#repeat(name, times);
        // A GC inside the run hides the slots it allocated; fewer repeats fit between collections.
        if ((base.gc || run.gc) && times > 1) {
          times = Math.max(1, Math.floor(times / 4));
          continue;
        }
        return {
          repeats: times,
          computePerCall: (run.compute - base.compute) / times,
          slotsPerCall: run.gc ? Number.NaN : (run.slots - base.slots) / times,
          allocate: run.allocate,
        };
      }
    });
  }

  close(): Promise<void> {
    return this.#worker.close();
  }

  async #repeat(name: string | null, times: number): Promise<{ compute: number; slots: number; allocate: number; gc: boolean }> {
    await this.#request({ op: "gc" });
    const { raw, meter, slots } = await this.#request({ op: "repeat", name, times });
    if (!raw.ok) throw new XsError(`${this.file}: case "${name}" failed in XS: ${raw.error}`, raw.error ?? "");
    return { compute: meter.compute, slots, allocate: meter.allocate, gc: raw.gc };
  }

  async #request(request: object): Promise<{ raw: RawReply; meter: Meter; slots: number }> {
    let reply: Awaited<ReturnType<XsWorker["command"]>>;
    try {
      reply = await this.#worker.command(JSON.stringify(request));
    } catch (error) {
      const text = error instanceof XsError ? error.message : describeError(error);
      return { raw: { ok: false, error: text, gc: false }, meter: { compute: 0, allocate: 0, currentHeapCount: this.#heap }, slots: 0 };
    }
    const slots = reply.meter.currentHeapCount - this.#heap;
    this.#heap = reply.meter.currentHeapCount;
    if (reply.reply.byteLength === 0) {
      return {
        raw: { ok: false, error: NOT_SETTLED, gc: false },
        meter: reply.meter,
        slots,
      };
    }
    return { raw: JSON.parse(reply.reply.toString("utf8")) as RawReply, meter: reply.meter, slots };
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => {});
    return result;
  }
}

export interface XsMeasurement {
  /** Calls measured in one command (fewer than asked when a GC would have hidden allocations). */
  repeats: number;
  computePerCall: number;
  /** Slots allocated per call (NaN when even one call triggered a GC). 16 bytes each on the ESP32. */
  slotsPerCall: number;
  /** Bytes the XS machine had taken from the OS at the end (cumulative). */
  allocate: number;
}

/** Run every case of a file in one fresh XS worker. */
export async function runCasesInXs(file: string): Promise<Record<string, XsCaseOutcome>> {
  const cases = await loadCases(file);
  const runner = await XsCaseRunner.start(file);
  try {
    const out: Record<string, XsCaseOutcome> = {};
    for (const name of Object.keys(cases)) out[name] = await runner.runCase(name);
    return out;
  } finally {
    await runner.close();
  }
}

/** For benchmarks: per-call computrons and slots of one case, measured over `repeats` calls. */
export async function measureInXs(file: string, caseName: string, repeats: number): Promise<XsMeasurement> {
  const runner = await XsCaseRunner.start(file);
  try {
    return await runner.measure(caseName, repeats);
  } finally {
    await runner.close();
  }
}

/**
 * Register one ava test per case: it runs the case on Node and in XS and asserts equal results,
 * and logs XS's metering. One worker serves the whole file and is ended after the last test.
 * Call with top-level await: `await registerXsAndNodeTests(test, new URL("./x.cases.ts", import.meta.url))`.
 */
export async function registerXsAndNodeTests(test: TestFn, file: string | URL): Promise<void> {
  const filePath = typeof file === "string" ? path.resolve(file) : decodeURIComponent(file.pathname);
  const cases = await loadCases(filePath);
  let runner: Promise<XsCaseRunner> | undefined;
  const start = (): Promise<XsCaseRunner> => (runner ??= XsCaseRunner.start(filePath));
  test.after.always("end the XS worker", async () => {
    if (runner !== undefined) await (await runner).close();
  });
  for (const name of Object.keys(cases)) {
    test(`${path.basename(filePath)}: ${name} (Node and XS)`, async (t) => {
      const onNode = await runCaseOnNode(cases, name);
      const inXs = await (await start()).runCase(name);
      if (!onNode.ok) t.fail(`on Node: ${onNode.error}`);
      if (!inXs.outcome.ok) t.fail(`in XS: ${inXs.outcome.error}`);
      t.deepEqual(inXs.outcome, onNode, "XS and Node disagree");
      t.log(`XS: ${inXs.compute} computrons, ${inXs.slots} slots${inXs.gc ? " (a GC ran)" : ""}, machine ${inXs.allocate} bytes`);
    });
  }
}

/**
 * Register one ava test per case, run in XS only: for code that imports Moddable SDK modules,
 * which exist only as the fakes `modules` maps them to (firmware/test/moddable/). The case names
 * come from XS, so the file is never imported on Node.
 */
export async function registerXsTests(test: TestFn, file: string | URL, modules: Readonly<Record<string, string>>): Promise<void> {
  const filePath = typeof file === "string" ? path.resolve(file) : decodeURIComponent(file.pathname);
  const runner = await XsCaseRunner.start(filePath, modules);
  const names = await runner.names();
  test.after.always("end the XS worker", () => runner.close());
  for (const name of names) {
    test(`${path.basename(filePath)}: ${name} (XS)`, async (t) => {
      const inXs = await runner.runCase(name);
      if (!inXs.outcome.ok) t.fail(`in XS: ${inXs.outcome.error}`);
      else t.pass();
      t.log(`XS: ${inXs.compute} computrons, ${inXs.slots} slots${inXs.gc ? " (a GC ran)" : ""}`);
    });
  }
}
