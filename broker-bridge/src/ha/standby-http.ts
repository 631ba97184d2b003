// A standby's HTTP server: the dashboard and every read route answer from the shared store, and a
// request that would change something (any method but GET, HEAD, OPTIONS) is refused with 503 and
// the name of the bridge that leads, because only the leader's writes pass the fence.

import type { FastifyInstance } from "fastify";
import type { LeaderInfo } from "./bridge-role";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export function refuseWritesOnStandby(http: FastifyInstance, self: string, leader: () => LeaderInfo | null): void {
  http.addHook("onRequest", async (request, reply) => {
    if (READS.has(request.method)) return;
    const l = leader();
    const who = l === null ? "no bridge leads right now (a takeover is under way); try again in a few seconds" : `bridge ${l.id} leads (since ${l.since}); send it there`;
    await reply
      .code(503)
      .header("retry-after", "2")
      .send({ error: `this bridge (${self}) is a standby and changes nothing: ${who}`, standby: self, leader: l });
  });
}
