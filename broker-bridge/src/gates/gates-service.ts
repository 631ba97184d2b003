// The gates on MQTT: lock requests and cancels from pipelines, admin commands from the CLI and the
// dashboard, and the retained lock states and mode going back out. The queue logic itself is in
// lock-service.ts; this file only translates between topics and calls.

import {
  type AdminCommandMessage,
  type AdminCommandName,
  type AdminReply,
  type LockRequest,
  MESSAGES,
  NODE_ID_PATTERN,
  checkDecideCommand,
  checkModeCommand,
  encode,
  isObject,
} from "@shipgate/protocol";
import { Counter, Gauge, Histogram } from "../metrics/prom";
import { parseDuration } from "../duration";
import type { InboundMessage } from "../link/link";
import type { Delivery } from "../link/message-router";
import { optional } from "../ports/port";
import { AdminCommands, AdminInputError, LockDecisions, LockQueries } from "../ports/gates";
import { Presence } from "../ports/presence";
import type { Service, ServiceContext } from "../service";
import { GateRefusal, LockService } from "./lock-service";
import { LockStore } from "./lock-store";
import { PipelineScope } from "./pipeline-scope";
import { GatePolicy } from "./policy";

export class GatesService implements Service {
  readonly name = "gates";
  readonly offers = [LockQueries, LockDecisions, AdminCommands];
  /** Without presence, the gates cannot tell a pipeline that no decider is online. */
  readonly needs = [optional(Presence)];
  #ctx!: ServiceContext;
  #locks!: LockService;
  #policy!: GatePolicy;
  #scope!: PipelineScope;

  get locks(): LockService {
    return this.#locks;
  }

  get policy(): GatePolicy {
    return this.#policy;
  }

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    const { topics, router, bus, config } = ctx;
    this.#policy = new GatePolicy(config.gates.rules, config.gadgets);
    this.#scope = new PipelineScope(ctx);
    // A store failure on a timer path (SQLITE_READONLY in tick) is logged and counted, never fatal.
    const backgroundFailures = new Counter({
      name: "shipgate_gates_background_failures_total",
      help: "Gates timer work (expiry, mode until, positions) that failed and will be retried",
      labelNames: ["what"],
      registers: [ctx.metrics],
    });
    this.#locks = new LockService({
      locks: new LockStore(ctx.store),
      kv: ctx.kv,
      config: config.gates,
      policy: this.#policy,
      clock: ctx.clock,
      bus,
      onBackgroundError: (what, err) => {
        backgroundFailures.inc({ what });
        ctx.log.error({ err, what }, `gates ${what} failed; retrying later`);
      },
    });

    this.#metrics();
    ctx.ports.offer(LockQueries, this.#locks);
    ctx.ports.offer(LockDecisions, this.#locks);
    ctx.ports.offer(AdminCommands, this);
    const presence = ctx.ports.want(Presence);
    if (presence !== undefined) {
      this.#locks.setPresence(() => presence.onlineGadgets());
      presence.onChange(() => this.#locks.presenceChanged());
    }

    router.on(MESSAGES.lockRequest, (d) => this.#onRequest(d), { owner: this.name });
    router.on(MESSAGES.userLockRequest, (d) => this.#onRequest(d), { owner: this.name });
    router.on(MESSAGES.lockCancel, (d) => this.#onCancel(d), { owner: this.name, badTopic: "not a cancel topic" });
    router.on(MESSAGES.userLockCancel, (d) => this.#onCancel(d), { owner: this.name, badTopic: "not a cancel topic" });
    router.on(MESSAGES.adminCommand, (d) => this.#onAdmin(d), { owner: this.name, badTopic: "not an admin topic" });

    bus.on("lock:changed", ({ lock, positionOnly }) => this.#publishState(lock.id, encode(lock), true, positionOnly === true));
    // An empty retained payload deletes the retained message (MQTT 3.1.1 section 3.3.1.3).
    bus.on("lock:cleared", ({ id }) => this.#publishState(id, "", true));
    bus.on("mode:changed", ({ mode }) => this.#publish(topics.mode(), encode(mode), true));

    ctx.status.register("mode", () => this.#locks.mode());
    ctx.status.register("locks", () => this.#locks.pending());
  }

  started(): void {
    this.#locks.start();
  }

  stop(): void {
    this.#locks?.stop();
  }

  #publish(topic: string, payload: string, retain: boolean, bulk = false): void {
    this.#ctx.link.publish(topic, payload, bulk ? { qos: 1, retain, bulk } : { qos: 1, retain }).catch((err: Error) => {
      this.#ctx.log.warn({ err: err.message, topic }, "publish failed");
    });
  }

  /** A lock's state on locks/<id> (the contract) and again on owners/<requester>/locks/<id>, the
   *  one topic of it an external broker's ACL lets its pipeline read (docs/protocol.md). */
  #publishState(id: string, payload: string, retain: boolean, bulk = false): void {
    const { topics } = this.#ctx;
    this.#publish(topics.lockState(id), payload, retain, bulk);
    const owner = this.#locks.requesterOf(id);
    if (owner !== null && NODE_ID_PATTERN.test(owner)) this.#publish(topics.ownerLockState(owner, id), payload, retain, bulk);
  }

  /** Refused for who is asking: audited, answered on the asker's own errors topic, nothing created. */
  #deny(message: InboundMessage, actor: string, action: string, id: string, error: string, detail: Record<string, unknown>, field = "id"): void {
    this.#ctx.bus.emit("audit", { actor, action, subject: id, detail: { ...detail, why: error } });
    this.reject(message, field, error, id);
  }

  reject(message: InboundMessage, field: string, error: string, id?: string): void {
    this.#ctx.refuse(message, field, error, id);
  }

  #onRequest({ message, value }: Delivery<LockRequest, "lock-request">): void {
    const requester = this.#scope.requester(message);
    if (!requester.ok) return this.#deny(message, requester.actor, "lock.request.denied", value.id, requester.error, { pipeline: value.pipeline });
    const scope = this.#scope.pipelineRefusal(requester.user, requester.role, value.pipeline);
    if (scope !== null) return this.#deny(message, `user:${requester.user}`, "lock.request.denied", value.id, scope, { pipeline: value.pipeline }, "pipeline");
    try {
      const { lock, created } = this.#locks.request(value, requester.user);
      // Asked again (a reconnecting pipeline): answer with the state once more. A lock whose retained
      // state was already cleared is answered without retain, so it does not come back to life.
      if (!created) this.#publishState(lock.id, encode(lock), this.#locks.isRetained(lock.id));
    } catch (err) {
      if (err instanceof GateRefusal) return this.reject(message, err.field, err.message, value.id);
      // The store refused the write (disk full, read-only): the pipeline hears it and may retry.
      this.#ctx.log.error({ err, id: value.id }, "could not store a lock request");
      return this.reject(message, "", `the bridge could not store the request: ${(err as Error).message}`, value.id);
    }
  }

  /** locks/<id>/cancel (the contract; on the embedded broker the connection says who) and
   *  locks/<id>/cancel/<user> (the user level, bound to the sender by an external broker's ACL). */
  #onCancel({ message, topic: parsed }: Delivery<unknown, "lock-cancel">): void {
    const canceller = this.#scope.requester(message);
    if (!canceller.ok) return this.#deny(message, canceller.actor, "lock.cancel.denied", parsed.id, canceller.error, {});
    const lock = this.#locks.get(parsed.id);
    if (lock === undefined) return this.reject(message, "id", `no lock ${parsed.id}`, parsed.id);
    const requester = this.#locks.requesterOf(parsed.id);
    // A bare cancel through an external broker names nobody; the exported ACL lets only admins
    // and the bridge publish it there (pipelines cancel on their own locks/<id>/cancel/<user>).
    const unnamed = message.from === null && canceller.user === null;
    const why = unnamed ? null : this.#scope.cancelRefusal(canceller.user, canceller.role, parsed.id, lock.pipeline, requester);
    if (why !== null) return this.#deny(message, `user:${canceller.user ?? "anonymous"}`, "lock.cancel.denied", parsed.id, why, { requester, pipeline: lock.pipeline });
    try {
      this.#locks.cancel(parsed.id, canceller.user !== null ? `user:${canceller.user}` : "pipeline");
    } catch (err) {
      this.#ctx.log.error({ err, id: parsed.id }, "could not store a cancel");
      this.reject(message, "", `the bridge could not store the cancel: ${(err as Error).message}`, parsed.id);
    }
  }

  #onAdmin({ message, topic: parsed, value }: Delivery<AdminCommandMessage, "admin">): void {
    const replyTopic = this.#ctx.topics.reply(parsed.user, value.envelope.correlation);
    const answer = (reply: AdminReply) => this.#publish(replyTopic, encode(reply), false);
    // On the embedded broker the sender must be the user the topic names, and an admin.
    const from = message.from;
    if (from !== null && (from.username !== parsed.user || (from.role !== "admin" && from.role !== "bridge"))) {
      this.#ctx.bus.emit("audit", { actor: `user:${from.username ?? "anonymous"}`, action: "admin.denied", subject: parsed.command, detail: { topic: message.topic } });
      return answer({ ok: false, error: `user ${from.username ?? "anonymous"} may not run admin commands as ${parsed.user}` });
    }
    try {
      answer({ ok: true, result: this.runAdmin(parsed.user, parsed.command, value.body) });
    } catch (err) {
      if (err instanceof GateRefusal || err instanceof AdminInputError) return answer({ ok: false, error: err.message });
      this.#ctx.log.error({ err, command: parsed.command }, "admin command failed");
      answer({ ok: false, error: `the bridge could not carry it out: ${(err as Error).message}` });
    }
  }

  /** One admin command; also used by the HTTP API so both paths behave the same. A command with
   *  a request id (`correlation`) runs once: the same id again gets the first answer back. */
  runAdmin(user: string, command: AdminCommandName, body: unknown): unknown {
    if (command === "status") return this.#ctx.status.snapshot();
    const run = this.#adminCommand(user, command, body);
    const correlation = isObject(body) && typeof body.correlation === "string" ? body.correlation : undefined;
    if (correlation === undefined) return run();
    const reply = this.#locks.once({ user, correlation, command }, run);
    if (!reply.ok) throw new GateRefusal("id", reply.error ?? "refused");
    return reply.result;
  }

  #adminCommand(user: string, command: "decide" | "mode", body: unknown): () => unknown {
    if (command === "decide") {
      const cmd = checkDecideCommand(withoutEnvelope(body));
      if (!cmd.ok) throw new AdminInputError(`${cmd.field} ${cmd.error}`);
      const input = { decision: cmd.value.decision, id: cmd.value.id, reason: cmd.value.reason, decider: { kind: "user" as const, name: user, admin: true } };
      return () => this.#locks.decide(input).lock;
    }
    const cmd = checkModeCommand(untilFromDuration(withoutEnvelope(body), this.#ctx.clock.now()));
    if (!cmd.ok) throw new AdminInputError(`${cmd.field} ${cmd.error}`);
    const input = { mode: cmd.value.mode, until: cmd.value.until ? Date.parse(cmd.value.until) : null, reason: cmd.value.reason ?? null, actor: `user:${user}` };
    return () => this.#locks.setMode(input);
  }

  #metrics(): void {
    const { metrics, bus } = this.#ctx;
    const decisions = new Counter({ name: "shipgate_decisions_total", help: "Locks decided, by outcome", labelNames: ["outcome"], registers: [metrics] });
    const latency = new Histogram({
      name: "shipgate_decision_latency_seconds",
      help: "Time from a lock's request to its decision",
      buckets: [0.05, 0.5, 5, 30, 60, 300, 900, 3600, 14400],
      registers: [metrics],
    });
    const locks = () => this.#locks;
    new Gauge({
      name: "shipgate_locks_pending",
      help: "Locks waiting for a decision",
      registers: [metrics],
      collect() {
        this.set(locks().pendingCount());
      },
    });
    bus.on("lock:decided", ({ lock }) => {
      decisions.inc({ outcome: lock.state });
      if (lock.time_locked_ms !== null) latency.observe(lock.time_locked_ms / 1000);
    });
  }
}

export { AdminInputError };

function withoutEnvelope(body: unknown): unknown {
  if (!isObject(body)) return body;
  const { correlation: _c, ...rest } = body;
  return rest;
}

/** `until` may be a duration from now ("5m", "2h"), as `shipgate mode --until` takes it. */
function untilFromDuration(body: unknown, now: number): unknown {
  if (typeof body !== "object" || body === null || typeof (body as { until?: unknown }).until !== "string") return body;
  const ms = parseDuration((body as { until: string }).until);
  return ms === undefined ? body : { ...body, until: new Date(now + ms).toISOString() };
}
