// Which gadget button a simulator control presses. The SDK's simulator panes
// (build/simulators/<device>.js, SDK 8.2.3) turn their on-screen buttons and keyboard keys into JSON
// messages to the app, { "<name>Button": 1 } on press and 0 on release, delivered to
// screen.onMessage (build/simulators/modules/control.js). Key and message per pane:
// - Pico Display: keys a, b, x, y -> aButton, bButton, xButton, yButton (four buttons: use this one)
// - M5Stack, M5Paper: a, b, c -> aButton, bButton, cButton; M5StickC, M5Atom S3: a (and b)
// - Moddable One/Two/Three, NodeMCU: Delete -> button
// Approve, reject, release and sync take the four Pico Display buttons in order; c stands in for x on
// the three-button panes, and a pane with one button approves.

import type { ButtonName } from "@shipgate/protocol/messages";

export interface ButtonChange {
  button: ButtonName;
  pressed: boolean;
}

/** Message property -> button, in the order the table above gives. */
export const BUTTON_MESSAGES: readonly (readonly [string, ButtonName])[] = Object.freeze([
  ["aButton", "approve"],
  ["bButton", "reject"],
  ["xButton", "release"],
  ["cButton", "release"],
  ["yButton", "sync"],
  ["button", "approve"],
] as const);

/**
 * The button changes one pane message carries. Anything that is not a JSON object of 0/1 (or
 * boolean) button properties changes nothing: panes also send { xsbug: ... } and LED messages.
 */
export function buttonChanges(message: string): ButtonChange[] {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return [];
  }
  if (json === null || typeof json !== "object") return [];
  const changes: ButtonChange[] = [];
  const record = json as Record<string, unknown>;
  for (const [property, button] of BUTTON_MESSAGES) {
    const value = record[property];
    if (value === 1 || value === true) changes.push({ button, pressed: true });
    else if (value === 0 || value === false) changes.push({ button, pressed: false });
  }
  return changes;
}
