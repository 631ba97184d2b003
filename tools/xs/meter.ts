// Memory figures from XS itself: builds meter-host.c against the XS objects that @agoric/xsnap
// compiled at install (same engine as the tests' xsnap-worker) and runs a bundled script in it.
// The binary goes to node_modules/.cache (never committed); it is rebuilt when the C file changes.
//
// What the host reports (meter-host.c): slots and chunk bytes in use after a GC, their peaks, and
// the stack's high-water mark in slots. Units against the ESP32 build (32-bit XS):
// - slots: the same count (one txSlot per value, property or closure variable); a slot is 32
//   bytes here and 16 on the ESP32, so slot figures carry over as counts;
// - stack: the same unit (slots), so the count carries over too;
// - chunk bytes: strings and ArrayBuffer bytes are the same, but chunk headers (size + pointer)
//   and the slots that arrays and property tables keep in chunks are twice as wide on 64 bits, so
//   the figure here is an upper bound of the device's (at most twice it).

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForXs } from "./bundle";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");
const xsnap = path.join(repoRoot, "node_modules", "@agoric", "xsnap");
const objects = path.join(xsnap, "xsnap-native", "xsnap", "build", "tmp", "lin", "release", "xsnap-worker");

// The flags xsnap-worker's objects were compiled with (xsnap-native/xsnap/makefiles/lin/xsnap-worker.mk),
// so xsAll.h lays out txMachine as they do.
const DEFINES = [
  "-DINCLUDE_XSPLATFORM",
  '-DXSPLATFORM="xsnapPlatform.h"',
  "-DmxLockdown=1",
  "-DmxMetering=1",
  "-DmxDebug=1",
  "-UmxInstrument",
  "-DmxNoConsole=1",
  "-DmxBoundsCheck=1",
  "-DmxParse=1",
  "-DmxRun=1",
  "-DmxSloppy=1",
  "-DmxSnapshot=1",
  "-DmxRegExpUnicodePropertyEscapes=1",
  "-DmxStringNormalize=1",
  "-DmxMinusZero=1",
];

/** Builds the host once per version of meter-host.c; returns its path. */
export function meterHost(): string {
  const source = path.join(here, "meter-host.c");
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  const dir = path.join(repoRoot, "node_modules", ".cache", "shipgate-xs-meter");
  const binary = path.join(dir, `meter-host-${hash}`);
  if (existsSync(binary)) return binary;
  if (!existsSync(objects)) throw new Error(`tools/xs/meter: no XS objects at ${objects} (npm install builds @agoric/xsnap)`);
  const objs = readdirSync(objects)
    .filter((f) => f.endsWith(".o") && f !== "xsnap-worker.o")
    .map((f) => path.join(objects, f));
  mkdirSync(dir, { recursive: true });
  const xs = path.join(xsnap, "moddable", "xs");
  execFileSync(
    "cc",
    [
      "-O1",
      "-fno-common",
      `-I${xs}/includes`,
      `-I${xs}/platforms`,
      `-I${xs}/sources`,
      `-I${xsnap}/xsnap-native/xsnap/sources`,
      ...DEFINES,
      source,
      ...objs,
      "-ldl",
      "-lm",
      "-lpthread",
      "-o",
      `${binary}.${process.pid}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  // Two test workers may build at once: each links its own file, the rename is atomic.
  renameSync(`${binary}.${process.pid}`, binary);
  return binary;
}

export interface MeterReading {
  /** Slots in use after a GC. */
  slots: number;
  /** Chunk bytes in use after a GC (64-bit: an upper bound of the ESP32's). */
  chunks: number;
  peakSlots: number;
  peakChunks: number;
  stackNow: number;
  /** The stack's high-water mark since the last paintStack(), in slots. */
  stackPeak: number;
}

/**
 * Bundles `entrySource` (TypeScript; globals meter(), paintStack(), print()) and runs it in the
 * meter host; returns what it printed as its last line, parsed as JSON.
 */
export async function runMetered(entrySource: string, label: string, modules: Readonly<Record<string, string>> = {}): Promise<unknown> {
  const script = await bundleForXs(entrySource, label, modules);
  const dir = path.join(repoRoot, "node_modules", ".cache", "shipgate-xs-meter");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${label.replace(/[^A-Za-z0-9_.-]/g, "-")}.${process.pid}.js`);
  writeFileSync(file, script);
  const run = spawnSync(meterHost(), [file], { encoding: "utf8", timeout: 60_000 });
  unlinkSync(file);
  if (run.status !== 0) throw new Error(`meter host: ${label} ended with ${run.status ?? run.signal}: ${run.stderr.trim() || run.stdout.trim().split("\n").slice(-3).join(" | ")}`);
  const lines = run.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] ?? "null") as unknown;
}

/** meter()'s array as named fields. */
export function reading(raw: readonly number[]): MeterReading {
  const [slots = 0, chunks = 0, peakSlots = 0, peakChunks = 0, stackNow = 0, stackPeak = 0] = raw;
  return { slots, chunks, peakSlots, peakChunks, stackNow, stackPeak };
}
