// GET /cc.xml (everything the bridge watches, in the format other monitors read) and
// GET /api/feed.json (the same, plus "awaiting approval" from the gates' pending locks).

import { Pipelines, type PipelinesPort } from "../ports/ci";
import { LockQueries, type LockQueriesPort } from "../ports/gates";
import { optional } from "../ports/port";
import type { Service, ServiceContext } from "../service";
import { ccXml } from "./cctray-feed";
import { type FeedItem, feedItems } from "./feed-model";

export class FeedService implements Service {
  readonly name = "feeds";
  readonly needs = [optional(Pipelines), optional(LockQueries)];
  #ci: PipelinesPort | undefined;
  #gates: LockQueriesPort | undefined;

  start(ctx: ServiceContext): void {
    this.#ci = ctx.ports.want(Pipelines);
    this.#gates = ctx.ports.want(LockQueries);
    ctx.http.get("/cc.xml", async (req, reply) => {
      reply.header("content-type", "application/xml; charset=utf-8");
      return ccXml(this.items(`${req.protocol}://${req.host}`));
    });
    ctx.http.get("/api/feed.json", async (req) => ({
      generated_at: new Date(ctx.clock.now()).toISOString(),
      items: this.items(`${req.protocol}://${req.host}`),
    }));
  }

  items(baseUrl: string): FeedItem[] {
    return feedItems(this.#ci?.pipelines() ?? [], this.#gates?.pending() ?? [], baseUrl);
  }
}
