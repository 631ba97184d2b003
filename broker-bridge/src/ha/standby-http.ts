// A standby's HTTP server: the dashboard and every read route answer from the shared store, and a
// request that would change something (any method but GET, HEAD, OPTIONS) goes to the leader:
// - with an API token (Authorization: Bearer), it is forwarded to the leader's HTTP address (which
//   the leader writes into the store when it takes over) and the leader's answer is relayed;
// - otherwise (a browser session, whose cookie and CSRF token belong to this origin) it is
//   refused with 503 and the name and address of the bridge that leads.
// Only the leader's writes pass the fence, so nothing is carried out here.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LeaderInfo } from "./bridge-role";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Set on a forwarded request: a standby never forwards one again (two standbys, a stale address). */
export const FORWARDED_HEADER = "x-shipgate-forwarded-by";
const FORWARD_TIMEOUT_MS = 10_000;
/** The request headers a forwarded request keeps (what the admin routes read). */
const KEPT = ["authorization", "content-type", "accept", "idempotency-key"];

export interface StandbyHttp {
  self: string;
  leader(): LeaderInfo | null;
  /** The leader's HTTP base URL, as it wrote it into the store, or null. */
  leaderUrl(): string | null;
}

export function serveStandbyHttp(http: FastifyInstance, standby: StandbyHttp): void {
  // preHandler: the body is parsed by then, so it can be sent on as it came.
  http.addHook("preHandler", async (request, reply) => {
    if (READS.has(request.method)) return;
    const url = standby.leaderUrl();
    const token = typeof request.headers.authorization === "string" && /^Bearer\s+\S+$/i.test(request.headers.authorization);
    if (token && url !== null && request.headers[FORWARDED_HEADER] === undefined) return forward(request, reply, url, standby.self);
    return refuse(reply, standby, url);
  });
}

async function refuse(reply: FastifyReply, standby: StandbyHttp, url: string | null): Promise<void> {
  const l = standby.leader();
  const where = url === null ? "" : ` at ${url}`;
  const who = l === null ? "no bridge leads right now (a takeover is under way); try again in a few seconds" : `bridge ${l.id} leads (since ${l.since})${where}; send it there`;
  await reply
    .code(503)
    .header("retry-after", "2")
    .send({ ok: false, error: `this bridge (${standby.self}) is a standby and changes nothing: ${who}`, standby: standby.self, leader: l === null ? null : { ...l, url } });
}

async function forward(request: FastifyRequest, reply: FastifyReply, base: string, self: string): Promise<void> {
  const headers: Record<string, string> = { [FORWARDED_HEADER]: self };
  for (const name of KEPT) {
    const v = request.headers[name];
    if (typeof v === "string") headers[name] = v;
  }
  const body = request.body === undefined ? undefined : typeof request.body === "string" ? request.body : JSON.stringify(request.body);
  let res: Response;
  try {
    res = await fetch(new URL(request.url, base), { method: request.method, headers, body, signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS), redirect: "manual" });
  } catch (err) {
    await reply.code(502).send({ ok: false, error: `this bridge (${self}) is a standby; forwarding to the leader at ${base} failed: ${(err as Error).message}` });
    return;
  }
  const text = await res.text();
  await reply
    .code(res.status)
    .header("content-type", res.headers.get("content-type") ?? "application/json")
    .header(FORWARDED_HEADER, self)
    .send(text);
}
