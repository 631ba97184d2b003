// `shipgate gadget`: the gadget's firmware app on this computer, with the rings, the display and
// the buttons simulated in the terminal (firmware/adapters/node/twin.ts).

import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import path from "node:path";
import { SECRETS_DIR } from "../security/user-store";
import { resolveConnection } from "./connection";
import type { Io } from "./io";

export const GADGET_HELP = `Usage: shipgate gadget [--id ID] [options]

Runs the gadget's firmware app in this terminal: both rings and the matrix display drawn in colour,
keys press the buttons (a approve, r reject, l release, s sync; hold a key to hold its button; q quits).

Options:
  --id ID               gadget id (default: twin-<host name>)
  --secret-file F       file holding the gadget's HMAC secret (default: <state>/gadget-secrets/ID,
                        which \`shipgate user add ID --role gadget\` writes, when it exists)
  --ca-file F           CA certificate (PEM) for an mqtts:// broker (default: $SHIPGATE_CA_FILE)
  --broker URL          broker URL (default: $SHIPGATE_BROKER_URL or mqtt://127.0.0.1:1883)
  --username U          the gadget's user (default: the local credentials in the state directory)
  --password-file F     file holding the password
  --help                show this help`;

export async function gadgetCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { id: { type: "string" }, "secret-file": { type: "string" }, "ca-file": { type: "string" }, broker: { type: "string" }, username: { type: "string" }, "password-file": { type: "string" }, help: { type: "boolean" } },
      strict: true,
    }));
  } catch (err) {
    io.err(`shipgate gadget: ${(err as Error).message}\n\n${GADGET_HELP}`);
    return 3;
  }
  if (values.help) return io.out(GADGET_HELP), 0;
  const conn = resolveConnection({ broker: values.broker, username: values.username, "password-file": values["password-file"] }, io.env);
  // A literal specifier, so the build bundles the twin (a computed one is left to run time, where
  // only TypeScript sources would answer it).
  const twin = (await import("@shipgate/firmware/adapters/node/twin")) as unknown as { runTwin(options: Record<string, unknown>): Promise<number | void> };
  const { readFileSync } = await import("node:fs");
  const { hostname } = await import("node:os");
  const id = values.id ?? `twin-${hostname().replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 40)}`;
  // A gadget provisioned here (`shipgate user add ID --role gadget`) has its secret in the state
  // directory; the bridge refuses its unsigned events, so the twin signs with it by itself.
  const secretFile = values["secret-file"] ?? provisionedSecret(conn.stateDir, id);
  let secret: string | undefined;
  if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, "utf8").trim();
    } catch (err) {
      io.err(`shipgate gadget: cannot read --secret-file ${secretFile}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      return 3;
    }
    if (values["secret-file"] === undefined) io.err(`shipgate gadget: signing ${id}'s events with its secret in ${secretFile}`);
  }
  let code;
  try {
    code = await twin.runTwin({
      id,
      broker: conn.url, username: conn.username, password: conn.password, secret, prefix: conn.topics.prefix,
      ...(values["ca-file"] ? { caFile: values["ca-file"] } : {}),
    });
  } catch (err) {
    // startTwin's errors name the file or setting at fault (a CA file, a bad gadget id).
    io.err(`shipgate gadget: ${(err as Error).message}`);
    return 3;
  }
  return typeof code === "number" ? code : 0;
}

/** <state>/gadget-secrets/<id> when `shipgate user add` provisioned this gadget on this machine. */
function provisionedSecret(stateDir: string, id: string): string | undefined {
  const file = path.join(stateDir, SECRETS_DIR, id);
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id) && existsSync(file) ? file : undefined;
}
