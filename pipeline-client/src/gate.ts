// `shipgate gate`: ask for approval and wait (shared/docs/contract.md, "Commands"). The lock id is
// fixed for the whole run, so every reconnect simply asks again with the same id (the bridge treats
// it as the same lock) and the retained state on locks/<id> brings the decision, whichever of the
// broker and the bridge restarted in between.

import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { TIMEOUT_MAX_S, UUID_PATTERN, checkLockRequest } from "@shipgate/protocol";
import { parseDuration } from "@shipgate/protocol/duration";
import { resolveConnection } from "./connection";
import type { Io } from "./io";
import { EXIT } from "./record";
import { waitForDecision } from "./wait";

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

export async function gateCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        pipeline: { type: "string" },
        step: { type: "string" },
        summary: { type: "string" },
        timeout: { type: "string" },
        record: { type: "string" },
        id: { type: "string" },
        broker: { type: "string" },
        username: { type: "string" },
        "password-file": { type: "string" },
        help: { type: "boolean" },
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
  // form the bridge answers on an external broker (broker-bridge/src/link/refuse.ts).
  const clientId = `${conn.username ?? "shipgate"}-gate-${randomUUID().replace(/-/g, "").slice(0, 16)}`.slice(0, 64);
  return waitForDecision({ request: checked.value, conn, clientId, record: values.record, timeoutMs, io });
}

function usage(io: Io, message: string): number {
  io.err(`shipgate gate: ${message}`);
  return EXIT.error;
}
