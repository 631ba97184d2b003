// The mode in force: the stored mode (kv "gates.mode"), its `until`, and freeze windows. A freeze
// window blocks unless an admin set a mode after it began and that mode has not ended
// (shared/docs/contract.md, "Semantics").

import type { Mode, ModeState } from "@shipgate/protocol";
import { iso } from "../clock";
import type { GatesConfig } from "../config";
import type { KeyValue } from "../store";
import { activeFreeze } from "./freeze";

export interface StoredMode {
  mode: Mode;
  changed_at: number;
  changed_by: string;
  until: number | null;
  reason: string | null;
}

const KEY = "gates.mode";

export function storedMode(kv: KeyValue): StoredMode {
  return kv.get<StoredMode>(KEY) ?? { mode: "default", changed_at: 0, changed_by: "default", until: null, reason: null };
}

export function hasStoredMode(kv: KeyValue): boolean {
  return kv.get<StoredMode>(KEY) !== undefined;
}

export function saveMode(kv: KeyValue, mode: StoredMode): void {
  kv.set(KEY, mode);
}

export function modeInForce(kv: KeyValue, config: GatesConfig, now: number): ModeState {
  let stored = storedMode(kv);
  // A mode whose `until` passed is default, even before tick() has written that down.
  if (stored.until !== null && stored.until <= now) stored = { mode: "default", changed_at: stored.until, changed_by: "schedule", until: null, reason: null };
  const freeze = activeFreeze(config.freeze, config.timezone, now);
  // An admin's mode set during a window overrides it until that mode ends; a mode that merely
  // reverted on its own ("schedule") or was never set ("default") is no override.
  const override = stored.changed_at >= (freeze?.started_at ?? 0) && stored.changed_by !== "schedule" && stored.changed_by !== "default";
  if (freeze !== null && !override) {
    return { mode: "blocked", changed_at: iso(freeze.started_at), changed_by: `freeze:${freeze.name}`, until: iso(freeze.ends_at), reason: `freeze window ${freeze.name}` };
  }
  return {
    mode: stored.mode,
    changed_at: iso(stored.changed_at),
    changed_by: stored.changed_by,
    until: stored.until === null ? null : iso(stored.until),
    reason: stored.reason,
  };
}
