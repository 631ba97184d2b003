// The bridge's one typed event bus. Services publish facts here and subscribe to the facts they
// need, so a new provider or output is a new file that subscribes, not an edit to the others.
// Services add their own events by augmenting BridgeEvents:
//   declare module "../events" { interface BridgeEvents { "ci:build": CiBuildChange } }

import type { LockState, ModeState } from "@shipgate/protocol";

export interface AuditEntry {
  /** Who: a gadget id ("gadget:desk-1"), a user ("user:alice"), or the system ("mode:released"). */
  actor: string;
  /** What: "lock.approve", "lock.reject", "mode.change", "argocd.sync", "auth.denied"... */
  action: string;
  /** The lock id, app name, gadget or topic it concerns. */
  subject: string;
  detail?: Record<string, unknown>;
  /** Already written to the audit table by the emitter, inside the transaction of its change. */
  stored?: true;
}

export interface BridgeEvents {
  /** A lock was created or its state, position or approvals changed (positionOnly: only its place
   *  in the queue moved, because a lock ahead of it left). */
  "lock:changed": { lock: LockState; positionOnly?: boolean };
  /** A lock left the queue: approved, rejected, expired or cancelled (once per lock). */
  "lock:decided": { lock: LockState };
  /** A lock's retained state is gone (cleared after the grace period). */
  "lock:cleared": { id: string };
  "mode:changed": { mode: ModeState };
  /** Something to append to the audit log. */
  audit: AuditEntry;
  /** A gadget came online or went away (Will, missed heartbeats). */
  "gadget:presence": { gadget: string; online: boolean };
  /** A gadget event the rate limiter dropped: it must never be accepted later (issue 13). */
  "gadget:dropped": { gadget: string; boot: number; seq: number };
  /** Anything that changes what gadgets show; the view composer recomputes. */
  "view:invalidate": { reason: string };
}

type Handler<T> = (payload: T) => void;

export class EventBus<Events extends object = BridgeEvents> {
  readonly #handlers = new Map<keyof Events, Set<Handler<never>>>();
  readonly #onError: (event: string, err: unknown) => void;

  constructor(onError: (event: string, err: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): () => void {
    let set = this.#handlers.get(event);
    if (set === undefined) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  /** Delivers synchronously, in subscription order. A failing handler is reported and skipped:
   *  one broken output must never stop a decision from reaching the others. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#handlers.get(event);
    if (set === undefined) return;
    for (const handler of set) {
      try {
        (handler as Handler<Events[K]>)(payload);
      } catch (err) {
        this.#onError(String(event), err);
      }
    }
  }
}
