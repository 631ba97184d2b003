// Makes the gadget's events: (boot, seq) numbering and the HMAC signature (docs/protocol.md,
// "Event signing"). seq only grows within a boot, so the bridge can refuse replays; it stops at
// 2^31-1 rather than wrap, because a wrapped seq would look like a replay.

import { hmacHex } from "@shipgate/protocol/hmac";
import { type ButtonName, eventSigningText, type GadgetEvent, type Gesture } from "@shipgate/protocol/messages";

const SEQ_MAX = 0x7fffffff;

export class EventMaker {
  readonly #gadgetId: string;
  readonly #secret: string | undefined;
  #seq = 0;
  /** The boot number events carry; set once the boot counter has been read. */
  boot = 0;

  constructor(gadgetId: string, secret: string | undefined) {
    this.#gadgetId = gadgetId;
    this.#secret = secret !== undefined && secret !== "" ? secret : undefined;
  }

  /** nonce: the nonce of the view shown at the press, echoed (and signed) so the bridge can tell
   *  an answer to the current view from a late or withheld one (docs/protocol.md, "Fresh events"). */
  make(button: ButtonName, gesture: Gesture, lockId: string | undefined, nonce?: string): GadgetEvent {
    this.#seq = this.#seq >= SEQ_MAX ? SEQ_MAX : this.#seq + 1;
    const event: GadgetEvent = { button, gesture, boot: this.boot, seq: this.#seq };
    if (lockId !== undefined) event.lock_id = lockId;
    if (nonce !== undefined) event.nonce = nonce;
    if (this.#secret !== undefined) event.sig = hmacHex(this.#secret, eventSigningText(this.#gadgetId, event));
    return event;
  }
}
