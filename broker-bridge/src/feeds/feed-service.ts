// GET /cc.xml (everything the bridge watches, in the format other monitors read) and
// GET /api/feed.json (the same, plus "awaiting approval" from the gates' pending locks).

import type { CiService } from "../ci/ci-service";
import type { GatesService } from "../gates/gates-service";
import type { Service, ServiceContext } from "../service";
import { ccXml } from "./cctray-feed";
import { type FeedItem, feedItems } from "./feed-model";

export class FeedService implements Service {
  readonly name = "feeds";
  #ctx!: ServiceContext;

  start(ctx: ServiceContext): void {
    this.#ctx = ctx;
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
    const ci = this.#ctx.services.get<CiService>("ci");
    const gates = this.#ctx.services.get<GatesService>("gates");
    return feedItems(ci?.pipelines() ?? [], gates?.locks.pending() ?? [], baseUrl);
  }
}
