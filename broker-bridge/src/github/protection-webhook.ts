// GitHub's webhook deliveries to the app (GitHub docs, "Validating webhook deliveries" and the
// deployment_protection_rule event): the X-Hub-Signature-256 header is "sha256=" and the
// HMAC-SHA256 of the raw body under the app's webhook secret, compared in constant time. A
// `requested` delivery names the environment, the run's deployment and the callback URL to
// review it at; that URL must be this GitHub's API and this repository's run, so a forged or
// confused payload can never make the bridge send an installation token elsewhere.

import { createHmac, timingSafeEqual } from "node:crypto";

export function signatureValid(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const want = Buffer.from("sha256=" + createHmac("sha256", secret).update(rawBody).digest("hex"));
  const given = Buffer.from(header);
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface ProtectionRequest {
  /** "owner/name" */
  repository: string;
  environment: string;
  runId: number;
  installationId: number;
  callbackUrl: string;
  summary: string;
}

export class WebhookPayloadError extends Error {
  readonly code = "GITHUB_WEBHOOK";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const PRINTABLE = /[^\u0020-\u007e\u0080-\uffff]/g;

/** The waiting deployment from a `deployment_protection_rule` `requested` payload. */
export function protectionRequest(payload: unknown, apiUrl: string): ProtectionRequest {
  const p = obj(payload);
  const repository = str(obj(p.repository).full_name);
  if (repository === undefined || repository.length > 100 || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) throw new WebhookPayloadError("repository.full_name", "must be owner/name");
  const environment = str(p.environment);
  if (environment === undefined || environment.length > 100) throw new WebhookPayloadError("environment", "must be the environment's name");
  const installationId = obj(p.installation).id;
  if (typeof installationId !== "number" || !Number.isSafeInteger(installationId) || installationId <= 0) throw new WebhookPayloadError("installation.id", "must be the app installation's id");
  const callbackUrl = str(p.deployment_callback_url);
  if (callbackUrl === undefined) throw new WebhookPayloadError("deployment_callback_url", "is required");
  const expected = `${apiUrl}/repos/${repository}/actions/runs/`;
  const m = callbackUrl.startsWith(expected) ? /^(\d+)\/deployment_protection_rule$/.exec(callbackUrl.slice(expected.length)) : null;
  if (m === null) throw new WebhookPayloadError("deployment_callback_url", `must be ${expected}{run_id}/deployment_protection_rule`);
  const runId = Number(m[1]);
  const deployment = obj(p.deployment);
  const ref = str(deployment.ref);
  const sha = str(deployment.sha);
  const creator = str(obj(deployment.creator).login) ?? str(obj(p.sender).login);
  const parts = [ref ?? null, sha ? sha.slice(0, 7) : null].filter((x) => x !== null).join("@");
  const summary = [parts || null, creator ? `by ${creator}` : null, str(p.event) ? `(${p.event} run ${runId})` : `(run ${runId})`].filter((x) => x !== null).join(" ");
  return { repository, environment: environment.replace(PRINTABLE, " "), runId, installationId, callbackUrl, summary: summary.replace(PRINTABLE, " ").slice(0, 200) };
}
