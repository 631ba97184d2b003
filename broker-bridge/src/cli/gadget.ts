// `shipgate gadget`: the gadget's firmware app on this computer, with the rings, the display and
// the buttons simulated in the terminal (firmware/adapters/node/twin.ts).

import { parseArgs } from "node:util";
import { existsSync, mkdirSync, readFileSync as readText } from "node:fs";
import path from "node:path";
import { SECRETS_DIR, UserStore, writeFileAtomic } from "../accounts/user-store";
import type { Store } from "../store";
import { storeUrlProblem } from "../store-url";
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
  --username U          the gadget's user (default on the bridge's machine: a gadget account ID made
                        on first use, its password in <state>/local-gadgets/ID.json)
  --password-file F     file holding the password
  --help                show this help`;

export async function gadgetCommand(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        id: { type: "string" },
        "secret-file": { type: "string" },
        "ca-file": { type: "string" },
        broker: { type: "string" },
        username: { type: "string" },
        "password-file": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`shipgate gadget: ${(err as Error).message}\n\n${GADGET_HELP}`);
    return 3;
  }
  if (values.help) return (io.out(GADGET_HELP), 0);
  const conn = resolveConnection({ broker: values.broker, username: values.username, "password-file": values["password-file"] }, io.env);
  const { hostname } = await import("node:os");
  const id =
    values.id ??
    `twin-${hostname()
      .replace(/[^A-Za-z0-9_.-]/g, "-")
      .slice(0, 40)}`;
  let localSecret: string | undefined;
  if (values.username === undefined && io.env.SHIPGATE_USERNAME === undefined && conn.username !== undefined) {
    // On the bridge's machine (local admin credentials): a press counts only from the gadget's
    // own account (an admin may not publish as a gadget), so the twin signs in as gadget `id`,
    // created here on first use with its password kept in <state>/local-gadgets/<id>.json (0600).
    // With a shared PostgreSQL store (SHIPGATE_STORE_URL), the gadget's account is made there, where
    // the bridges look; otherwise in <state>/users.json.
    let shared: Store | undefined;
    try {
      const url = io.env.SHIPGATE_STORE_URL;
      if (url !== undefined && url !== "") {
        const problem = storeUrlProblem(url);
        if (problem !== undefined) throw new Error(`SHIPGATE_STORE_URL: ${problem}`);
        shared = (await import("../store")).Store.open(conn.stateDir, { url, applicationName: "shipgate-gadget" });
      }
      const local = localGadgetAccount(conn.stateDir, id, shared);
      conn.username = local.username;
      conn.password = local.password;
      localSecret = local.secret;
    } catch (err) {
      io.err(`shipgate gadget: ${(err as Error).message}`);
      return 3;
    } finally {
      shared?.close();
    }
  }
  // A literal specifier, so the build bundles the twin (a computed one is left to run time, where
  // only TypeScript sources would answer it).
  const twin = (await import("@shipgate/firmware/adapters/node/twin")) as unknown as { runTwin(options: Record<string, unknown>): Promise<number | undefined> };
  const { readFileSync } = await import("node:fs");
  // A gadget provisioned here (`shipgate user add ID --role gadget`) has its secret in the state
  // directory; the bridge refuses its unsigned events, so the twin signs with it by itself.
  const secretFile = values["secret-file"] ?? (localSecret === undefined ? provisionedSecret(conn.stateDir, id) : undefined);
  let secret: string | undefined = localSecret;
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
      broker: conn.url,
      username: conn.username,
      password: conn.password,
      secret,
      prefix: conn.topics.prefix,
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

/** The local twin's own gadget account: made on first use, reused after (its password stays here). */
function localGadgetAccount(stateDir: string, id: string, store?: Store): { username: string; password: string; secret: string | undefined } {
  const users = new UserStore(stateDir, store);
  const file = path.join(stateDir, "local-gadgets", `${id}.json`);
  const existing = users.get(id);
  if (existing !== undefined && existing.role !== "gadget") throw new Error(`user ${id} exists with role ${existing.role}; pick another --id`);
  if (existing !== undefined && existsSync(file)) {
    const saved = JSON.parse(readText(file, "utf8")) as { username: string; password: string };
    return { ...saved, secret: users.gadgetSecret(id) };
  }
  if (existing !== undefined) throw new Error(`gadget ${id} exists but its password is not on this machine: pass --username ${id} --password-file F`);
  const { password } = users.add(id, "gadget");
  saveLocalGadget(stateDir, id, password);
  return { username: id, password, secret: users.gadgetSecret(id) };
}

/** Keeps a gadget's password in <state>/local-gadgets/<id>.json (0600), beside its secret, so the
 *  twin on this machine (`shipgate gadget --id ID`) can sign in as it; `user add` calls it too. */
export function saveLocalGadget(stateDir: string, id: string, password: string): void {
  mkdirSync(path.join(stateDir, "local-gadgets"), { recursive: true, mode: 0o700 });
  writeFileAtomic(path.join(stateDir, "local-gadgets", `${id}.json`), JSON.stringify({ username: id, password }, null, 2) + "\n", 0o600);
}
