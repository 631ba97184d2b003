// What a button gesture means, given what the gadget shows. Pure: the app turns the result into an
// event, a local error or a hint. The person decides what she sees, so approve and reject carry the
// id of the head lock shown at the moment of the press, and are refused locally when there is
// nothing to decide or this gadget may not decide it (the bridge checks again: it has the last word).
//
//   approve short  approve the head lock          approve long  back to default mode
//   reject short   reject the head lock           reject long   blocked mode
//   release short  released mode                  release long  back to default mode
//   sync hold      sync the out-of-sync Argo CD apps; a shorter press only hints to hold

import type { ButtonName, GadgetView, Gesture } from "@shipgate/protocol/messages";

export type Intent =
  /** Send this event; label is the short text flashed at once as local feedback. */
  | { kind: "send"; button: ButtonName; gesture: Gesture; lockId?: string; label: string }
  /** Do not send; blink the error and flash the message. */
  | { kind: "refuse"; message: string }
  /** Do not send; flash the message without an error (a usage hint). */
  | { kind: "hint"; message: string };

export const MESSAGES = Object.freeze({
  noLock: "NO LOCK",
  notAllowed: "NOT ALLOWED",
  holdToSync: "HOLD TO SYNC",
});

function decide(button: "approve" | "reject", view: GadgetView | null): Intent {
  const head = view === null ? null : view.head;
  if (view === null || head === null) return { kind: "refuse", message: MESSAGES.noLock };
  if (!view.can_decide) return { kind: "refuse", message: MESSAGES.notAllowed };
  return { kind: "send", button, gesture: "short", lockId: head.id, label: button === "approve" ? "APPROVE" : "REJECT" };
}

export function intentFor(button: ButtonName, gesture: Gesture, view: GadgetView | null): Intent {
  switch (button) {
    case "approve":
      return gesture === "long" ? { kind: "send", button, gesture: "long", label: "DEFAULT" } : decide("approve", view);
    case "reject":
      return gesture === "long" ? { kind: "send", button, gesture: "long", label: "BLOCKED" } : decide("reject", view);
    case "release":
      return gesture === "long" ? { kind: "send", button, gesture: "long", label: "DEFAULT" } : { kind: "send", button, gesture: "short", label: "RELEASED" };
    case "sync":
      return gesture === "hold" ? { kind: "send", button, gesture: "hold", label: "SYNC" } : { kind: "hint", message: MESSAGES.holdToSync };
  }
}

/**
 * Whether a short press (a hold for sync) of the button would do something now, which its LED
 * shows: approve and reject when there is a head lock this gadget may decide, release unless the
 * mode already is released, sync when the bridge counts apps a hold would sync. Nothing is lit
 * before the first view, because nothing is known yet.
 */
export function buttonLit(button: ButtonName, view: GadgetView | null): boolean {
  if (view === null) return false;
  switch (button) {
    case "approve":
    case "reject":
      return view.head !== null && view.can_decide;
    case "release":
      return view.mode !== "released";
    case "sync":
      return view.sync_ready > 0;
  }
}
