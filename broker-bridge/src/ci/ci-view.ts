// A gadget's CI view, pure: the worst health of its watched pipelines on ring B, one segment per
// pipeline (24 LEDs split evenly), and the failing pipelines' names for the display.

import type { RingSegment } from "@shipgate/protocol";
import type { ViewContribution } from "../ports/gadgets";
import { SEVERITY } from "../ports/gadgets";
import { HEALTH_SCENE, type PipelineHealth } from "../builds";
import { worstHealth } from "./pipeline-health";

export const RING_LEDS = 24;
/** Above a counter (10) and below nothing the gates show: a pending lock always wins the display. */
export const FAILING_PRIORITY = 50;

/** Split the ring into n segments as evenly as whole LEDs allow (the first ones get the spare LEDs). */
export function ringSegments(healths: readonly PipelineHealth[], leds = RING_LEDS): RingSegment[] {
  const n = Math.min(healths.length, leds);
  const out: RingSegment[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const count = Math.floor(leds / n) + (i < leds % n ? 1 : 0);
    out.push({ start, count, scene: HEALTH_SCENE[healths[i] as PipelineHealth] });
    start += count;
  }
  return out;
}

export function ciContribution(watched: readonly { name: string; health: PipelineHealth }[]): ViewContribution | null {
  if (watched.length === 0) return null;
  const worst = worstHealth(watched.map((w) => w.health)) ?? "unknown";
  const scene = HEALTH_SCENE[worst];
  const contribution: ViewContribution = {
    status: { scene, severity: SEVERITY[scene] },
    segments: watched.length > 1 ? ringSegments(watched.map((w) => w.health)) : [],
  };
  const failing = watched.filter((w) => w.health === "failing").map((w) => w.name);
  if (failing.length > 0) contribution.display = { priority: FAILING_PRIORITY, view: { kind: "text", text: `FAILING: ${failing.join(", ")}`.slice(0, 240) } };
  return contribution;
}
