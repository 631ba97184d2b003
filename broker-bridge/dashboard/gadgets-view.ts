// The gadgets: presence, telemetry, and what each gadget shows now. The rings are drawn by the
// firmware's own RingAnimator (firmware/core/rings.ts) on canvas pixels
// (firmware/adapters/browser/canvas-ring.ts): the same code that drives the LEDs, so a scene
// looks here as it does on the desk. Cards are kept per gadget so the animations run on.

import { RingAnimator } from "../../firmware/core/rings";
import { CanvasRing } from "../../firmware/adapters/browser/canvas-ring";
import { byId, fill, h } from "./dom";
import type { GadgetPresence, GadgetView, PageState } from "./model";
import { since } from "./mode-view";
import { formatSpan } from "./time";

/** LEDs per ring in the preview: the firmware's default ring (firmware/core/config.ts ringLeds). */
const PREVIEW_LEDS = 12;
const RING_PX = 84;

class GadgetCard {
  readonly root: HTMLElement;
  readonly #rings: RingAnimator[];
  readonly #head = h("div", { class: "gadget-head" });
  readonly #display = h("div", { class: "matrix", title: "what the gadget's display shows" });
  readonly #facts = h("div", { class: "gadget-facts" });
  readonly #telemetry = h("div", { class: "telemetry" });

  constructor(readonly id: string) {
    const canvases = [0, 1].map((i) => h("canvas", { class: "ring", width: String(RING_PX), height: String(RING_PX), title: i === 0 ? "ring A: the gate" : "ring B: builds and apps" }));
    // Gamma 1: the scenes' levels are perceptual already, like a screen's sRGB values.
    this.#rings = canvases.map((c) => new RingAnimator(new CanvasRing(c, PREVIEW_LEDS), { brightnessCap: 255, gamma: 1 }));
    this.root = h("article", { class: "gadget", data: { id } }, this.#head, h("div", { class: "gadget-face" }, h("div", { class: "rings" }, ...canvases), this.#display), this.#facts, this.#telemetry);
  }

  update(presence: GadgetPresence | undefined, view: GadgetView | undefined): void {
    const online = presence?.online ?? false;
    this.root.dataset.online = String(online);
    this.#head.replaceChildren(
      h("span", { class: `dot ${online ? "good" : "off"}`, "aria-hidden": "true" }),
      h("span", { class: "gadget-id" }, this.id),
      h("span", { class: "muted" }, online ? "online" : "offline", presence?.last_seen ? h("span", null, " · seen ", since(presence.last_seen)) : null),
    );
    if (view) {
      for (const [i, ring] of view.rings.entries()) this.#rings[i]?.setView(ring);
      this.#display.textContent = view.display.kind === "counter" && view.display.value !== undefined ? `${view.display.text} ${view.display.value}` : view.display.text;
      fill(
        this.#facts,
        h("span", null, `queue ${view.queue}`),
        view.head ? h("span", null, !online ? "offline: cannot decide now" : view.can_decide ? "can decide the head lock" : "may not decide the head lock") : null,
        view.sync_ready > 0 ? h("span", null, `${view.sync_ready} app(s) ready to sync`) : null,
      );
    } else {
      this.#display.textContent = "";
      fill(this.#facts, h("span", { class: "muted" }, "no view published yet"));
    }
    for (const ring of this.#rings) ring.setOffline(!online);
    const t = presence?.telemetry;
    this.#telemetry.replaceChildren(
      ...(t
        ? [
            // 0 means unknown for both (firmware/core/ports.ts): a virtual gadget has no radio or heap figure.
            t.rssi !== 0 ? h("span", { title: "Wi-Fi signal" }, `RSSI ${t.rssi} dBm`) : null,
            t.free_heap > 0 ? h("span", { title: "free heap" }, `heap ${Math.round(t.free_heap / 1024)} KB`) : null,
            h("span", { title: "firmware" }, `fw ${t.version}`),
            h("span", { title: `restart reason: ${t.restart_reason}` }, `up ${formatSpan(t.uptime_s * 1000)}`),
            t.outbox > 0 ? h("span", { class: "warn", title: "events waiting to be sent" }, `outbox ${t.outbox}`) : null,
          ].filter((x): x is HTMLElement => x !== null)
        : [h("span", { class: "muted" }, "no telemetry yet")]),
    );
  }

  frame(now: number): void {
    for (const ring of this.#rings) ring.frame(now);
  }
}

export class GadgetsView {
  readonly #cards = new Map<string, GadgetCard>();

  render(state: PageState): void {
    const ids = new Set<string>(state.gadgets.map((g) => g.id));
    for (const id of Object.keys(state.views)) ids.add(id);
    const presence = new Map(state.gadgets.map((g) => [g.id, g]));
    for (const id of [...this.#cards.keys()]) if (!ids.has(id)) this.#cards.delete(id);
    const sorted = [...ids].sort((a, b) => Number(presence.get(b)?.online ?? false) - Number(presence.get(a)?.online ?? false) || a.localeCompare(b));
    const cards = sorted.map((id) => {
      let card = this.#cards.get(id);
      if (card === undefined) {
        card = new GadgetCard(id);
        this.#cards.set(id, card);
      }
      card.update(presence.get(id), state.views[id]);
      return card.root;
    });
    const online = state.gadgets.filter((g) => g.online).length;
    byId("gadget-count").textContent = ids.size > 0 ? `${online}/${ids.size} online` : "";
    byId("gadgets").replaceChildren(
      ...(cards.length > 0
        ? cards
        : [h("p", { class: "empty" }, "No gadget has connected yet. Add one with: shipgate user add desk-1 --role gadget; try it in a terminal on this machine with: shipgate gadget --id desk-1")]),
    );
  }

  /** One animation frame for every ring (requestAnimationFrame, main.ts). */
  frame(now: number): void {
    for (const card of this.#cards.values()) card.frame(now);
  }
}
