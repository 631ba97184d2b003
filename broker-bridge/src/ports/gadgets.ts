// What the gadget service offers: the composed view that other services contribute to, and the
// intents (what a button and gesture do) that they register.

import type { ButtonName, DisplayView, GadgetEvent, Gesture, RingSegment, SceneName } from "@shipgate/protocol";
import { port } from "./port";

/** One service's part of a gadget's view. */
export interface ViewContribution {
  /** Ring B's base scene, with a severity: the worst contribution wins. */
  status?: { scene: SceneName; severity: number };
  /** Segments of ring B (per pipeline, Argo CD apps). */
  segments?: RingSegment[];
  /** A display candidate; the highest priority wins when no lock is pending. */
  display?: { priority: number; view: DisplayView };
  /** Apps a held sync button would sync now. */
  syncReady?: number;
  /** Progress (0-1000) of a running sync, shown on ring B as "syncing". */
  syncProgress?: number;
}

export type ViewContributor = (gadget: string) => ViewContribution | null;

/** Severity of ring scenes, for "the worst state of what it watches". */
export const SEVERITY: Readonly<Record<SceneName, number>> = Object.freeze({
  idle: 0,
  passing: 1,
  released: 1,
  unknown: 2,
  building: 3,
  syncing: 3,
  out_of_sync: 4,
  locked: 4,
  failed: 5,
  blocked: 5,
  offline: 2,
});

export interface ViewsPort {
  /** Register a service's contribution (by name: registering again replaces it). */
  contribute(name: string, contributor: ViewContributor): void;
}

export interface IntentContext {
  gadget: string;
  event: GadgetEvent;
  /** Answer the gadget: ok, or a short reason for its display. Call once, now or later. */
  ack(ok: boolean, message?: string): void;
}

export type IntentHandler = (intent: IntentContext) => void;

export interface IntentsPort {
  /** What a button and gesture do; one handler per pair. */
  registerIntent(button: ButtonName, gesture: Gesture, handler: IntentHandler): void;
}

export const Views = port<ViewsPort>("views");
export const Intents = port<IntentsPort>("intents");
