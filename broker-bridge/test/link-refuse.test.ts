// Who hears a refusal: errors/<client id> must never be chosen by someone else's payload.
import test from "ava";
import { errorClientId } from "../src/link/refuse";

const payload = (clientId: string) => Buffer.from(JSON.stringify({ id: "42", pipeline: "api", step: "deploy", client_id: clientId }));
const embedded = (clientId: string, username: string | null) => ({ clientId, username, role: "pipeline" });

test("embedded: the publisher hears it, or a reader of the same user's that the payload names", (t) => {
  const from = embedded("api-deploy-1-ask", "api");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: payload("api-deploy-1"), from }), "api-deploy-1");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: payload("api"), from }), "api");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: Buffer.from("{oops"), from }), "api-deploy-1-ask");
});

test("embedded: a payload naming another user's client id is answered to the publisher", (t) => {
  const from = embedded("web-7", "web");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: payload("api-deploy-1"), from }), "web-7");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: payload("webhook-x"), from }), "web-7", "a prefix is not a user");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: payload("anything"), from: embedded("anon-1", null) }), "anon-1");
});

test("external broker: the user-scoped topic bounds the named client id to that user", (t) => {
  t.is(errorClientId({ topic: "shipgate/v1/locks/request/api", payload: payload("api-deploy-1"), from: null }), "api-deploy-1");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request/web", payload: payload("api-deploy-1"), from: null }), "web");
  t.is(errorClientId({ topic: "shipgate/v1/locks/request", payload: Buffer.from("[]"), from: null }), "unknown");
});
