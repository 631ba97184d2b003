// Home Assistant MQTT discovery (docs/homeassistant.md): with the `homeassistant` section, the
// bridge publishes retained discovery configs (ha-discovery.ts) for itself and for every gadget
// it knows: those in the config's `gadgets` and every gadget account (`shipgate user add ID
// --role gadget`). A gadget that leaves both gets empty retained payloads on its config topics,
// which is how Home Assistant is told to remove an entity. What was published is kept in the
// store, so a gadget removed while the bridge was down is removed from Home Assistant at start
// (an external broker keeps retained configs across our restarts).
//
// Needs: the link (publish), the topics, the config, the key-value store, and the gadget accounts
// from the security service's gadget-secrets port (without it, the config's gadgets only).

import { NODE_ID_PATTERN } from "@shipgate/protocol";
import { every } from "../clock";
import { sectionOf } from "../config";
import { optional } from "../ports/port";
import { GadgetSecrets, type GadgetSecretsPort } from "../ports/security";
import type { Service, ServiceContext } from "../service";
import { type DiscoveryMessage, bridgeDiscovery, gadgetDiscovery } from "./ha-discovery";
import { type HomeAssistantSettings, checkHomeAssistantSection } from "./ha-config";

const PUBLISHED_KEY = "homeassistant.published";
/** How often (ms) the gadget list is read again, so that `shipgate user remove` reaches Home Assistant. */
export const RECONCILE_MS = 5_000;

export class HomeAssistantService implements Service {
  readonly name = "homeassistant";
  readonly needs = [optional(GadgetSecrets)];
  #ctx!: ServiceContext;
  #settings: HomeAssistantSettings | null = null;
  #accounts: GadgetSecretsPort | undefined;
  /** Topics with a retained config from us, per gadget. */
  #published = new Map<string, string[]>();
  #stopTimer: (() => void) | undefined;
  #running: Promise<void> = Promise.resolve();

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    this.#accounts = ctx.ports.want(GadgetSecrets);
    this.#settings = sectionOf(ctx.config, "homeassistant", checkHomeAssistantSection);
    if (this.#settings === null) return;
    const saved = ctx.kv.get<Record<string, unknown>>(PUBLISHED_KEY);
    if (saved !== undefined && saved !== null && typeof saved === "object") {
      for (const [gadget, list] of Object.entries(saved)) {
        if (Array.isArray(list) && list.every((t) => typeof t === "string")) this.#published.set(gadget, list as string[]);
      }
    }
    ctx.status.register("homeassistant", () => ({ discovery_prefix: this.#settings?.discoveryPrefix, gadgets: [...this.#published.keys()].filter((g) => g !== "") }));
  }

  async started(): Promise<void> {
    if (this.#settings === null) return;
    await this.reconcile();
    this.#stopTimer = every(this.#ctx.clock, RECONCILE_MS, "homeassistant-reconcile", () => void this.reconcile());
  }

  stop(): void {
    this.#stopTimer?.();
  }

  /** The gadgets discovery should show now. */
  gadgets(): string[] {
    const out = new Set(this.#ctx.config.gadgets.map((g) => g.id));
    try {
      for (const id of this.#accounts?.gadgetAccounts() ?? []) out.add(id);
    } catch (err) {
      this.#ctx.log.warn({ err }, "cannot read the gadget accounts for Home Assistant discovery");
    }
    return [...out].filter((id) => NODE_ID_PATTERN.test(id)).sort();
  }

  /** Publishes configs for new gadgets and removes those of gone ones; one run at a time. */
  reconcile(): Promise<void> {
    this.#running = this.#running.then(() => this.#reconcile()).catch((err) => this.#ctx.log.warn({ err }, "Home Assistant discovery failed; retrying"));
    return this.#running;
  }

  async #reconcile(): Promise<void> {
    const settings = this.#settings as HomeAssistantSettings;
    const { topics } = this.#ctx;
    const want = new Map<string, DiscoveryMessage[]>([["", bridgeDiscovery(settings.discoveryPrefix, topics)]]);
    for (const g of this.gadgets()) want.set(g, gadgetDiscovery(settings.discoveryPrefix, topics, g));
    let changed = false;
    for (const [gadget, messages] of want) {
      const before = this.#published.get(gadget);
      const topicsNow = messages.map((m) => m.topic);
      if (before !== undefined && before.join("\n") === topicsNow.join("\n")) continue;
      for (const m of messages) await this.#ctx.link.publish(m.topic, JSON.stringify(m.payload), { qos: 1, retain: true });
      for (const stale of (before ?? []).filter((t) => !topicsNow.includes(t))) await this.#clear(stale);
      this.#published.set(gadget, topicsNow);
      changed = true;
    }
    for (const [gadget, old] of [...this.#published]) {
      if (want.has(gadget)) continue;
      for (const t of old) await this.#clear(t);
      this.#published.delete(gadget);
      changed = true;
      this.#ctx.log.info({ gadget }, "removed the gadget from Home Assistant");
    }
    if (changed) this.#ctx.kv.set(PUBLISHED_KEY, Object.fromEntries(this.#published));
  }

  /** An empty retained payload: Home Assistant removes the entity, the broker drops the config. */
  #clear(topic: string): Promise<void> {
    return this.#ctx.link.publish(topic, "", { qos: 1, retain: true });
  }
}
