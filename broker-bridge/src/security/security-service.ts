// The broker's security, secure by default: every client authenticates against the credentials
// in <state>/users.json (scrypt hashes; in the store itself when it is a shared PostgreSQL), each role may publish and subscribe only where
// security/acl.ts allows, a pipeline receives only its own locks' states, and every refusal is
// audited and answered on the client's errors topic. Lock requests and gadget events are rate
// limited per client id. On first start (no users yet) an admin is created and its password
// written to <state>/local-admin.json (0600), which commands on this machine read
// (cli/connection.ts). The HTTP API's sessions and admin routes are in http-auth.ts.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { type ErrorReply, GADGET_EVENT_MAX_BYTES, checkGadgetEvent, decode, encode } from "@shipgate/protocol";
import type { BrokerAuthorizer, Identity, Role } from "../broker/embedded-broker";
import { sectionOf } from "../config";
import type { InboundMessage } from "../link/link";
import { AdminCommands, LockQueries, type LockQueriesPort } from "../ports/gates";
import { optional } from "../ports/port";
import { BrokerAuthorization, GadgetSecrets } from "../ports/security";
import type { Service, ServiceContext } from "../service";
import { AuditLog } from "../audit-log";
import { aclDenied } from "./acl";
import { ConnectDenials } from "./connect-denials";
import { registerHttpAuth } from "./http-auth";
import { verifyPassword } from "../accounts/passwords";
import { RateLimiter } from "./rate-limit";
import { SECURITY_DEFAULTS, type SecuritySettings, checkSecuritySection } from "./security-config";
import { UserStore, UserStoreError, writeFileAtomic } from "../accounts/user-store";

export const LOCAL_ADMIN_FILE = "local-admin.json";

export { SECURITY_DEFAULTS, type SecuritySettings, checkSecuritySection } from "./security-config";

export class SecurityService implements Service {
  readonly name = "security";
  readonly offers = [BrokerAuthorization, GadgetSecrets];
  /** Pipelines read only their own locks; the HTTP admin routes run the gates' commands. */
  readonly needs = [optional(LockQueries), optional(AdminCommands)];
  #locks: LockQueriesPort | undefined;
  #ctx!: ServiceContext;
  #users!: UserStore;
  #settings: SecuritySettings = SECURITY_DEFAULTS;
  #requestLimiter!: RateLimiter;
  #eventLimiter!: RateLimiter;
  readonly #hints: string[] = [];
  /** The first start's admin, being hashed (see #firstStart). */
  #firstAdmin: Promise<void> = Promise.resolve();
  /** Passwords already checked this run, as HMACs under a per-process key: a reconnecting client
   *  costs one HMAC, not one scrypt. Keyed by user; invalidated when the stored hash changes. */
  readonly #verified = new Map<string, { stored: string; mac: Buffer }>();
  readonly #cacheKey = randomBytes(32);
  /** Rate-limit refusals per client already in the audit log this minute (the log is not a flood target). */
  readonly #limitAudited = new Map<string, number>();
  #connectDenials!: ConnectDenials;

  get users(): UserStore {
    return this.#users;
  }

  get settings(): SecuritySettings {
    return this.#settings;
  }

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
    this.#settings = sectionOf(ctx.config, "security", checkSecuritySection);
    this.#users = new UserStore(ctx.config.state_dir, ctx.store);
    this.#requestLimiter = new RateLimiter(this.#settings.lockRequests, () => ctx.clock.now());
    this.#eventLimiter = new RateLimiter(this.#settings.events, () => ctx.clock.now());
    this.#connectDenials = new ConnectDenials(new AuditLog(ctx.store), ctx.clock, ctx.bus, ctx.log);
    this.#firstStart();
    this.#locks = ctx.ports.want(LockQueries);
    registerHttpAuth(ctx, this, ctx.ports.want(AdminCommands));
    ctx.ports.offer(BrokerAuthorization, this.authorizer());
    ctx.ports.offer(GadgetSecrets, this);
    ctx.status.register("security", () => ({
      users: countRoles(this.#users.users().map((u) => u.role)),
      credentials: this.#users.file,
      hints: this.#hints,
    }));
  }

  async started(): Promise<void> {
    await this.#firstAdmin;
  }

  /** A start that fails meanwhile waits for the admin's write before the state is removed. */
  async stop(): Promise<void> {
    await this.#firstAdmin.catch(() => {});
  }

  /** A gadget's HMAC secret provisioned by `shipgate user add ID --role gadget`, if any. */
  gadgetAccounts(): readonly string[] {
    return this.#users
      .users()
      .filter((u) => u.role === "gadget")
      .map((u) => u.username);
  }

  gadgetSecret(gadget: string): string | undefined {
    try {
      return this.#users.gadgetSecret(gadget);
    } catch (err) {
      this.#ctx.log.error({ err, gadget }, "cannot read the gadget's secret");
      return undefined;
    }
  }

  #firstStart(): void {
    const { config } = this.#ctx;
    const state = config.state_dir;
    const local = path.join(state, LOCAL_ADMIN_FILE);
    if (this.#users.isEmpty()) {
      // Hashed on the thread pool while the bridge goes on starting; started() waits for it, so
      // the bridge is up only with its admin saved. The credentials file is written after the
      // store holds the admin, so no command finds a password the broker does not know yet.
      this.#firstAdmin = this.#users.addOffThread("admin", "admin").then(
        ({ password }) => {
          writeFileAtomic(local, JSON.stringify({ username: "admin", password }, null, 2) + "\n", 0o600);
          this.#ctx.bus.emit("audit", { actor: "system", action: "user.add", subject: "admin", detail: { role: "admin", first_start: true } });
        },
        (err: unknown) => {
          // On a shared store another bridge may have created "admin" meanwhile: then it is that
          // bridge's first start, not this one's.
          if (err instanceof UserStoreError && this.#users.get("admin") !== undefined) return;
          throw err;
        },
      );
      // Not left unhandled if the start fails before started() (its caller tears down then).
      this.#firstAdmin.catch(() => {});
      this.#hints.push(`created the admin user "admin"; its password is in ${local} (mode 0600), which shipgate commands on this machine use`);
    } else if (!existsSync(local)) {
      this.#hints.push(`no ${local}: commands on this machine need --username and --password-file`);
    }
    const env = `SHIPGATE_STATE_DIR=${state} `;
    this.#hints.push(`add a gadget:   ${env}shipgate user add desk-1 --role gadget   (prints its password, secret and mcconfig line)`);
    this.#hints.push(`add a pipeline: ${env}shipgate user add ci --role pipeline   (then: shipgate gate --username ci --password-file F ...)`);
    if (config.broker.url !== null) this.#hints.push(`external broker: give it the same users with ${env}shipgate user export-mosquitto --dir DIR`);
  }

  authorizer(): BrokerAuthorizer {
    const prefix = this.#ctx.topics.prefix;
    return {
      authenticate: (clientId, username, password) => this.#authenticate(clientId, username, password),
      publishDenied: (who, clientId, topic) => (who === null ? "anonymous clients may not publish" : aclDenied(prefix, who.role, who.username, clientId, "write", topic)),
      subscribeDenied: (who, clientId, filter) => (who === null ? "anonymous clients may not subscribe" : aclDenied(prefix, who.role, who.username, clientId, "read", filter)),
      mayReceive: (who, _clientId, topic) => this.#mayReceive(who, topic),
      admit: (message) => this.#admit(message),
      onRefused: (what, who, clientId, detail, connect) =>
        what === "connect" && connect !== undefined ? this.#connectDenials.refused(clientId, connect.source, connect.username, detail) : this.#refused(what, who, clientId, detail),
    };
  }

  async #authenticate(clientId: string, username: string | undefined, password: Buffer | undefined): Promise<Identity | null> {
    if (username === undefined || username === "" || password === undefined) return null;
    const user = this.#users.get(username);
    if (user === undefined) {
      // Same work as a real check, so a wrong user name is not told apart by timing.
      await verifyPassword(password.toString("utf8"), DUMMY_HASH);
      return null;
    }
    const text = password.toString("utf8");
    const mac = createHmac("sha256", this.#cacheKey).update(text).digest();
    const cached = this.#verified.get(username);
    if (cached !== undefined && cached.stored === user.password && timingSafeEqual(cached.mac, mac)) return { username, role: user.role };
    if (!(await verifyPassword(text, user.password))) return null;
    // The user may have been removed while the hash ran.
    const now = this.#users.get(username);
    if (now === undefined || now.password !== user.password) return null;
    this.#verified.set(username, { stored: user.password, mac });
    this.#ctx.log.debug({ user: username, client: clientId }, "client authenticated");
    return { username, role: now.role };
  }

  #mayReceive(who: Identity | null, topic: string): boolean {
    if (who === null) return false;
    if (who.role === "admin" || who.role === "bridge") return true;
    const parsed = this.#ctx.topics.parse(topic);
    // locks/+ also matches locks/request: other pipelines' requests are not for pipelines or viewers.
    if (parsed.kind === "lock-request") return false;
    if (who.role !== "pipeline") return true;
    // "reads its own locks": the gates record who requested each lock (locks.requester).
    if (parsed.kind === "lock-state") return this.#requester(parsed.id) === who.username;
    // The ACL already binds owners/<user>/...; checked again so no rule change can widen it.
    if (parsed.kind === "owner-lock-state") return parsed.user === who.username;
    return true;
  }

  #requester(id: string): string | null {
    // No gates running: there are no locks to read.
    return this.#locks?.requesterOf(id) ?? null;
  }

  #admit(message: InboundMessage): boolean {
    const from = message.from;
    if (from === null) return true;
    const parsed = this.#ctx.topics.parse(message.topic);
    const limiter = parsed.kind === "lock-request" ? this.#requestLimiter : parsed.kind === "gadget-event" ? this.#eventLimiter : null;
    // Counted per user: rotating client ids does not buy a new allowance (issue 13).
    const key = from.username !== null ? `user:${from.username}` : `client:${from.clientId}`;
    if (limiter === null || limiter.take(key)) return true;
    const what = parsed.kind === "lock-request" ? "lock requests" : "gadget events";
    const error = `too many ${what} from ${from.username !== null ? `user ${from.username}` : `client ${from.clientId}`} (limit ${limiter.rule.perMinute} a minute, bursts of ${limiter.rule.burst}); try again later`;
    this.#ctx.log.warn({ client: from.clientId, user: from.username, topic: message.topic }, "rate limit: refused a message");
    if (parsed.kind === "gadget-event") {
      // Spent, not postponed: a QoS 1 redelivery of this event later must not act (issue 13).
      const event = decode(message.payload, GADGET_EVENT_MAX_BYTES, checkGadgetEvent);
      if (event.ok) this.#ctx.bus.emit("gadget:dropped", { gadget: parsed.gadget, boot: event.value.boot, seq: event.value.seq });
    }
    this.#answer(from.clientId, message.topic, "", error);
    const minute = Math.floor(this.#ctx.clock.now() / 60_000);
    if (this.#limitAudited.get(key) !== minute) {
      if (this.#limitAudited.size > 10_000) this.#limitAudited.clear();
      this.#limitAudited.set(key, minute);
      this.#ctx.bus.emit("audit", { actor: actorOf(from.username, from.clientId), action: "rate.limited", subject: message.topic, detail: { client: from.clientId, limit: limiter.rule } });
    }
    return false;
  }

  #refused(what: "connect" | "publish" | "subscribe", who: Identity | null, clientId: string, detail: string): void {
    const action = what === "connect" ? "auth.connect.denied" : what === "publish" ? "auth.publish.denied" : "auth.subscribe.denied";
    const topic = what === "connect" ? "" : detail.slice(0, detail.indexOf(": "));
    this.#ctx.bus.emit("audit", { actor: actorOf(who?.username ?? null, clientId), action, subject: topic || clientId, detail: { client: clientId, reason: detail } });
    this.#ctx.log.warn({ client: clientId, user: who?.username, what, detail }, "broker refused a client");
    // Tell the client why, on its errors topic, before MQTT 3.1.1 closes its connection.
    if (what !== "connect" && who !== null) this.#answer(clientId, topic, "topic", detail.slice(topic.length + 2));
  }

  #answer(clientId: string, topic: string, field: string, error: string): void {
    const { link, topics, log } = this.#ctx;
    if (!/^[^/+#\u0000]{1,128}$/.test(clientId)) return;
    const reply: ErrorReply = { error, topic, field };
    link.publish(topics.errors(clientId), encode(reply), { qos: 1, retain: false }).catch((err: Error) => log.warn({ err: err.message }, "could not publish an error answer"));
  }
}

/** A valid scrypt string nobody's password matches, for equal-time refusals of unknown users. */
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString("base64")}$${Buffer.alloc(32).toString("base64")}`;

function actorOf(username: string | null, clientId: string): string {
  return username ? `user:${username}` : `client:${clientId}`;
}

function countRoles(roles: Role[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of roles) out[role] = (out[role] ?? 0) + 1;
  return out;
}
