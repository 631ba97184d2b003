// The twin over mqtts://: a TLS aedes on a loopback port with a throwaway CA made by openssl for
// each run (P-256, TLS 1.2 capable, as the device's TLS stack needs). The twin trusts the CA from a
// file (caFile, as `shipgate gadget` passes it or $SHIPGATE_CA_FILE) and connects; without the CA,
// or with a CA that did not sign the broker's certificate, it never comes online.

import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type TLSSocket } from "node:tls";
import { Aedes } from "aedes";
import test from "ava";
import { connectAsync } from "mqtt";
import { Topics } from "@shipgate/protocol/topics";
import { startTwin } from "../adapters/node/twin";

function makeCa(dir: string, name: string): void {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`);
}

function makeCertificates(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "twin-tls-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
  return dir;
}

test("the twin connects over mqtts:// trusting the CA file, and not without it", async (t) => {
  const dir = makeCertificates();
  const aedes = await Aedes.createBroker();
  const server = createServer({ cert: readFileSync(path.join(dir, "server.pem")), key: readFileSync(path.join(dir, "server.key")) }, aedes.handle);
  const sockets = new Set<TLSSocket>();
  server.on("secureConnection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const url = `mqtts://127.0.0.1:${port}`;
  const topics = new Topics();
  const watcher = await connectAsync(url, { ca: readFileSync(path.join(dir, "ca.pem")), reconnectPeriod: 0 });
  const states: string[] = [];
  watcher.on("message", (_topic, payload) => states.push(String((JSON.parse(payload.toString("utf8")) as { state: string }).state)));
  await watcher.subscribeAsync(topics.gadgetStatus("tls-1"), { qos: 1 });
  t.teardown(async () => {
    await watcher.endAsync(true);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => aedes.close(() => r()));
  });

  const tuning = { backoff: { initialMs: 50, maxMs: 200 } };
  const untrusting = await startTwin({ id: "tls-0", broker: url, tuning });
  const wrongCa = await startTwin({ id: "tls-2", broker: url, caFile: path.join(dir, "other-ca.pem"), tuning });
  const twin = await startTwin({ id: "tls-1", broker: url, caFile: path.join(dir, "ca.pem"), tuning });
  t.teardown(() => Promise.all([twin.close(), untrusting.close(), wrongCa.close()]).then(() => undefined));

  await twin.waitFor("online over TLS", () => twin.online, 10_000);
  await twin.waitFor("online state on the broker", () => states.includes("online"), 5000);
  // By then the others have had as long and several retries; neither got through.
  await new Promise((r) => setTimeout(r, 500));
  t.false(untrusting.online, "Node's built-in CAs do not include the throwaway CA");
  t.false(wrongCa.online, "a CA that did not sign the broker's certificate");
  t.true(
    untrusting.logLines.some((l) => /certificate|self.signed|unable to verify/i.test(l)),
    untrusting.logLines.join("\n"),
  );
  t.is(wrongCa.app.displayText, "TLS ERROR", "the display says why: the broker's certificate is not signed by the configured CA");
  t.is(untrusting.app.displayText, "TLS ERROR", "and without a CA");

  await twin.close();
  await twin.waitFor("offline state on the broker", () => states[states.length - 1] === "offline", 5000);
});

test("an unreadable CA file is an error that names the file", async (t) => {
  const missing = path.join(tmpdir(), "no-such-dir-shipgate", "ca.pem");
  const error = await t.throwsAsync(startTwin({ id: "tls-3", broker: "mqtts://127.0.0.1:1", caFile: missing }));
  t.regex(error!.message, /cannot read the CA file .*no-such-dir-shipgate\/ca\.pem: ENOENT/);
});
