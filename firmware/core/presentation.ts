// What the rings and the display show for a view: ring A is view.rings[0], ring B view.rings[1],
// the display shows the head lock while one is pending, else the view's text or counter. Pure, so
// the same cases run on Node and in XS.

import type { GadgetView, RingView } from "@shipgate/protocol/messages";
import type { LinkFailure } from "./ports";

export type DisplayContent = { kind: "text"; text: string } | { kind: "counter"; label: string; value: number };

export interface Presentation {
  ringA: RingView;
  ringB: RingView;
  display: DisplayContent;
}

/** Why the gadget has no view to show. */
export type Standby = "setup" | "offline" | "waiting" | "bridge" | "tls" | "dns" | "no-broker";

export const STANDBY_TEXT: Readonly<{ [k in Standby]: string }> = Object.freeze({
  setup: "SETUP",
  offline: "OFFLINE",
  waiting: "WAIT",
  bridge: "BRIDGE OFFLINE",
  // Why the last connection attempt failed (ports.ts, LinkFailure), shown until one succeeds.
  tls: "TLS ERROR",
  dns: "DNS ERROR",
  "no-broker": "NO BROKER",
});

const UNKNOWN: RingView = Object.freeze({ scene: "unknown" }) as RingView;
const OFFLINE: RingView = Object.freeze({ scene: "offline" }) as RingView;

/** The text for a pending head lock: "<pipeline> <step> <summary>". */
export function headText(head: { pipeline: string; step: string; summary: string }): string {
  return head.summary === "" ? head.pipeline + " " + head.step : head.pipeline + " " + head.step + " " + head.summary;
}

export function present(view: GadgetView): Presentation {
  const display: DisplayContent =
    view.head !== null
      ? { kind: "text", text: headText(view.head) }
      : view.display.kind === "counter"
        ? { kind: "counter", label: view.display.text, value: view.display.value ?? 0 }
        : { kind: "text", text: view.display.text };
  return { ringA: view.rings[0] ?? UNKNOWN, ringB: view.rings[1] ?? UNKNOWN, display };
}

/** What to show with no usable view: the setup prompt, the offline scene, or waiting for the first view. */
export function presentStandby(why: Standby): Presentation {
  const ring = why === "waiting" || why === "bridge" ? UNKNOWN : OFFLINE;
  return { ringA: ring, ringB: ring, display: { kind: "text", text: STANDBY_TEXT[why] } };
}

/** What the gadget shows when it is connected: the bridge's absence, the view, or waiting for one. */
export function presentCurrent(bridgeDown: boolean, view: GadgetView | null): Presentation {
  if (bridgeDown) return presentStandby("bridge");
  return view !== null ? present(view) : presentStandby("waiting");
}

const FAILURE_STANDBY: Readonly<{ [k in LinkFailure | "timeout" | "error"]: Standby }> = Object.freeze({
  tls: "tls",
  dns: "dns",
  refused: "no-broker",
  closed: "no-broker",
  timeout: "no-broker",
  error: "no-broker",
});

/** The standby text for why the last connection attempt failed (session.ts, SessionEvents.failed). */
export function standbyForFailure(failure: LinkFailure | "timeout" | "error"): Standby {
  return FAILURE_STANDBY[failure];
}
