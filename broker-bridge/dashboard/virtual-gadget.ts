// The virtual gadget: the firmware's App (firmware/core/app.ts), unchanged, running in the page
// with browser adapters (firmware/adapters/browser/): canvas rings and MAX7219 matrix, page
// buttons and keys as the four buttons, performance.now() as the clock, MQTT over WebSocket to
// the bridge's broker at /mqtt. It is a gadget like any other: it logs in to the broker with a
// gadget account (`shipgate user add ID --role gadget`), and its presses are audited as that
// gadget's. Bundled separately (/dashboard/gadget.js) and loaded only when started, so the page
// itself stays small.

import { App, type Feedback } from "../../firmware/core/app";
import { loadConfig } from "../../firmware/core/config";
import type { Log } from "../../firmware/core/ports";
import { BrowserClock } from "../../firmware/adapters/browser/browser-clock";
import { BrowserNetwork, BrowserSystem, MemorySettings } from "../../firmware/adapters/browser/browser-device";
import { BrowserMqtt } from "../../firmware/adapters/browser/browser-mqtt";
import { CanvasMatrix } from "../../firmware/adapters/browser/canvas-matrix";
import { CanvasRing } from "../../firmware/adapters/browser/canvas-ring";
import { DomButton } from "../../firmware/adapters/browser/dom-button";
import { h } from "./dom";

export interface VirtualGadgetOptions {
  id: string;
  username: string;
  password: string;
  /** The gadget's HMAC secret, when the bridge expects signed events. */
  secret?: string;
  /** The bridge's topic prefix. */
  prefix: string;
}

export interface VirtualGadget {
  readonly app: App;
  stop(): void;
}

const RING_LEDS = 12;
const MATRIX_MODULES = 4;
const BUTTONS = [
  { name: "approve", key: "a", label: "Approve" },
  { name: "reject", key: "r", label: "Reject" },
  { name: "release", key: "l", label: "Release" },
  { name: "sync", key: "s", label: "Sync (hold)" },
] as const;

function describe(f: Feedback): string {
  switch (f.kind) {
    case "sent":
      return `sent ${f.event.button} ${f.event.gesture}`;
    case "queued":
      return `queued ${f.event.button} ${f.event.gesture} until online`;
    case "acked":
      return f.ack.ok ? `bridge: ${f.ack.message ?? "ok"}` : `bridge refused: ${f.ack.message ?? ""}`;
    case "error":
      return `error: ${f.message}`;
    case "hint":
      return f.message;
  }
}

export function startVirtualGadget(root: HTMLElement, o: VirtualGadgetOptions): VirtualGadget {
  const status = h("div", { class: "vg-status" }, "starting…");
  const lines: string[] = [];
  const log: Log = {
    info: (m) => lines.push(m),
    warn: (m) => {
      lines.push(m);
      status.textContent = m;
    },
  };
  const ringCanvases = [0, 1].map(() => h("canvas", { class: "vg-ring", width: "120", height: "120" }));
  const matrixCanvas = h("canvas", { class: "vg-matrix", width: String(MATRIX_MODULES * 8 * 10), height: "80" });
  const buttonEls = BUTTONS.map((b) => h("button", { type: "button", class: `vg-button ${b.name}`, data: { button: b.name }, title: `key ${b.key}` }, b.label, h("kbd", null, b.key)));
  root.replaceChildren(h("div", { class: "vg-face" }, h("div", { class: "vg-rings" }, ...ringCanvases), matrixCanvas), h("div", { class: "vg-buttons" }, ...buttonEls), status);

  const buttons = Object.fromEntries(BUTTONS.map((b, i) => [b.name, new DomButton(buttonEls[i]!, b.key)]));
  // The firmware's config knows mqtt:// URLs only; the browser adapter connects over WebSocket
  // to this page's host instead (browser-mqtt.ts).
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;
  const loaded = loadConfig({
    broker: `mqtt://${location.hostname}`,
    gadget: o.id,
    username: o.username,
    mqtt_password: o.password,
    secret: o.secret,
    prefix: o.prefix,
    ring_leds: RING_LEDS,
    display: "matrix",
    matrix_modules: MATRIX_MODULES,
    // A screen, not a USB-powered ring: no current budget to respect.
    brightness_cap: 255,
  });
  const app = new App({
    config: loaded,
    clock: new BrowserClock(),
    log,
    mqtt: new BrowserMqtt(wsUrl, log),
    network: new BrowserNetwork(o.id),
    system: new BrowserSystem(),
    settings: new MemorySettings(),
    buttons,
    ringA: new CanvasRing(ringCanvases[0]!, RING_LEDS),
    ringB: new CanvasRing(ringCanvases[1]!, RING_LEDS),
    spi: new CanvasMatrix(matrixCanvas, MATRIX_MODULES),
  });
  app.onFeedback((f) => {
    status.textContent = describe(f);
  });
  const online = window.setInterval(() => {
    root.dataset.online = String(app.online);
  }, 250);
  app.start();
  return {
    app,
    stop() {
      window.clearInterval(online);
      app.stop();
      for (const b of Object.values(buttons)) b.close();
      root.dataset.online = "false";
    },
  };
}
