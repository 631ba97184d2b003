// What Concourse hands a resource on stdin (https://concourse-ci.org/implementing-resource-types.html):
// {"source": {...}, "version": {...}, "params": {...}}. This file checks the shipgate resource's
// `source` and `params` and turns them into a broker connection, so check, in and out agree.

import { type Checked, DEFAULT_PREFIX, Fields, Topics, isObject, object, prefixProblem, valid } from "@shipgate/protocol";
import { parseDuration } from "@shipgate/protocol/duration";
import { brokerUrlProblem } from "../../../broker-bridge/src/config";

export interface ResourceSource {
  /** mqtt://host:1883, mqtts://host:8883, ws(s)://host/mqtt */
  broker: string;
  username: string | null;
  password: string | null;
  /** PEM text of the CA that signed the broker's certificate (mqtts, wss). */
  ca: string | null;
  prefix: string;
  /** Locks of this pipeline only (check); the pipeline name out asks for. Concourse's
   *  $BUILD_PIPELINE_NAME when absent (in and out only: check gets no build metadata). */
  pipeline: string | null;
  step: string | null;
  /** How long check and in wait for the broker's retained messages after subscribing. */
  settleMs: number;
}

/** The version this resource emits: one decided lock. Concourse versions are maps of strings. */
export interface LockVersion {
  id: string;
  pipeline: string;
  step: string;
}

export interface OutParams {
  summary: string | null;
  /** A file in the put's inputs whose first line becomes the summary (e.g. version/version). */
  summaryFile: string | null;
  timeout: string | null;
  step: string | null;
}

const SOURCE_KEYS = ["broker", "username", "password", "ca", "prefix", "pipeline", "step", "settle"];
const PARAM_KEYS = ["summary", "summary_file", "timeout", "step"];
const NAME = { min: 1, max: 100 };

function unknownKeys(value: unknown, at: string, known: string[]): Checked<never> | undefined {
  if (!isObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) return { ok: false, field: `${at}.${key}`, error: `is not a known setting (known: ${known.join(", ")})` };
  }
  return undefined;
}

export function checkSource(value: unknown): Checked<ResourceSource> {
  const unknown = unknownKeys(value, "source", SOURCE_KEYS);
  if (unknown) return unknown;
  const f = object(value ?? {}, "source");
  if (!(f instanceof Fields)) return f;
  const broker = f.string("broker", { min: 1, max: 500 });
  const username = f.optionalString("username", { min: 1, max: 100 }) ?? null;
  const password = f.optionalString("password", { min: 1, max: 1000 }) ?? null;
  const ca = f.optionalString("ca", { min: 1, max: 100_000 }) ?? null;
  const prefix = f.optionalString("prefix", { min: 1, max: 100 }) ?? DEFAULT_PREFIX;
  const pipeline = f.optionalString("pipeline", NAME) ?? null;
  const step = f.optionalString("step", NAME) ?? null;
  const settle = f.optionalString("settle", { min: 1, max: 20 }) ?? "1s";
  if (f.failure) return f.failure;
  const urlProblem = brokerUrlProblem(broker);
  if (urlProblem) return { ok: false, field: "source.broker", error: urlProblem };
  const badPrefix = prefixProblem(prefix);
  if (badPrefix) return { ok: false, field: "source.prefix", error: badPrefix };
  const settleMs = parseDuration(settle);
  if (settleMs === undefined || settleMs < 50 || settleMs > 60_000) return { ok: false, field: "source.settle", error: 'must be a duration from 50ms to 60s such as "1s"' };
  return valid({ broker, username, password, ca, prefix, pipeline, step, settleMs });
}

export function checkVersion(value: unknown, at = "version"): Checked<LockVersion> {
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const id = f.string("id", { min: 1, max: 64 });
  const pipeline = f.string("pipeline", NAME);
  const step = f.string("step", NAME);
  return f.done(() => ({ id, pipeline, step }));
}

export function checkOutParams(value: unknown): Checked<OutParams> {
  const unknown = unknownKeys(value, "params", PARAM_KEYS);
  if (unknown) return unknown;
  const f = object(value ?? {}, "params");
  if (!(f instanceof Fields)) return f;
  const summary = f.optionalString("summary", { min: 1, max: 200 }) ?? null;
  const summaryFile = f.optionalString("summary_file", { min: 1, max: 1000 }) ?? null;
  const timeout = f.optionalString("timeout", { min: 1, max: 20 }) ?? null;
  const step = f.optionalString("step", NAME) ?? null;
  return f.done(() => ({ summary, summaryFile, timeout, step }));
}

export function topicsOf(source: ResourceSource): Topics {
  return new Topics(source.prefix);
}

/** Concourse's stdin as one JSON object; a clear message when it is not. */
export function parseRequest(text: string): Checked<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, field: "", error: `stdin is not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, field: "", error: "stdin must be a JSON object with source, version and params" };
  return valid(value as Record<string, unknown>);
}
