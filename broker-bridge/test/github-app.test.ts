// GitHub deployment protection rules end to end: a real bridge is the GitHub App's webhook, a
// loopback GitHub (fakes/github-app.ts) checks every request it gets (the app JWT's RS256
// signature with the public key, installation tokens, the review body). A signed delivery makes a
// lock; `shipgate approve|reject` decides it; the review is posted to the callback URL with the
// decider's name, through 5xx answers, with one installation token for both deployments.
// Forged, unsigned and misdirected deliveries make nothing.

import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { LockState } from "@shipgate/protocol";
import { AuditService } from "../src/audit/audit-service";
import { type RunningBridge, startBridge } from "../src/bridge";
import { checkConfig } from "../src/bridge-config";
import { GadgetService } from "../src/gadgets/gadget-service";
import { GatesService } from "../src/gates/gates-service";
import { GitHubAppService, lockIdFor } from "../src/github/github-app-service";
import { PresenceService } from "../src/presence/presence-service";
import { SecurityService } from "../src/security/security-service";
import { FakeGitHub, deliver, protectionPayload } from "./fakes/github-app";
import { quietLog, runShipgate, tempDir, waitFor } from "./helpers/bridge";
import { bothStores, storeConfig } from "./helpers/store-backends";

const APP_ID = 424242;
const INSTALLATION = 77;

async function rig(t: import("ava").ExecutionContext, api: { attempts?: number } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const dir = tempDir("shipgate-gh-");
  writeFileSync(path.join(dir, "app.pem"), privateKey.export({ type: "pkcs1", format: "pem" }));
  const secret = randomBytes(24).toString("hex");
  writeFileSync(path.join(dir, "webhook-secret"), secret + "\n");
  const github = new FakeGitHub(APP_ID, publicKey, { [INSTALLATION]: ["acme/api"] });
  await github.start();
  const stateDir = path.join(dir, "state");
  const checked = checkConfig(
    {
      ...storeConfig(),
      state_dir: stateDir,
      broker: { port: 0, host: "127.0.0.1" },
      http: { port: 0 },
      github_app: { app_id: APP_ID, private_key_file: path.join(dir, "app.pem"), webhook_secret_file: path.join(dir, "webhook-secret"), api_url: github.url },
    },
    "<test>",
    stateDir,
  );
  if (!checked.ok) throw new Error(`${checked.field} ${checked.error}`);
  const boot = async () => {
    const gates = new GatesService();
    const bridge: RunningBridge = await startBridge({
      config: checked.value,
      log: quietLog,
      services: [new AuditService(), new SecurityService(), new PresenceService(), gates, new GadgetService(), new GitHubAppService({ api })],
    });
    return { bridge, gates };
  };
  let { bridge, gates } = await boot();
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await bridge.stop();
    await github.stop();
  });
  /** Stops the bridge and starts it again on the same state. */
  const restart = async () => {
    stopped = true;
    await bridge.stop();
    ({ bridge, gates } = await boot());
    stopped = false;
    return { bridge, gates };
  };
  const env = { SHIPGATE_STATE_DIR: stateDir, SHIPGATE_BROKER_URL: bridge.brokerUrl };
  const audit = (action: string) => bridge.context.store.db.prepare("SELECT actor, subject, detail FROM audit WHERE action = ?").all(action) as { actor: string; subject: string }[];
  return { github, bridge, gates, secret, env, audit, restart };
}

bothStores("a waiting deployment becomes a lock; approve and reject are posted back naming who decided, through 5xx, with one token", async (t) => {
  const { github, bridge, gates, secret, env } = await rig(t);
  const res = await deliver(bridge.httpUrl, secret, "deployment_protection_rule", protectionPayload(github.url, "acme/api", 9001, "production", INSTALLATION));
  t.is(res.status, 202, await res.clone().text());
  const id = ((await res.json()) as { lock: string }).lock;
  t.is(id, lockIdFor("acme/api", 9001, "production"));
  const lock = gates.locks.get(id) as LockState;
  t.like(lock, { pipeline: "acme/api", step: "production", state: "pending" });
  t.regex(lock.summary, /^main@4f1e2d3 by alice \(push run 9001\)$/);

  // GitHub re-delivers: the same lock, not a second one.
  const again = await deliver(bridge.httpUrl, secret, "deployment_protection_rule", protectionPayload(github.url, "acme/api", 9001, "production", INSTALLATION));
  t.is(((await again.json()) as { lock: string }).lock, id);
  t.is(gates.locks.pending().length, 1);

  github.failNext = 2; // the token request and the first review attempt answer 502
  const approve = runShipgate(["approve", id], env);
  t.is(await approve.exit, 0, approve.stderr());
  await waitFor("the approval on GitHub", () => github.reviews.length === 1, 20_000);
  t.deepEqual(github.refusals, []);
  t.like(github.reviews[0], { repo: "acme/api", runId: 9001, environment_name: "production", state: "approved" });
  t.regex(github.reviews[0]!.comment, /^Approved on shipgate by user:admin/);

  const second = await deliver(bridge.httpUrl, secret, "deployment_protection_rule", protectionPayload(github.url, "acme/api", 9002, "staging", INSTALLATION));
  const id2 = ((await second.json()) as { lock: string }).lock;
  const reject = runShipgate(["reject", id2, "--reason", "not on a Friday"], env);
  t.is(await reject.exit, 0, reject.stderr());
  await waitFor("the rejection on GitHub", () => github.reviews.length === 2, 20_000);
  t.like(github.reviews[1], { runId: 9002, environment_name: "staging", state: "rejected" });
  t.regex(github.reviews[1]!.comment, /^Rejected on shipgate by user:admin: not on a Friday$/);
  t.is(github.tokensIssued, 1, "the installation token is cached until it expires");
  t.deepEqual(github.refusals, [], "every request the bridge made passed the fake's checks");
});

bothStores("unsigned, forged and misdirected deliveries make no lock and are audited; a ping is answered", async (t) => {
  const { github, bridge, gates, secret, audit } = await rig(t);
  const payload = protectionPayload(github.url, "acme/api", 1, "production", INSTALLATION);
  t.is((await deliver(bridge.httpUrl, null, "deployment_protection_rule", payload)).status, 401);
  t.is((await deliver(bridge.httpUrl, "a-different-secret-of-some-length", "deployment_protection_rule", payload)).status, 401);
  t.is((await deliver(bridge.httpUrl, secret, "deployment_protection_rule", payload, "sha256=" + "0".repeat(64))).status, 401);
  // Signed, but the callback would send the installation token to another host.
  const elsewhere = protectionPayload(github.url, "acme/api", 2, "production", INSTALLATION, {
    deployment_callback_url: "https://attacker.example/repos/acme/api/actions/runs/2/deployment_protection_rule",
  });
  const misdirected = await deliver(bridge.httpUrl, secret, "deployment_protection_rule", elsewhere);
  t.is(misdirected.status, 400);
  t.regex(((await misdirected.json()) as { error: string }).error, /^deployment_callback_url: must be/);
  // Signed, but the callback names another repository's run.
  const otherRepo = protectionPayload(github.url, "acme/api", 3, "production", INSTALLATION, { deployment_callback_url: `${github.url}/repos/acme/secret/actions/runs/3/deployment_protection_rule` });
  t.is((await deliver(bridge.httpUrl, secret, "deployment_protection_rule", otherRepo)).status, 400);
  t.is(gates.locks.pending().length, 0);
  t.is(audit("github.webhook_refused").length, 5);
  t.is((await deliver(bridge.httpUrl, secret, "ping", { zen: "Design for failure." })).status, 200);
  t.is(github.tokensIssued, 0);
});

bothStores("a decision GitHub could not take is posted at the next start", async (t) => {
  const { github, bridge, secret, env, audit, restart } = await rig(t, { attempts: 3 });
  const res = await deliver(bridge.httpUrl, secret, "deployment_protection_rule", protectionPayload(github.url, "acme/api", 77, "production", INSTALLATION));
  const id = ((await res.json()) as { lock: string }).lock;
  github.failNext = 1000; // GitHub is down
  const approve = runShipgate(["approve", id], env);
  t.is(await approve.exit, 0, approve.stderr());
  await waitFor("the failed review in the audit", () => audit("github.review_failed").length === 1, 30_000);
  t.is(github.reviews.length, 0);
  github.failNext = 0;
  const again = await restart();
  await waitFor("the approval on GitHub", () => github.reviews.length === 1, 20_000);
  t.is(github.reviews[0]!.state, "approved");
  t.regex(github.reviews[0]!.comment, /by user:admin/);
  t.is(again.gates.locks.get(id)?.state, "approved");
});
