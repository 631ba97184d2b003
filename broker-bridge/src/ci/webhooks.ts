// Push as well as poll: every provider whose definition has a webhook (providers/*.ts) gets
// POST /hooks/<kind> on the bridge's HTTP server once its secret is configured. A delivery is
// believed only when it proves the secret the provider's way (GitHub: X-Hub-Signature-256, an
// HMAC-SHA256 of the raw body compared in constant time; GitLab: X-Gitlab-Token). The builds it
// carries go through the same change detection as polls, so a build seen both ways is reported once.

import type { FastifyInstance } from "fastify";
import type { Delivery, PipelineSettings, ProviderDefinition } from "./providers/provider";

export type { Delivery } from "./providers/provider";
export { githubDeliveries, githubSignatureValid } from "./providers/github";
export { gitlabDeliveries } from "./providers/gitlab";
export { sameSecret } from "./providers/provider";

export interface WebhookRoutes {
  /** The providers, and the configured secret of each that has one (no secret: no route). */
  providers: ReadonlyMap<string, ProviderDefinition<unknown>>;
  secrets: ReadonlyMap<string, string | null>;
  pipelines: readonly PipelineSettings[];
  deliver(delivery: Delivery, source: string): void;
  /** Refused deliveries (bad signature/token), for the audit log. */
  refused(source: string, why: string): void;
}

/** Deliveries remembered to drop redeliveries (GitHub's X-GitHub-Delivery). */
const DELIVERY_MEMORY = 1000;

export function registerWebhooks(app: FastifyInstance, routes: WebhookRoutes): void {
  // The raw body is needed for the HMAC; the parser is scoped to these routes only.
  app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

    for (const [kind, definition] of routes.providers) {
      const hook = definition.webhook;
      const secret = routes.secrets.get(kind) ?? null;
      if (hook === undefined || secret === null) continue;
      const mine = routes.pipelines.filter((p) => p.provider === kind);
      const seen = new Set<string>();
      scope.post(`/hooks/${kind}`, async (req, reply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const refusal = hook.verify(secret, raw, req.headers);
        if (refusal !== null) {
          routes.refused(kind, refusal.audit);
          return reply.code(401).send({ error: refusal.answer });
        }
        const id = hook.deliveryId?.(req.headers);
        if (id !== undefined) {
          if (seen.has(id)) return reply.code(200).send({ ok: true, duplicate: true });
          seen.add(id);
          if (seen.size > DELIVERY_MEMORY) seen.delete(seen.values().next().value as string);
        }
        const event = hook.event(req.headers);
        if (hook.pings?.includes(event)) return { ok: true };
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString("utf8"));
        } catch {
          return reply.code(400).send({ error: "body is not JSON" });
        }
        const deliveries = hook.deliveries(event, payload, mine);
        for (const d of deliveries) routes.deliver(d, `${kind} webhook`);
        return { ok: true, matched: deliveries.length };
      });
    }
  });
}
