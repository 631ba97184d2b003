// Network port on Node: the computer's network is simply up. The MAC is derived from the gadget id
// and the host name, so two twins on one computer get different MQTT client ids (duplicate client
// ids make brokers drop the older connection and the Will flap: peers.md).

import { createHash } from "node:crypto";
import { hostname } from "node:os";
import type { NetworkPort } from "../../core/ports";

export class NodeNetwork implements NetworkPort {
  readonly #mac: string;
  #down: (() => void) | undefined;
  #up: (() => void) | undefined;

  constructor(gadgetId: string) {
    const digest = createHash("sha256")
      .update(hostname() + "\u0000" + gadgetId)
      .digest();
    // Set the locally administered bit and clear the multicast bit (IEEE 802, first octet).
    digest[0] = (digest[0]! | 0x02) & 0xfe;
    this.#mac = digest.subarray(0, 6).toString("hex");
  }

  start(onUp: () => void, onDown: () => void): void {
    this.#up = onUp;
    this.#down = onDown;
    queueMicrotask(onUp);
  }

  /** For tests: the link drops, then returns. */
  simulateDown(): void {
    this.#down?.();
  }

  simulateUp(): void {
    this.#up?.();
  }

  rssi(): number {
    return 0;
  }

  mac(): string {
    return this.#mac;
  }
}
