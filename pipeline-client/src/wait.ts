// Waiting for a decision: ask with a fixed lock id, and on every (re)connect simply ask again with
// the same id (the bridge treats it as the same lock); the lock's retained state (on
// owners/<user>/locks/<id> with a user name, else locks/<id>: lock-topics.ts) brings the decision,
// whichever of the broker and the bridge restarted in between. Ctrl-C or SIGTERM withdraws the
// lock before exiting.

import { writeFileSync } from "node:fs";
import { type LockRequest, checkErrorReply, checkLockState, decode } from "@shipgate/protocol";
import { type Connection, ConnectError, connectOnce } from "./connection";
import type { Io } from "./io";
import { lockTopics } from "./lock-topics";
import { EXIT, describe, exitCodeOf, recordOf } from "./record";

export interface WaitOptions {
  request: LockRequest;
  conn: Connection;
  clientId: string;
  record: string | undefined;
  timeoutMs: number | undefined;
  io: Io;
}

export async function waitForDecision(o: WaitOptions): Promise<number> {
  const { request, conn, clientId, io } = o;
  const topics = conn.topics;
  const onTopics = lockTopics(topics, request.id, conn.username);
  const stateTopic = onTopics.state;
  const errorTopic = topics.errors(clientId);
  let finished = false;
  let lostConnection = false;
  const onLost = () => {
    if (!lostConnection && !finished) io.err(`shipgate gate: lost the broker at ${conn.url}; reconnecting`);
    lostConnection = true;
  };
  let client;
  try {
    client = await connectOnce(conn, clientId, {}, undefined, { onLost, onRefusedRetry: (message) => io.err(`shipgate gate: ${message}`) });
  } catch (err) {
    io.err(`shipgate gate: ${err instanceof ConnectError ? err.message : (err as Error).message}`);
    return EXIT.error;
  }
  // Through an external broker the bridge cannot see who published; client_id routes its errors back.
  const payload = JSON.stringify({ ...request, client_id: clientId });
  const label = `${request.pipeline}/${request.step}`;

  return new Promise<number>((resolve) => {
    let last = "";
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      client.end(false, {}, () => resolve(code));
    };

    const ask = () => {
      client.subscribe([stateTopic, errorTopic], { qos: 1 }, (err, granted) => {
        if (err) return;
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length > 0) {
          io.err(`shipgate gate: not authorized to read ${refused.map((g) => g.topic).join(", ")}`);
          return finish(EXIT.error);
        }
        client.publish(onTopics.request, payload, { qos: 1 }, (pubErr) => {
          if (pubErr && !finished) io.err(`shipgate gate: could not send the request: ${pubErr.message}`);
        });
      });
    };

    client.on("message", (topic, message) => {
      if (topic === errorTopic) {
        const e = decode(message, 4096, checkErrorReply);
        if (!e.ok || (e.value.id !== undefined && e.value.id !== request.id)) return;
        io.err(`shipgate gate: refused: ${e.value.error}`);
        return finish(EXIT.error);
      }
      if (topic !== stateTopic || message.length === 0) return;
      const state = decode(message, 8192, checkLockState);
      if (!state.ok) return;
      const current = state.value;
      const line = describe(label, current);
      if (line !== last) {
        io.err(line);
        last = line;
      }
      if (current.state === "pending") return;
      if (o.record !== undefined) {
        try {
          writeFileSync(o.record, JSON.stringify(recordOf(current), null, 2) + "\n");
        } catch (err) {
          io.err(`shipgate gate: cannot write --record ${o.record}: ${(err as Error).message}`);
          return finish(EXIT.error);
        }
      }
      finish(exitCodeOf(current.state));
    });

    client.on("connect", () => {
      if (lostConnection) io.err(`shipgate gate: reconnected to ${conn.url}; resuming lock ${request.id}`);
      lostConnection = false;
      ask();
    });
    client.on("error", (err: Error & { code?: number | string }) => {
      if (err.code === 4 || err.code === 5) {
        io.err(`shipgate gate: the broker refused the connection: not authorized`);
        finish(EXIT.error);
      }
    });

    // The bridge expires the lock itself; this local deadline only covers a bridge that never answers.
    const waitMs = (o.timeoutMs ?? 7 * 24 * 3600 * 1000) + 30_000;
    const deadline = setTimeout(
      () => {
        io.err(`shipgate gate: ${label}: no decision within ${Math.round(waitMs / 1000)} s; giving up`);
        finish(EXIT.expired);
      },
      Math.min(waitMs, 2_147_483_647),
    );

    const cancel = (code: number) => {
      if (finished) return;
      io.err(`shipgate gate: cancelling lock ${request.id}`);
      const stop = setTimeout(() => finish(code), 5000);
      client.publish(onTopics.cancel, "", { qos: 1 }, () => {
        clearTimeout(stop);
        finish(code);
      });
    };
    const onInt = () => cancel(130);
    const onTerm = () => cancel(143);
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);

    ask();
  });
}
