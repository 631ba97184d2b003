// `in DEST`: fetches one decided lock and writes it to DEST as record.json, the same JSON that
// `shipgate gate --record` writes, plus DEST/id. The state comes from the lock's retained message
// (on the user's own topics when the source has a user name, as `shipgate gate` uses them);
// once the bridge has cleared that (after its grace period) the lock is asked for again with the
// same id, which the bridge answers with the stored state without creating a new lock
// (shared/docs/contract.md: "A repeated request with the same id is the same lock").

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { type LockState, checkErrorReply, checkLockState, decode } from "@shipgate/protocol";
import { lockTopics } from "@shipgate/pipeline-client/lock-topics";
import { recordOf } from "@shipgate/pipeline-client/record";
import { clientIdFor, connect, readRetained } from "./broker";
import type { ResourceIo } from "./io";
import { type LockVersion, type ResourceSource, checkSource, checkVersion, parseRequest, topicsOf } from "./source";
import { LOCK_STATE_MAX_BYTES_FALLBACK, metadataOf, versionOf } from "./versions";

export const RECORD_FILE = "record.json";

export async function fetchLock(args: string[], stdin: string, io: ResourceIo): Promise<number> {
  const dest = args[0];
  if (dest === undefined) return fail(io, "usage: in DESTINATION_DIR (Concourse passes it)");
  const request = parseRequest(stdin);
  if (!request.ok) return fail(io, request.error);
  const source = checkSource(request.value.source);
  if (!source.ok) return fail(io, `${source.field} ${source.error}`);
  const version = checkVersion(request.value.version);
  if (!version.ok) return fail(io, `${version.field} ${version.error}`);
  const clientId = clientIdFor("in", source.value.username);
  let client: Awaited<ReturnType<typeof connect>>;
  try {
    client = await connect(source.value, clientId);
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  try {
    const lock = await lockState(client, clientId, source.value, version.value, io);
    if (lock.state === "pending") return fail(io, `lock ${lock.id} is still pending; only decided locks are versions`);
    const record = recordOf(lock);
    mkdirSync(dest, { recursive: true });
    writeFileSync(path.join(dest, RECORD_FILE), JSON.stringify(record, null, 2) + "\n");
    writeFileSync(path.join(dest, "id"), lock.id + "\n");
    io.log(`shipgate: ${lock.pipeline}/${lock.step} ${lock.state}${lock.decided_by ? ` by ${lock.decided_by}` : ""}`);
    io.result({ version: versionOf(lock), metadata: metadataOf(record) });
    return 0;
  } catch (err) {
    return fail(io, (err as Error).message);
  } finally {
    await client.endAsync().catch(() => {});
  }
}

async function lockState(client: MqttClient, clientId: string, source: ResourceSource, version: LockVersion, io: ResourceIo): Promise<LockState> {
  const onTopics = lockTopics(topicsOf(source), version.id, source.username ?? undefined);
  const stateTopic = onTopics.state;
  const retained = await readRetained(client, [stateTopic], source.settleMs, LOCK_STATE_MAX_BYTES_FALLBACK, checkLockState, (t, why) => io.log(`shipgate: ignoring ${t}: ${why}`));
  const held = retained.get(stateTopic);
  if (held !== undefined) return held;
  io.log(`shipgate: lock ${version.id} is no longer retained; asking the bridge for it`);
  const answer = await ask(client, clientId, source, version);
  // Versions are decided locks, and a decided lock never turns pending again: a pending answer is a
  // lock the bridge had never seen (its database was replaced), just created by asking. Withdraw it.
  if (answer.state === "pending") {
    await client.publishAsync(onTopics.cancel, "", { qos: 1 }).catch(() => {});
    throw new Error(`the bridge does not know lock ${version.id} any more (was its state directory replaced?)`);
  }
  return answer;
}

function ask(client: MqttClient, clientId: string, source: ResourceSource, version: LockVersion): Promise<LockState> {
  const topics = topicsOf(source);
  const onTopics = lockTopics(topics, version.id, source.username ?? undefined);
  const stateTopic = onTopics.state;
  const errorTopic = topics.errors(clientId);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the bridge did not answer for lock ${version.id} within 10 s (is it running?)`)), 10_000);
    const done = (err: Error | null, lock?: LockState) => {
      clearTimeout(timer);
      client.off("message", onMessage);
      if (err) reject(err);
      else resolve(lock as LockState);
    };
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic === errorTopic) {
        const e = decode(payload, 4096, checkErrorReply);
        if (e.ok) done(new Error(`the bridge refused: ${e.value.error}`));
        return;
      }
      if (topic !== stateTopic || payload.length === 0) return;
      const state = decode(payload, LOCK_STATE_MAX_BYTES_FALLBACK, checkLockState);
      if (state.ok) done(null, state.value);
    };
    client.on("message", onMessage);
    client.subscribe([stateTopic, errorTopic], { qos: 1 }, (err) => {
      if (err) return done(err);
      const request = { id: version.id, pipeline: version.pipeline, step: version.step, client_id: clientId };
      client.publish(onTopics.request, JSON.stringify(request), { qos: 1 }, (pubErr) => {
        if (pubErr) done(new Error(`cannot ask for lock ${version.id}: ${pubErr.message}`));
      });
    });
  });
}

function fail(io: ResourceIo, message: string): number {
  io.log(`shipgate in: ${message}`);
  return 1;
}
