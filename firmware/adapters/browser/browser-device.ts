// The small ports a virtual gadget in a browser needs besides pixels, buttons and MQTT
// (core/ports.ts): the network (the page is online when it can reach the bridge), facts for the
// heartbeat, and settings kept for the page's lifetime (the boot counter starts afresh on reload,
// like a device whose NVS was erased).

import type { NetworkPort, Settings, SystemPort } from "../../core/ports";

export class BrowserNetwork implements NetworkPort {
  readonly #id: string;

  constructor(id: string) {
    this.#id = id;
  }

  start(onUp: () => void, onDown: () => void): void {
    window.addEventListener("online", onUp);
    window.addEventListener("offline", onDown);
    if (navigator.onLine !== false) onUp();
  }

  rssi(): number {
    return 0; // no radio: 0 means unknown (ports.ts)
  }

  /** A stable pseudo MAC from the gadget id (FNV-1a, 48 bits), so client ids stay unique per id. */
  mac(): string {
    let h = 0xcbf29ce484222325n;
    for (let i = 0; i < this.#id.length; i++) {
      h ^= BigInt(this.#id.charCodeAt(i));
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
    return (h & 0xffffffffffffn).toString(16).padStart(12, "0");
  }
}

export class BrowserSystem implements SystemPort {
  freeHeap(): number {
    return 0; // a browser does not tell
  }

  restartReason(): string {
    return "page-load";
  }

  version(): string {
    return "browser";
  }
}

export class MemorySettings implements Settings {
  readonly #values = new Map<string, string | number | boolean>();

  get(key: string): string | number | boolean | undefined {
    return this.#values.get(key);
  }

  set(key: string, value: string | number | boolean): void {
    this.#values.set(key, value);
  }

  delete(key: string): void {
    this.#values.delete(key);
  }
}
