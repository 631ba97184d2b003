// TLS from certificate and key files in the config: MQTT over TLS on broker.tls_port, MQTT over
// secure WebSocket and the dashboard/API over HTTPS. A throwaway CA and server certificate are
// made with openssl for each run; clients trust only that CA.
import test from "ava";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import path from "node:path";
import mqtt from "mqtt";
import { startSecureBridge, topics } from "./security-support";
import { tempDir } from "./helpers/bridge";

function makeCertificates(): { dir: string; ca: Buffer } {
  const dir = tempDir("shipgate-tls-");
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=shipgate test CA");
  ssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
  return { dir, ca: readFileSync(path.join(dir, "ca.pem")) };
}

function httpsJson(url: string, ca: Buffer, method = "GET", body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test("MQTT over TLS, secure WebSocket and HTTPS work from the configured files, and only with a trusted certificate", async (t) => {
  const { dir, ca } = makeCertificates();
  const tls = { cert: path.join(dir, "server.pem"), key: path.join(dir, "server.key") };
  const rig = await startSecureBridge({ broker: { tls, tls_port: 0 }, http: { tls, host: "127.0.0.1" } });
  t.teardown(() => rig.stop());
  const tlsPort = rig.bridge.broker?.tlsPort;
  t.truthy(tlsPort);
  t.true(rig.bridge.httpUrl.startsWith("https://"));
  const { password } = rig.addUser("boss", "admin");

  const secure = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ca, username: "boss", password, reconnectPeriod: 0, clientId: "boss-tls" });
  const got = new Promise<string>((resolve) => secure.on("message", (_t, p) => resolve(p.toString())));
  await secure.subscribeAsync(topics.mode(), { qos: 1 });
  t.like(JSON.parse(await got), { mode: "default" }, "the retained mode arrives over TLS");
  await secure.endAsync();

  const untrusted = mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { username: "boss", password, reconnectPeriod: 0, connectTimeout: 3000, clientId: "boss-untrusted" });
  const err = await t.throwsAsync(untrusted);
  t.regex(String((err as Error).message), /certificate|self.signed|unable to verify/i);

  const anonymousTls = mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ca, reconnectPeriod: 0, clientId: "anon-tls" });
  t.is(((await t.throwsAsync(anonymousTls)) as Error & { code?: number }).code, 5, "TLS does not replace authentication");

  const wss = await mqtt.connectAsync(`wss://127.0.0.1:${rig.bridge.httpPort}/mqtt`, { ca, username: "boss", password, reconnectPeriod: 0, clientId: "boss-wss" } as mqtt.IClientOptions);
  const wssGot = new Promise<string>((resolve) => wss.on("message", (_t, p) => resolve(p.toString())));
  await wss.subscribeAsync(topics.mode(), { qos: 1 });
  t.like(JSON.parse(await wssGot), { mode: "default" }, "the retained mode arrives over secure WebSocket");
  await wss.endAsync();

  const health = await httpsJson(`${rig.bridge.httpUrl}/healthz`, ca);
  t.deepEqual([health.status, health.body], [200, { ok: true }]);
  const login = await httpsJson(`${rig.bridge.httpUrl}/api/session`, ca, "POST", { username: "boss", password });
  t.is(login.status, 200);
  t.regex(String(login.headers["set-cookie"]), /; Secure/, "under TLS the session cookie is Secure");
});
