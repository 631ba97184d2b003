// SystemPort on the device: free memory from Moddable's Instrumentation, the restart reason from
// ESP-IDF's esp_reset_reason() (through the SDK's ESP32 "resetReason" module), and the version
// from the manifest's config.
//
// Instrumentation answers only in builds made with -d or -i (MODINSTRUMENTATION; see
// build/devices/esp32/xsProj-esp32/main/CMakeLists.txt); a release build returns undefined, and
// the heartbeat then reports 0 rather than a made-up number.

import Instrumentation from "instrumentation";
import getResetReason from "resetReason";
import type { SystemPort } from "../../core/ports";

export class ModdableSystem implements SystemPort {
  readonly #version: string;
  readonly #reason: string;
  readonly #freeMemory: number | undefined;

  constructor(version: string) {
    this.#version = version;
    this.#freeMemory = Instrumentation.map("System Free Memory");
    let reason = "unknown";
    try {
      const r = getResetReason();
      // The table in resetReason.js stops at "SDIO"; newer ESP-IDF reasons come back "Invalid".
      reason = r.string === "Invalid" ? `esp_reset_reason ${r.reason}` : r.string;
    } catch {
      // Keep "unknown": the heartbeat must not fail over a diagnostic.
    }
    this.#reason = reason;
  }

  freeHeap(): number {
    if (this.#freeMemory === undefined) return 0;
    return Instrumentation.get(this.#freeMemory) ?? 0;
  }

  restartReason(): string {
    return this.#reason;
  }

  version(): string {
    return this.#version;
  }
}
