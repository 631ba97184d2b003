// The Argo CD client against the fake Argo CD: login, list, renewal of an expired session, API
// tokens, the watch stream, and Argo CD's refusals mapped to the gadget's short reasons. Every
// request and answer is checked against Argo CD's swagger file by the fake.

import test from "ava";
import { ArgoClient, type WatchEvent } from "../src/argocd/client";
import { ArgoError, shortReason } from "../src/argocd/errors";
import { HttpTransport } from "../src/argocd/http";
import { systemClock } from "../src/clock";
import { FakeArgo } from "./fakes/argocd-server";
import { Swagger, suiteNeedsSwagger } from "./fakes/argocd-swagger";

const swagger = Swagger.load();

async function setup(credentials: ConstructorParameters<typeof ArgoClient>[0]["credentials"] = { kind: "password", username: "shipgate", password: "s3cret" }) {
  const fake = await new FakeArgo(swagger as Swagger).start();
  const transport = new HttpTransport({ url: fake.url, ca: null, insecure: false, timeoutMs: 5000 });
  const client = new ArgoClient({ transport, credentials, clock: systemClock });
  return {
    fake,
    client,
    transport,
    [Symbol.asyncDispose]: async () => {
      transport.close();
      await fake.stop();
    },
  };
}

if (swagger === null) {
  suiteNeedsSwagger("Argo CD client");
} else {
  test("logs in with username and password, then lists apps filtered by projects and selector", async (t) => {
    await using s = await setup();
    s.fake.addApp({ name: "web", project: "shop", labels: { team: "a" }, sync: "OutOfSync" });
    s.fake.addApp({ name: "api", project: "shop", labels: { team: "b" } });
    s.fake.addApp({ name: "ops", project: "infra", labels: { team: "a" } });

    const items = await s.client.list({ projects: ["shop", "payments"], selector: "team=a" });

    t.deepEqual(
      items.map((a) => (a as { metadata: { name: string } }).metadata.name),
      ["web"],
    );
    const [login, list] = s.fake.requests;
    t.is(login?.operation, "SessionService_Create");
    t.deepEqual(login?.body, { username: "shipgate", password: "s3cret" });
    t.is(list?.operation, "ApplicationService_List");
    t.deepEqual(list?.query, { projects: ["shop", "payments"], selector: ["team=a"] });
    t.regex(list?.authorization ?? "", /^Bearer ey/);
    t.deepEqual(s.fake.problems, []);
  });

  test("an empty list (items: null) is no apps", async (t) => {
    await using s = await setup();
    t.deepEqual(await s.client.list({ projects: [], selector: null }), []);
    t.deepEqual(s.fake.problems, []);
  });

  test("an expired session (401) is renewed once and the request retried", async (t) => {
    await using s = await setup();
    s.fake.addApp({ name: "web" });
    await s.client.list({ projects: [], selector: null });
    s.fake.expireSessions();

    const items = await s.client.list({ projects: [], selector: null });

    t.is(items.length, 1);
    t.deepEqual(
      s.fake.requests.map((r) => r.operation),
      ["SessionService_Create", "ApplicationService_List", "ApplicationService_List", "SessionService_Create", "ApplicationService_List"],
    );
    t.not(s.fake.requests[2]?.authorization, s.fake.requests[4]?.authorization);
    t.is(s.client.logins, 2);
    t.deepEqual(s.fake.problems, []);
  });

  test("a wrong password is an ArgoError naming the request, not a loop of logins", async (t) => {
    await using s = await setup({ kind: "password", username: "shipgate", password: "wrong" });
    const err = await t.throwsAsync(() => s.client.list({ projects: [], selector: null }), { instanceOf: ArgoError });
    t.is(err?.status, 401);
    t.regex(err?.message ?? "", /POST \/api\/v1\/session: HTTP 401: Invalid username or password/);
    t.is(s.fake.requestsTo("POST", "/api/v1/session").length, 1);
  });

  test("an API token is sent as it is; a rejected one is reported, not renewed", async (t) => {
    await using s = await setup({ kind: "token", token: "api-token-1" });
    await s.client.list({ projects: [], selector: null });
    t.is(s.fake.requests[0]?.authorization, "Bearer api-token-1");
    s.fake.apiTokens.clear();
    const err = await t.throwsAsync(() => s.client.list({ projects: [], selector: null }), { instanceOf: ArgoError });
    t.is(err?.status, 401);
    t.is(s.fake.requestsTo("POST", "/api/v1/session").length, 0);
    t.is(shortReason(err), "ARGO LOGIN FAILED");
  });

  test("Argo CD's sync refusals come back as typed errors with the gadget's short reasons", async (t) => {
    await using s = await setup();
    for (const [name, behaviour] of [
      ["busy", "in-progress"],
      ["window", "sync-window"],
      ["locked", "denied"],
    ] as const) {
      s.fake.addApp({ name, sync: "OutOfSync" });
      s.fake.syncBehaviour.set(name, behaviour);
    }
    const reasons: Record<string, [number, number | null, string]> = {};
    for (const name of ["busy", "window", "locked", "missing"]) {
      const err = await t.throwsAsync(() => s.client.sync({ name, prune: false, dryRun: false, infos: [] }), { instanceOf: ArgoError });
      reasons[name] = [err?.status ?? -1, err?.grpcCode ?? null, shortReason(err)];
    }
    t.deepEqual(reasons, {
      busy: [400, 9, "IN PROGRESS"],
      window: [403, 7, "SYNC WINDOW"],
      locked: [403, 7, "NO PERMISSION"],
      missing: [403, 7, "NO PERMISSION"],
    });
    t.deepEqual(s.fake.problems, []);
  });

  test("an unreachable Argo CD is an ArgoError with status 0", async (t) => {
    const fake = await new FakeArgo(swagger).start();
    const url = fake.url;
    await fake.stop();
    const transport = new HttpTransport({ url, ca: null, insecure: false, timeoutMs: 2000 });
    const client = new ArgoClient({ transport, credentials: { kind: "token", token: "x" }, clock: systemClock });
    const err = await t.throwsAsync(() => client.list({ projects: [], selector: null }), { instanceOf: ArgoError });
    t.is(err?.status, 0);
    t.is(shortReason(err), "ARGO UNREACHABLE");
    transport.close();
  });

  test("the watch stream delivers ADDED, MODIFIED and DELETED, and a dropped connection ends it with an error", async (t) => {
    await using s = await setup();
    s.fake.addApp({ name: "web", project: "shop" });
    s.fake.addApp({ name: "ops", project: "infra" });
    const events: WatchEvent[] = [];
    const stream = await s.client.watch(
      { projects: ["shop"], selector: null },
      (e) => events.push(e),
      (p) => t.fail(p),
    );
    const name = (e: WatchEvent) => `${e.type} ${(e.application as { metadata: { name: string } }).metadata.name}`;
    await s.fake.until(() => events.length >= 1, 5000, "ADDED web");
    s.fake.modify("web", (a) => (a.status.sync.status = "OutOfSync"));
    s.fake.modify("ops", (a) => (a.status.sync.status = "OutOfSync"));
    s.fake.addApp({ name: "cart", project: "shop" });
    s.fake.deleteApp("cart");
    await s.fake.until(() => events.length >= 4, 5000, "four events");
    t.deepEqual(events.map(name), ["ADDED web", "MODIFIED web", "ADDED cart", "DELETED cart"]);
    const watch = s.fake.requestsTo("GET", "/api/v1/stream/applications")[0];
    t.deepEqual(watch?.query, { projects: ["shop"] });

    s.fake.dropStreams();
    await t.throwsAsync(() => stream.ended, { instanceOf: ArgoError, message: /stream broke/ });
    t.deepEqual(s.fake.problems, []);
  });

  test("the watch renews an expired session too", async (t) => {
    await using s = await setup();
    await s.client.login();
    s.fake.expireSessions();
    const stream = await s.client.watch(
      { projects: [], selector: null },
      () => {},
      () => {},
    );
    t.is(s.client.logins, 2);
    t.is(s.fake.openStreams, 1);
    stream.close();
    await stream.ended;
  });

  test("the fake's swagger check catches a misspelt sync field", (t) => {
    // Guards the guard: a body the swagger file does not describe must be reported.
    const { problems } = swagger.checkRequest("POST", new URL("http://x/api/v1/applications/web/sync"), { name: "web", info: [{ name: "a", value: "b" }] });
    t.deepEqual(problems, ["POST /api/v1/applications/web/sync body.info: not a property of the schema"]);
    t.deepEqual(swagger.checkRequest("GET", new URL("http://x/api/v1/applications?project=a&bogus=1"), undefined).problems, [
      "GET /api/v1/applications: query parameter bogus is not declared by ApplicationService_List",
    ]);
  });
}
