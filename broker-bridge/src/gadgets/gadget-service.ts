// Gadgets' button events in, acks and views out. An event is accepted once: (boot, seq) must grow
// per gadget (kept in SQLite, so a QoS 1 duplicate or a replay never decides twice, even across a
// restart), a gadget with a secret must sign it, and on the embedded broker only the gadget's own
// user may publish on its topic. Intents (what a button does) are registered by the services that
// own them: the gates register approve/reject/release here; Argo CD registers the sync hold.

import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type ButtonName, GADGET_EVENT_MAX_BYTES, type GadgetAck, type GadgetEvent, type Gesture, checkGadgetEvent,
  decode, encode, eventSigningText,
} from "@shipgate/protocol";
import { ConfigError } from "../config";
import type { GatesService } from "../gates/gates-service";
import { GateRefusal } from "../gates/lock-service";
import type { InboundMessage } from "../link/link";
import type { Service, ServiceContext } from "../service";
import { ViewComposer } from "./views";

export interface IntentContext {
  gadget: string;
  event: GadgetEvent;
  /** Answer the gadget: ok, or a short reason for its display. Call once, now or later. */
  ack(ok: boolean, message?: string): void;
}

export type IntentHandler = (intent: IntentContext) => void;

export class GadgetService implements Service {
  readonly name = "gadgets";
  #ctx!: ServiceContext;
  readonly #intents = new Map<string, IntentHandler>();
  readonly #secrets = new Map<string, string>();
  #views!: ViewComposer;
  #lastSeq!: {
    get(gadget: string): { boot: number; seq: number; ack: string | null } | undefined;
    set(gadget: string, boot: number, seq: number): void;
    setAck(gadget: string, ack: string): void;
  };

  get views(): ViewComposer {
    return this.#views;
  }

  /** What a button and gesture do; one handler per pair. */
  registerIntent(button: ButtonName, gesture: Gesture, handler: IntentHandler): void {
    this.#intents.set(`${button}/${gesture}`, handler);
  }

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    for (const g of ctx.config.gadgets) {
      if (g.secret_file === null) continue;
      try {
        this.#secrets.set(g.id, readFileSync(g.secret_file, "utf8").trim());
      } catch (err) {
        throw new ConfigError(ctx.config.file, `gadgets.${g.id}.secret_file`, `cannot read ${g.secret_file} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    }
    ctx.store.migrate("gadget-seq", [
      "CREATE TABLE gadget_seq (gadget TEXT PRIMARY KEY, boot INTEGER NOT NULL, seq INTEGER NOT NULL)",
      // The answer to the last event, so a redelivered event gets the same answer again.
      "ALTER TABLE gadget_seq ADD COLUMN ack TEXT",
    ]);
    const get = ctx.store.db.prepare<[string], { boot: number; seq: number; ack: string | null }>("SELECT boot, seq, ack FROM gadget_seq WHERE gadget = ?");
    const put = ctx.store.db.prepare("INSERT INTO gadget_seq (gadget, boot, seq, ack) VALUES (?, ?, ?, NULL) ON CONFLICT(gadget) DO UPDATE SET boot = excluded.boot, seq = excluded.seq, ack = NULL");
    const putAck = ctx.store.db.prepare("UPDATE gadget_seq SET ack = ? WHERE gadget = ?");
    this.#lastSeq = { get: (g) => get.get(g), set: (g, b, s) => void put.run(g, b, s), setAck: (g, a) => void putAck.run(a, g) };

    // An event the rate limiter dropped is spent: its (boot, seq) is recorded as answered TOO LATE,
    // so a redelivery is a duplicate that decides nothing (issue 13).
    ctx.bus.on("gadget:dropped", ({ gadget, boot, seq }) => {
      const last = this.#lastSeq.get(gadget);
      if (last !== undefined && (boot < last.boot || (boot === last.boot && seq <= last.seq))) return;
      this.#lastSeq.set(gadget, boot, seq);
      this.#ack(gadget, { boot, seq, ok: false, message: "TOO LATE" });
    });
    this.#views = new ViewComposer(ctx);
    ctx.link.subscribe(ctx.topics.allGadgetEvents(), (m) => this.#onEvent(m));
    this.#registerGateIntents();
  }

  started(): void {
    this.#views.start();
  }

  stop(): void {
    this.#views?.stop();
  }

  #gates(): GatesService {
    const gates = this.#ctx.services.get<GatesService>("gates");
    if (gates === undefined) throw new Error("the gates service is not running");
    return gates;
  }

  #registerGateIntents(): void {
    const decide = (decision: "approve" | "reject") => (intent: IntentContext) => {
      const outcome = this.#gates().locks.decide({
        decision,
        id: intent.event.lock_id,
        decider: { kind: "gadget", name: intent.gadget, admin: false },
      });
      intent.ack(true, outcome.settled ? (decision === "approve" ? "APPROVED" : "REJECTED") : `NEEDS ${outcome.lock.approvals_needed ?? 1} MORE`);
    };
    const mode = (to: "default" | "released" | "blocked") => (intent: IntentContext) => {
      this.#gates().locks.setMode({ mode: to, actor: `gadget:${intent.gadget}`, reason: `${intent.event.button} button on ${intent.gadget}` });
      intent.ack(true, to.toUpperCase());
    };
    this.registerIntent("approve", "short", decide("approve"));
    this.registerIntent("reject", "short", decide("reject"));
    // Boss Deployer: a long press on approve returns to the default mode.
    this.registerIntent("approve", "long", mode("default"));
    this.registerIntent("reject", "long", mode("blocked"));
    this.registerIntent("release", "short", mode("released"));
    this.registerIntent("release", "long", mode("default"));
  }

  #onEvent(message: InboundMessage): void {
    const { topics, bus } = this.#ctx;
    const parsed = topics.parse(message.topic);
    if (parsed.kind !== "gadget-event") return this.#ctx.refuse(message, "", parsed.kind === "unknown" ? parsed.reason : "not an event topic");
    const gadget = parsed.gadget;
    const from = message.from;
    // A press counts only from the gadget's own account: not even an admin may publish as a gadget,
    // or one person could approve twice, once as themselves and once as a "gadget" (issue 13).
    if (from !== null && from.role !== "bridge" && !(from.role === "gadget" && from.username === gadget)) {
      bus.emit("audit", { actor: `user:${from.username ?? "anonymous"}`, action: "gadget.impersonation", subject: gadget, detail: { topic: message.topic } });
      return this.#ctx.refuse(message, "", `user ${from.username ?? "anonymous"} may not publish events for gadget ${gadget}`);
    }
    const checked = decode(message.payload, GADGET_EVENT_MAX_BYTES, checkGadgetEvent);
    if (!checked.ok) return this.#ctx.refuse(message, checked.field, checked.error);
    const event = checked.value;

    const secret = this.#secrets.get(gadget) ?? this.#ctx.services.get<Service & { gadgetSecret(id: string): string | undefined }>("security")?.gadgetSecret(gadget);
    if (secret !== undefined) {
      const problem = signatureProblem(secret, gadget, event);
      if (problem !== null) {
        bus.emit("audit", { actor: `gadget:${gadget}`, action: "gadget.forged", subject: gadget, detail: { boot: event.boot, seq: event.seq, why: problem } });
        this.#ctx.refuse(message, "sig", problem);
        return this.#ack(gadget, { boot: event.boot, seq: event.seq, ok: false, message: "BAD SIGNATURE" });
      }
    }

    const last = this.#lastSeq.get(gadget);
    if (last !== undefined && (event.boot < last.boot || (event.boot === last.boot && event.seq <= last.seq))) {
      if (event.boot === last.boot && event.seq === last.seq) {
        // A QoS 1 redelivery of the event just handled: it was acted on once. Answer it again, in
        // case the gadget lost the first answer; decide nothing.
        if (last.ack !== null) this.#publishAck(gadget, last.ack);
        return;
      }
      bus.emit("audit", { actor: `gadget:${gadget}`, action: "gadget.replay", subject: gadget, detail: { boot: event.boot, seq: event.seq, last } });
      this.#ctx.refuse(message, "seq", `event (${event.boot}, ${event.seq}) is not newer than (${last.boot}, ${last.seq}); replay refused`);
      return;
    }
    this.#lastSeq.set(gadget, event.boot, event.seq);

    const handler = this.#intents.get(`${event.button}/${event.gesture}`);
    let answered = false;
    const intent: IntentContext = {
      gadget,
      event,
      ack: (ok, text) => {
        if (answered) return;
        answered = true;
        const ack: GadgetAck = { boot: event.boot, seq: event.seq, ok };
        if (text !== undefined) ack.message = text.slice(0, 120);
        this.#ack(gadget, ack);
      },
    };
    if (handler === undefined) return intent.ack(false, `${event.button.toUpperCase()} ${event.gesture.toUpperCase()} DOES NOTHING`);
    try {
      handler(intent);
    } catch (err) {
      if (err instanceof GateRefusal) return intent.ack(false, shortReason(err.message));
      this.#ctx.log.error({ err, gadget }, "intent failed");
      intent.ack(false, "BRIDGE ERROR");
    }
  }

  #ack(gadget: string, ack: GadgetAck): void {
    const payload = encode(ack);
    const last = this.#lastSeq.get(gadget);
    if (last !== undefined && last.boot === ack.boot && last.seq === ack.seq) this.#lastSeq.setAck(gadget, payload);
    this.#publishAck(gadget, payload);
  }

  #publishAck(gadget: string, payload: string): void {
    this.#ctx.link.publish(this.#ctx.topics.gadgetAck(gadget), payload, { qos: 1, retain: false }).catch((err: Error) => {
      this.#ctx.log.warn({ err: err.message, gadget }, "could not ack an event");
    });
  }
}

/** Why a signature does not verify, or null when it does (HMAC-SHA256 over eventSigningText). */
export function signatureProblem(secret: string, gadget: string, event: GadgetEvent): string | null {
  if (event.sig === undefined) return "event is not signed, and this gadget has a secret";
  const expected = createHmac("sha256", secret).update(eventSigningText(gadget, event)).digest();
  const given = Buffer.from(event.sig, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "signature does not match the event";
  return null;
}

/** A refusal's reason, short enough for the gadget's display. */
function shortReason(message: string): string {
  if (/no lock is pending/.test(message)) return "NO LOCK";
  if (/already approved/.test(message)) return "ALREADY APPROVED";
  if (/not among the deciders|may not decide/.test(message)) return "NOT ALLOWED";
  if (/already (approved|rejected|expired|cancelled)/.test(message)) return "ALREADY DECIDED";
  return message.slice(0, 60).toUpperCase();
}
