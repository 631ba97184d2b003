// `out SOURCES`: asks for approval and waits, by running the self-contained gate file, which is
// `shipgate gate` (the same waiting, reconnecting and resuming as every other pipeline). Its state
// lines go to the build log; an approval prints the new version, anything else fails the put with gate's exit code
// (1 rejected or blocked, 2 expired, 3 connection or authorization error). When Concourse aborts
// the build, the signal is passed on and `shipgate gate` cancels the lock.

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DecisionRecord } from "@shipgate/pipeline-client/record";
import type { ResourceIo } from "./io";
import { type OutParams, type ResourceSource, checkOutParams, checkSource, parseRequest } from "./source";
import { metadataOf, versionOf } from "./versions";

/** What out runs as `shipgate gate`: $SHIPGATE_BIN, else the self-contained gate file (the GitHub
 *  Action's): next to this bundle in the image, in integrations/github-actions/ in a checkout. */
export function shipgateBin(env: NodeJS.ProcessEnv): string {
  if (env.SHIPGATE_BIN) return env.SHIPGATE_BIN;
  const beside = fileURLToPath(new URL("./shipgate-gate.cjs", import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL("../../github-actions/shipgate-gate.cjs", import.meta.url));
}

export async function putLock(args: string[], stdin: string, io: ResourceIo): Promise<number> {
  const sources = args[0];
  if (sources === undefined) return fail(io, "usage: out SOURCES_DIR (Concourse passes it)");
  const request = parseRequest(stdin);
  if (!request.ok) return fail(io, request.error);
  const source = checkSource(request.value.source);
  if (!source.ok) return fail(io, `${source.field} ${source.error}`);
  const params = checkOutParams(request.value.params);
  if (!params.ok) return fail(io, `${params.field} ${params.error}`);

  const pipeline = source.value.pipeline ?? io.env.BUILD_PIPELINE_NAME;
  const step = params.value.step ?? source.value.step ?? io.env.BUILD_JOB_NAME;
  if (!pipeline) return fail(io, "source.pipeline is required outside a Concourse build (no $BUILD_PIPELINE_NAME)");
  if (!step) return fail(io, "params.step or source.step is required outside a Concourse build (no $BUILD_JOB_NAME)");
  let summary: string;
  try {
    summary = summaryOf(params.value, sources, io.env);
  } catch (err) {
    return fail(io, (err as Error).message);
  }

  const work = mkdtempSync(path.join(tmpdir(), "shipgate-out-"));
  try {
    const record = path.join(work, "record.json");
    const gateArgs = ["gate", "--pipeline", pipeline, "--step", step, "--id", randomUUID(), "--record", record, "--broker", source.value.broker];
    if (summary !== "") gateArgs.push("--summary", summary);
    if (params.value.timeout !== null) gateArgs.push("--timeout", params.value.timeout);
    const env = gateEnv(source.value, work, io.env);
    if (source.value.username !== null) {
      const passwordFile = path.join(work, "password");
      writeFileSync(passwordFile, source.value.password ?? "", { mode: 0o600 });
      gateArgs.push("--username", source.value.username, "--password-file", passwordFile);
    }
    const code = await runGate(shipgateBin(io.env), gateArgs, env, io);
    if (code !== 0) return fail(io, `shipgate gate exited ${code}${EXIT_MEANING[code] ? ` (${EXIT_MEANING[code]})` : ""}`, code);
    const decision = JSON.parse(readFileSync(record, "utf8")) as DecisionRecord;
    io.result({ version: versionOf(decision), metadata: metadataOf(decision) });
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const EXIT_MEANING: Record<number, string> = { 1: "rejected or blocked", 2: "expired or timed out", 3: "usage, connection or authorization error" };

function summaryOf(params: OutParams, sources: string, env: NodeJS.ProcessEnv): string {
  if (params.summary !== null) return params.summary;
  if (params.summaryFile !== null) {
    const file = path.resolve(sources, params.summaryFile);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(`params.summary_file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    return (text.split("\n")[0] ?? "").trim().slice(0, 200);
  }
  // Concourse's build metadata (https://concourse-ci.org/implementing-resource-types.html#resource-metadata).
  if (env.BUILD_JOB_NAME && env.BUILD_NAME) return `${env.BUILD_JOB_NAME} #${env.BUILD_NAME}`;
  return "";
}

function gateEnv(source: ResourceSource, work: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, SHIPGATE_PREFIX: source.prefix, SHIPGATE_STATE_DIR: work };
  // Credentials come only from the source, never from an inherited environment.
  delete out.SHIPGATE_USERNAME;
  delete out.SHIPGATE_PASSWORD;
  if (source.ca !== null) {
    // Node adds these to its trusted CAs for every TLS connection (nodejs.org/api/cli.html#node_extra_ca_certsfile).
    const caFile = path.join(work, "ca.pem");
    writeFileSync(caFile, source.ca);
    out.NODE_EXTRA_CA_CERTS = caFile;
  }
  return out;
}

function runGate(bin: string, args: string[], env: NodeJS.ProcessEnv, io: ResourceIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) io.log(line);
    });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward("SIGINT");
    const onTerm = forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    child.on("error", (err) => {
      io.log(`shipgate out: cannot run ${bin}: ${err.message}`);
    });
    child.on("close", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      if (pending !== "") io.log(pending);
      resolve(code ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 3));
    });
  });
}

function fail(io: ResourceIo, message: string, code = 1): number {
  io.log(`shipgate out: ${message}`);
  return code;
}
