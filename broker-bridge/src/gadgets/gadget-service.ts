// Gadgets' button events in, acks and views out. An event is accepted once: (boot, seq) must grow
// per gadget (kept in SQLite, so a QoS 1 duplicate or a replay never decides twice, even across a
// restart), a gadget with a secret must sign it, and on the embedded broker only the gadget's own
// user may publish on its topic. Intents (what a button does) are registered by the services that
// own them: the gates register approve/reject/release here; Argo CD registers the sync hold.

import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { type ButtonName, type GadgetAck, type GadgetEvent, type Gesture, MESSAGES, encode, eventSigningText } from "@shipgate/protocol";
import { ConfigError } from "../config";
import type { InboundMessage } from "../link/link";
import type { Delivery } from "../link/message-router";
import { type IntentContext, type IntentHandler, Intents, type IntentsPort, Views } from "../ports/gadgets";
import { LockDecisions, type LockDecisionsPort, LockQueries, isGateRefusal } from "../ports/gates";
import { optional } from "../ports/port";
import { Presence } from "../ports/presence";
import { GadgetSecrets, type GadgetSecretsPort } from "../ports/security";
import type { Service, ServiceContext } from "../service";
import { ViewComposer } from "./views";

export type { IntentContext, IntentHandler };

export class GadgetService implements Service, IntentsPort {
  readonly name = "gadgets";
  readonly offers = [Views, Intents];
  readonly needs = [optional(LockDecisions), optional(LockQueries), optional(Presence), optional(GadgetSecrets)];
  #decisions: LockDecisionsPort | undefined;
  #secretsPort: GadgetSecretsPort | undefined;
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
      "CREATE TABLE gadget_seq (gadget TEXT PRIMARY KEY, boot BIGINT NOT NULL, seq BIGINT NOT NULL)",
      // The answer to the last event, so a redelivered event gets the same answer again.
      "ALTER TABLE gadget_seq ADD COLUMN ack TEXT",
    ]);
    const get = ctx.store.db.prepare<[string], { boot: number; seq: number; ack: string | null }>("SELECT boot, seq, ack FROM gadget_seq WHERE gadget = ?");
    const put = ctx.store.db.prepare("INSERT INTO gadget_seq (gadget, boot, seq, ack) VALUES (?, ?, ?, NULL) ON CONFLICT(gadget) DO UPDATE SET boot = excluded.boot, seq = excluded.seq, ack = NULL");
    const putAck = ctx.store.db.prepare("UPDATE gadget_seq SET ack = ? WHERE gadget = ?");
    this.#lastSeq = { get: (g) => get.get(g), set: (g, b, s) => void put.run(g, b, s), setAck: (g, a) => void putAck.run(a, g) };

    this.#decisions = ctx.ports.want(LockDecisions);
    this.#secretsPort = ctx.ports.want(GadgetSecrets);
    // An event the rate limiter dropped is spent: its (boot, seq) is recorded as answered TOO LATE,
    // so a redelivery is a duplicate that decides nothing (issue 13).
    ctx.bus.on("gadget:dropped", ({ gadget, boot, seq }) => {
      const last = this.#lastSeq.get(gadget);
      if (last !== undefined && (boot < last.boot || (boot === last.boot && seq <= last.seq))) return;
      this.#lastSeq.set(gadget, boot, seq);
      this.#ack(gadget, { boot, seq, ok: false, message: "TOO LATE" });
    });
    this.#views = new ViewComposer(ctx, { gates: ctx.ports.want(LockQueries), presence: ctx.ports.want(Presence) });
    ctx.ports.offer(Views, this.#views);
    ctx.ports.offer(Intents, this);
    ctx.router.on(MESSAGES.gadgetEvent, (d) => this.#onEvent(d), {
      owner: this.name,
      badTopic: "not an event topic",
      guard: (m, topic) => this.#mayPublish(m, topic.gadget),
    });
    this.#registerGateIntents();
  }

  started(): void {
    this.#views.start();
  }

  stop(): void {
    this.#views?.stop();
  }

  #gates(): LockDecisionsPort {
    if (this.#decisions === undefined) throw new Error("the gates service is not running");
    return this.#decisions;
  }

  #registerGateIntents(): void {
    const decide = (decision: "approve" | "reject") => (intent: IntentContext) => {
      const outcome = this.#gates().decide({
        decision,
        id: intent.event.lock_id,
        decider: { kind: "gadget", name: intent.gadget, admin: false },
      });
      intent.ack(true, outcome.settled ? (decision === "approve" ? "APPROVED" : "REJECTED") : `NEEDS ${outcome.lock.approvals_needed ?? 1} MORE`);
    };
    const mode = (to: "default" | "released" | "blocked") => (intent: IntentContext) => {
      this.#gates().setMode({ mode: to, actor: `gadget:${intent.gadget}`, reason: `${intent.event.button} button on ${intent.gadget}` });
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

  /** On the embedded broker only the gadget's own user (or an admin) publishes its events. */
  #mayPublish(message: InboundMessage, gadget: string): boolean {
    const from = message.from;
    // A press counts only from the gadget's own account: not even an admin may publish as a gadget,
    // or one person could approve twice, once as themselves and once as a "gadget" (issue 13).
    if (from === null || from.role === "bridge" || (from.role === "gadget" && from.username === gadget)) return true;
    this.#ctx.bus.emit("audit", { actor: `user:${from.username ?? "anonymous"}`, action: "gadget.impersonation", subject: gadget, detail: { topic: message.topic } });
    this.#ctx.refuse(message, "", `user ${from.username ?? "anonymous"} may not publish events for gadget ${gadget}`);
    return false;
  }

  #onEvent({ message, topic, value: event }: Delivery<GadgetEvent, "gadget-event">): void {
    const { bus } = this.#ctx;
    const gadget = topic.gadget;

    const secret = this.#secrets.get(gadget) ?? this.#secretsPort?.gadgetSecret(gadget);
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

    // Fresh events (issue 13): a signed event must echo the nonce of a current view. An unsigned
    // one proves nothing anyway (whoever may publish it can write any event), so its nonce is
    // checked only when it carries one. Spent either way: (boot, seq) is recorded above.
    if (event.nonce !== undefined || secret !== undefined) {
      const fresh = this.#views.nonces.check(gadget, event.nonce);
      if (!fresh.ok) {
        bus.emit("audit", {
          actor: `gadget:${gadget}`,
          action: "gadget.late",
          subject: gadget,
          detail: { boot: event.boot, seq: event.seq, button: event.button, why: fresh.why, ...(event.lock_id ? { lock_id: event.lock_id } : {}) },
        });
        return this.#ack(gadget, { boot: event.boot, seq: event.seq, ok: false, message: "TOO LATE" });
      }
    }

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
      if (isGateRefusal(err)) return intent.ack(false, shortReason(err.message));
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
