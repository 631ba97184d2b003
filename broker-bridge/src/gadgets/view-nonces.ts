// Fresh gadget events (issue 13): every view the bridge publishes carries a new random nonce, and
// an event must echo the nonce of the view it answered. An event whose nonce is not the current
// one is refused with TOO LATE, except the immediately previous nonce when only a refresh (the
// same content, republished every NONCE_REFRESH_MS) replaced it; and no nonce is good for more
// than EVENT_MAX_AGE_MS after it was issued. So an event held back by an attacker (or stuck in
// an outbox) and released after the head lock changed, or more than 30 s later, decides nothing.
// Kept in memory: after a restart the bridge issues new nonces with its first views.

import { randomBytes } from "node:crypto";
import type { Clock } from "../clock";

/** While a view is unchanged, its nonce is renewed this often, so a current view never gets old. */
export const NONCE_REFRESH_MS = 15_000;
/** An event answering a view issued longer ago than this is refused. */
export const EVENT_MAX_AGE_MS = 30_000;

export type Freshness = { ok: true } | { ok: false; why: string };

interface Issued {
  nonce: string;
  at: number;
}

interface GadgetNonces {
  current: Issued;
  /** The nonce before the current one, and whether only a refresh replaced it. */
  previous: (Issued & { refreshOnly: boolean }) | null;
}

export class ViewNonces {
  readonly #clock: Clock;
  readonly #random: () => string;
  readonly #byGadget = new Map<string, GadgetNonces>();

  constructor(clock: Clock, random: () => string = () => randomBytes(8).toString("hex")) {
    this.#clock = clock;
    this.#random = random;
  }

  /** A new nonce for the gadget's next view; refreshOnly when its content is unchanged. */
  issue(gadget: string, refreshOnly: boolean): string {
    const issued = { nonce: this.#random(), at: this.#clock.now() };
    const was = this.#byGadget.get(gadget);
    this.#byGadget.set(gadget, { current: issued, previous: was === undefined ? null : { ...was.current, refreshOnly } });
    return issued.nonce;
  }

  /** The nonce of the gadget's latest view, if one was published. */
  current(gadget: string): string | undefined {
    return this.#byGadget.get(gadget)?.current.nonce;
  }

  /** Whether an event echoing `nonce` answers a view that is still current. */
  check(gadget: string, nonce: string | undefined): Freshness {
    if (nonce === undefined) return { ok: false, why: "the event echoes no view nonce (firmware older than the freshness check)" };
    const known = this.#byGadget.get(gadget);
    const now = this.#clock.now();
    const tooOld = (i: Issued): Freshness => ({ ok: false, why: `it answers a view issued ${Math.round((now - i.at) / 1000)} s ago (at most ${EVENT_MAX_AGE_MS / 1000} s)` });
    if (known !== undefined && nonce === known.current.nonce) return now - known.current.at > EVENT_MAX_AGE_MS ? tooOld(known.current) : { ok: true };
    const previous = known?.previous ?? null;
    if (previous !== null && nonce === previous.nonce) {
      if (!previous.refreshOnly) return { ok: false, why: "it answers a superseded view (what the gadget shows has changed since)" };
      return now - previous.at > EVENT_MAX_AGE_MS ? tooOld(previous) : { ok: true };
    }
    return { ok: false, why: "it answers a view that is no longer current (superseded, too old, or from before a restart)" };
  }
}
