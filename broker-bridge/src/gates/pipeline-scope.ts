// A lock speaks for the pipeline that owns it (issue 13): who is asking (the connection's user on
// the embedded broker; the user level of locks/request/<user> on an external one, which the
// exported ACL ties to the authenticated user), and whether that user may speak for a pipeline
// (`shipgate user add NAME --role pipeline --pipelines GLOB,...`; default: the pipeline NAME).

import type { InboundMessage } from "../link/link";
import { UserStore, pipelinesOf } from "../accounts/user-store";
import type { ServiceContext } from "../service";
import { globToRegExp } from "./glob";

export type Requester = { ok: true; user: string | null; role: string | null } | { ok: false; actor: string; error: string };

export class PipelineScope {
  readonly #users: UserStore;
  readonly #ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    // The same users the security service reads: <state>/users.json, re-read only when it changes,
    // or the shared PostgreSQL store's table.
    this.#users = new UserStore(ctx.config.state_dir, ctx.store);
  }

  requester(message: InboundMessage): Requester {
    const parsed = this.#ctx.topics.parse(message.topic);
    const topicUser = parsed.kind === "lock-request" ? parsed.user : undefined;
    const from = message.from;
    if (from === null) {
      // External broker: only the topic can say who asks (bare locks/request: nobody known).
      return { ok: true, user: topicUser ?? null, role: topicUser === undefined ? null : this.#roleOf(topicUser) };
    }
    if (topicUser !== undefined && topicUser !== from.username) {
      return { ok: false, actor: `user:${from.username ?? "anonymous"}`, error: `user ${from.username ?? "anonymous"} may not request locks as ${topicUser}` };
    }
    return { ok: true, user: from.username, role: from.role };
  }

  /** Why this user may not speak for the pipeline, or null. Admins, the bridge and the open test
   *  authorizer (no user store entry) are not bound. */
  pipelineRefusal(user: string | null, role: string | null, pipeline: string): string | null {
    if (user === null || role !== "pipeline") return null;
    const record = this.#safeGet(user);
    const globs = pipelinesOf(record ?? { username: user });
    if (globs.some((g) => globToRegExp(g).test(pipeline))) return null;
    return `user ${user} may not speak for pipeline ${pipeline} (its pipelines: ${globs.join(", ")})`;
  }

  /** Whether a pipeline user may read a lock of this pipeline. */
  mayRead(user: string, pipeline: string): boolean {
    return this.pipelineRefusal(user, "pipeline", pipeline) === null;
  }

  #roleOf(user: string): string | null {
    return this.#safeGet(user)?.role ?? null;
  }

  #safeGet(user: string) {
    try {
      return this.#users.get(user);
    } catch (err) {
      this.#ctx.log.error({ err }, "cannot read the users file");
      return undefined;
    }
  }
}
