// System port on Node: the process's free heap and the firmware package's version.

import { readFileSync } from "node:fs";
import type { SystemPort } from "../../core/ports";

// The build (tools/build/build.ts) writes the version in: an installed bridge's dist/ has no
// firmware/package.json two folders up, and the twin then said 0.0.0. From sources, read the file.
declare const __SHIPGATE_FIRMWARE_VERSION__: string | undefined;

function packageVersion(): string {
  if (typeof __SHIPGATE_FIRMWARE_VERSION__ === "string") return __SHIPGATE_FIRMWARE_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export class NodeSystem implements SystemPort {
  readonly #version: string;
  readonly #reason: string;

  constructor(options: { version?: string; restartReason?: string } = {}) {
    this.#version = options.version ?? packageVersion() + "-twin";
    this.#reason = options.restartReason ?? "twin-start";
  }

  freeHeap(): number {
    const m = process.memoryUsage();
    return Math.max(0, m.heapTotal - m.heapUsed);
  }

  restartReason(): string {
    return this.#reason;
  }

  version(): string {
    return this.#version;
  }
}
