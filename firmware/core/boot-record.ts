// What the gadget keeps about its boots in Preference (the Settings port):
//
// - "boot": the boot number that events carry with their seq, so (boot, seq) never repeats across
//   restarts and the bridge can refuse replays (docs/protocol.md, "Event signing").
// - "boot_fails": boots in a row that ended before reaching the broker. Each boot counts itself
//   as failed when it starts and clears the count once the broker answers (a good boot). When a
//   boot finds SAFE_MODE_AFTER failures already counted, the gadget comes up in safe mode: the
//   setup screen, the built-in defaults without the stored overrides, no connection attempt, and
//   so no boot loop from a setting or a server that crashes it. The safe boot clears the count, so
//   the next restart tries the configuration again.
// A settings store that fails is traced once; the gadget then runs without either record.

import type { Log, Settings } from "./ports";

/** The NVS key of the boot counter. */
export const BOOT_KEY = "boot";
/** The NVS key of the count of boots in a row that did not reach the broker (15 characters at most). */
export const BOOT_FAILS_KEY = "boot_fails";
/** Failed boots in a row after which the next boot comes up in safe mode. */
export const SAFE_MODE_AFTER = 3;

const COUNTER_MAX = 0x7fffffff;

function storedCount(settings: Settings, key: string): number {
  const stored = settings.get(key);
  return typeof stored === "number" && Number.isInteger(stored) && stored >= 0 ? stored : 0;
}

/** Reads and advances the boot number; 0 when the settings store fails. */
export function nextBootNumber(settings: Settings, log: Log): number {
  try {
    const previous = storedCount(settings, BOOT_KEY);
    const boot = previous >= COUNTER_MAX ? 1 : previous + 1;
    settings.set(BOOT_KEY, boot);
    return boot;
  } catch (e) {
    // Without a stored counter (boot, seq) may repeat an earlier boot's pairs, which the bridge
    // refuses as replays; say so plainly.
    log.warn(`settings: boot counter unavailable (${String(e)}); events may be refused as replays`);
    return 0;
  }
}

export class BootGuard {
  readonly #settings: Settings;
  readonly #log: Log;
  /** Failed boots in a row found when this boot started. */
  readonly failedBoots: number;
  /** Whether this boot runs in safe mode. */
  readonly safeMode: boolean;
  #begun = false;
  #cleared = false;

  /** Reads the count only; main.ts asks for safeMode before it loads the configuration. */
  constructor(settings: Settings, log: Log) {
    this.#settings = settings;
    this.#log = log;
    let failed = 0;
    try {
      failed = storedCount(settings, BOOT_FAILS_KEY);
    } catch (e) {
      log.warn(`settings: failed-boot count unavailable (${String(e)}); no safe mode this boot`);
    }
    this.failedBoots = failed;
    this.safeMode = failed >= SAFE_MODE_AFTER;
  }

  /** Counts this boot as failed until reached() says otherwise (a safe boot clears the count). */
  begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    if (this.safeMode) {
      this.#log.warn(`boot: ${this.failedBoots} boots in a row ended before reaching the broker; safe mode: setup screen and defaults, no connection (restart to try the configuration again)`);
      this.#write(0);
      return;
    }
    this.#write(this.failedBoots >= COUNTER_MAX ? COUNTER_MAX : this.failedBoots + 1);
  }

  /** The broker answered: a good boot, the count starts again. */
  reached(): void {
    if (this.#cleared || this.safeMode) return;
    this.#cleared = true;
    this.#write(0);
  }

  #write(count: number): void {
    try {
      this.#settings.set(BOOT_FAILS_KEY, count);
    } catch (e) {
      this.#log.warn(`settings: failed-boot count not stored (${String(e)})`);
    }
  }
}
