// Fastify's schema compilers load on first use (http-server.ts): a route that declares schemas
// must still have its body validated and its response serialized by them.
import test from "ava";
import pino from "pino";
import { createHttpServer } from "../src/http/http-server";

test("a route's body schema refuses a bad body and its response schema drops undeclared fields", async (t) => {
  const app = createHttpServer({ host: "127.0.0.1", port: 0, tls: null } as never, pino({ level: "silent" }));
  const body = { type: "object", required: ["a"], properties: { a: { type: "number" } } };
  app.post("/x", { schema: { body, response: { 200: body } } }, async (req) => ({ a: (req.body as { a: number }).a, hidden: 1 }));
  const bad = await app.inject({ method: "POST", url: "/x", payload: { b: 1 } });
  t.is(bad.statusCode, 400);
  t.regex(bad.body, /must have required property 'a'/);
  const good = await app.inject({ method: "POST", url: "/x", payload: { a: 2 } });
  t.deepEqual(good.json(), { a: 2 });
  t.deepEqual((await app.inject({ url: "/healthz" })).json(), { ok: true });
  await app.close();
});
