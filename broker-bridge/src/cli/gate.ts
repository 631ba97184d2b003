// `shipgate gate`: ask for approval and wait (shared/docs/contract.md, "Commands"). The lock id is
// fixed for the whole run, so every reconnect simply asks again with the same id (the bridge treats
// it as the same lock) and the retained state on locks/<id> brings the decision, whichever of the
// broker and the bridge restarted in between.

import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type LockRequest, type LockState, TIMEOUT_MAX_S, UUID_PATTERN, checkErrorReply, checkLockRequest, checkLockState, decode,
} from "@shipgate/protocol";
import { parseDuration } from "../duration";
import { ConnectError, UsageError, connectOnce, resolveConnection } from "./connection";
import type { Io } from "./io";

export const GATE_HELP = `Usage: shipgate gate --pipeline P --step S [options]

Asks for approval and waits for a person to decide.

Options:
  --pipeline P          pipeline name (required)
  --step S              step name, e.g. deploy-prod (required)
  --summary TEXT        what is being deployed; scrolls on the gadget's display
  --timeout DURATION    how long the lock may wait: 90s, 30m, 2h (default: the bridge's, 1h)
  --record FILE         write the decision as JSON to FILE
  --id UUID             the lock id (default: a new one); the same id resumes the same lock
  --broker URL          broker URL (default: $SHIPGATE_BROKER_URL or mqtt://127.0.0.1:1883)
  --username U          user name (default: the local credentials in the state directory)
  --password-file F     file holding the password
  --help                show this help

Exit codes: 0 approved (also in released mode), 1 rejected or blocked (or cancelled elsewhere),
2 expired or timed out, 3 usage, connection or authorization error.
Ctrl-C or SIGTERM cancels the lock before exiting (130 or 143).`;

export const EXIT = Object.freeze({ approved: 0, rejected: 1, expired: 2, error: 3 });

export interface DecisionRecord {
  id: string;
  pipeline: string;
  step: string;
  state: LockState["state"];
  decided_by: string | null;
  decided_at: string | null;
  requested_at: string;
  time_locked_ms: number | null;
  mode: LockState["mode"];
}

export async function gateCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pipeline: { type: "string" }, step: { type: "string" }, summary: { type: "string" }, timeout: { type: "string" },
        record: { type: "string" }, id: { type: "string" }, broker: { type: "string" }, username: { type: "string" },
        "password-file": { type: "string" }, help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`shipgate gate: ${(err as Error).message}\n\n${GATE_HELP}`);
    return EXIT.error;
  }
  if (values.help) {
    io.out(GATE_HELP);
    return 0;
  }
  const id = values.id ?? randomUUID();
  if (!UUID_PATTERN.test(id)) return usage(io, `--id must be a UUID, got "${id}"`);
  const request: Record<string, unknown> = { id, pipeline: values.pipeline, step: values.step };
  if (values.summary !== undefined) request.summary = values.summary;
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = parseDuration(values.timeout);
    if (timeoutMs === undefined || timeoutMs < 1000 || timeoutMs > TIMEOUT_MAX_S * 1000) {
      return usage(io, `--timeout must be a duration from 1s to 7d such as 30m, got "${values.timeout}"`);
    }
    request.timeout_s = Math.round(timeoutMs / 1000);
  }
  const checked = checkLockRequest(request);
  if (!checked.ok) return usage(io, `--${checked.field.replace("_s", "")} ${checked.error}`);

  let conn;
  try {
    conn = resolveConnection({ broker: values.broker, username: values.username, "password-file": values["password-file"] }, io.env);
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  // Not derived from the public lock id (a guessable id invites a takeover); "<user>-..." is the
  // form the bridge answers on an external broker (link/refuse.ts).
  const clientId = `${conn.username ?? "shipgate"}-gate-${randomUUID().replace(/-/g, "").slice(0, 16)}`.slice(0, 64);
  return waitForDecision({ request: checked.value, conn, clientId, record: values.record, timeoutMs, io });
}

function usage(io: Io, message: string): number {
  io.err(`shipgate gate: ${message}`);
  return EXIT.error;
}

interface WaitOptions {
  request: LockRequest;
  conn: ReturnType<typeof resolveConnection>;
  clientId: string;
  record: string | undefined;
  timeoutMs: number | undefined;
  io: Io;
}

async function waitForDecision(o: WaitOptions): Promise<number> {
  const { request, conn, clientId, io } = o;
  const topics = conn.topics;
  const stateTopic = topics.lockState(request.id);
  const errorTopic = topics.errors(clientId);
  let client;
  try {
    client = await connectOnce(conn, clientId);
  } catch (err) {
    io.err(`shipgate gate: ${err instanceof ConnectError ? err.message : (err as Error).message}`);
    return EXIT.error;
  }
  // Through an external broker the bridge cannot see who published; client_id routes its errors back.
  const payload = JSON.stringify({ ...request, client_id: clientId });
  const label = `${request.pipeline}/${request.step}`;

  return new Promise<number>((resolve) => {
    let last = "";
    let finished = false;
    let lostConnection = false;
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
        // With a user name, its own request topic (the only one an external broker lets it use).
        const requestTopic = conn.username !== undefined ? topics.lockRequestFor(conn.username) : topics.lockRequest();
        client.publish(requestTopic, payload, { qos: 1 }, (pubErr) => {
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
      const lock = state.value;
      const line = describe(label, lock);
      if (line !== last) {
        io.err(line);
        last = line;
      }
      if (lock.state === "pending") return;
      if (o.record !== undefined) {
        try {
          writeFileSync(o.record, JSON.stringify(recordOf(lock), null, 2) + "\n");
        } catch (err) {
          io.err(`shipgate gate: cannot write --record ${o.record}: ${(err as Error).message}`);
          return finish(EXIT.error);
        }
      }
      finish(lock.state === "approved" ? EXIT.approved : lock.state === "expired" ? EXIT.expired : EXIT.rejected);
    });

    client.on("connect", () => {
      if (lostConnection) io.err(`shipgate gate: reconnected to ${conn.url}; resuming lock ${request.id}`);
      lostConnection = false;
      ask();
    });
    client.on("offline", () => {
      if (!lostConnection && !finished) io.err(`shipgate gate: lost the broker at ${conn.url}; reconnecting`);
      lostConnection = true;
    });
    client.on("error", (err: Error & { code?: number | string }) => {
      if (err.code === 4 || err.code === 5) {
        io.err(`shipgate gate: the broker refused the connection: not authorized`);
        finish(EXIT.error);
      }
    });

    // The bridge expires the lock itself; this local deadline only covers a bridge that never answers.
    const waitMs = (o.timeoutMs ?? 7 * 24 * 3600 * 1000) + 30_000;
    const deadline = setTimeout(() => {
      io.err(`shipgate gate: ${label}: no decision within ${Math.round(waitMs / 1000)} s; giving up`);
      finish(EXIT.expired);
    }, Math.min(waitMs, 2_147_483_647));

    const cancel = (code: number) => {
      if (finished) return;
      io.err(`shipgate gate: cancelling lock ${request.id}`);
      const stop = setTimeout(() => finish(code), 5000);
      client.publish(topics.lockCancel(request.id), "", { qos: 1 }, () => {
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

function describe(label: string, lock: LockState): string {
  if (lock.state === "pending") {
    const pos = lock.position !== null ? ` (position ${lock.position})` : "";
    return `shipgate: ${label} waiting for approval${pos}${lock.reason ? `: ${lock.reason}` : ""}`;
  }
  const by = lock.decided_by ? ` by ${lock.decided_by}` : "";
  return `shipgate: ${label} ${lock.state}${by}${lock.reason ? `: ${lock.reason}` : ""}`;
}

export function recordOf(lock: LockState): DecisionRecord {
  return {
    id: lock.id, pipeline: lock.pipeline, step: lock.step, state: lock.state, decided_by: lock.decided_by,
    decided_at: lock.decided_at, requested_at: lock.requested_at, time_locked_ms: lock.time_locked_ms, mode: lock.mode,
  };
}

export { UsageError };
